import ArgumentParser
import Foundation
import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkStore
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// `hookwork-bench deliver`: signed deliveries per second from the durable outbox to a local receiver (DESIGN §7),
/// beside the rate `wrk` reaches on the same receiver in the same run.
///
/// The deliveries are recorded first (SQLite in a temporary folder, each a signed Standard Webhooks POST with a small
/// JSON body), then the delivery worker makes them with its fixed concurrency through AsyncHTTPClient: claim, sign,
/// send, log the attempt and commit its outcome, as in production. The receiver is a Hummingbird server in this
/// process that answers 200; `wrk` then loads the same receiver for as long as the deliveries took (at least 3 s).
struct DeliverBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver", abstract: "Signed deliveries per second to a local receiver, and wrk's rate on the same receiver."
    )

    @Option(help: "Deliveries to make.")
    var deliveries: Int = 20_000

    @Option(help: "Delivery worker concurrency (HOOKWORK_DELIVERY_CONCURRENCY).")
    var concurrency: Int = 32

    @Option(help: "wrk connections.")
    var connections: Int = 32

    @Option(help: "wrk threads.")
    var threads: Int = 2

    func validate() throws {
        guard deliveries >= 1 else { throw ValidationError("--deliveries must be at least 1") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard threads >= 1, threads <= connections else { throw ValidationError("--threads must be from 1 to --connections") }
    }

    func run() async throws {
        guard let wrk = Self.which("wrk") else {
            throw ValidationError("wrk is not installed; install it with 'apt-get install wrk' (Debian) and run again")
        }
        var logger = Logger(label: "hookwork-bench")
        logger.logLevel = .warning
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hookwork-bench-deliver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let received = Atomic<Int>(0)
        let router = Router()
        router.post("/hook/{id}") { request, _ -> HTTPResponse.Status in
            _ = try await request.body.collect(upTo: 1 << 16)
            received.add(1, ordering: .relaxed)
            return .ok
        }
        router.get("/hook/{id}") { _, _ -> HTTPResponse.Status in .ok }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let receiver = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger
        )
        let receiverGroup = ServiceGroup(configuration: .init(services: [receiver], logger: logger))

        let store = try await SQLiteStore.open(path: folder.appendingPathComponent("hookwork.sqlite").path, logger: logger)
        try await store.migrate()
        // A loopback receiver.
        let sender = AsyncHTTPSender(logger: logger, addressPolicy: OutboundAddressPolicy(allowedNetworks: [IPNetwork("127.0.0.0/8")!]))

        let result = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await receiverGroup.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            do {
                let measured = try await measure(store: store, sender: sender, port: port, received: received, logger: logger)
                let wrkRate = try Self.wrk(
                    wrk, url: "http://127.0.0.1:\(port)/hook/1", connections: connections, threads: threads,
                    seconds: max(3, Int(measured.seconds.rounded(.up))))
                await receiverGroup.triggerGracefulShutdown()
                try await group.waitForAll()
                return (measured, wrkRate)
            } catch {
                await receiverGroup.triggerGracefulShutdown()
                try? await group.waitForAll()
                throw error
            }
        }
        try await sender.shutdown()
        let pending =
            try await store.deliveries(DeliveryQuery(status: .pending, limit: 1)).count
            + (try await store.deliveries(DeliveryQuery(status: .failed, limit: 1)).count)
        try await store.shutdown()
        let rate = Double(deliveries) / result.0.seconds
        let fields: [(String, String)] = [
            ("benchmark", "\"deliver\""), ("deliveries", String(deliveries)), ("concurrency", String(concurrency)), ("store", "\"sqlite\""),
            ("signed", "true"), ("seconds", String(format: "%.2f", result.0.seconds)), ("deliveries_per_second", String(format: "%.2f", rate)),
            ("wrk_requests_per_second", String(format: "%.2f", result.1)),
            ("ratio_to_wrk", String(format: "%.4f", result.1 > 0 ? rate / result.1 : 0)),
            ("wrk_connections", String(connections)), ("received", String(result.0.received)), ("undelivered", String(pending)),
        ]
        print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }

    /// Records the deliveries, then runs the worker until the receiver has them all.
    private func measure(
        store: SQLStore, sender: AsyncHTTPSender, port: Int, received: borrowing Atomic<Int>, logger: Logger
    ) async throws -> (seconds: Double, received: Int) {
        let secret = "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let now = WallClock().now()
        var index = 0
        while index < deliveries {
            let batch = (index..<min(deliveries, index + 1000)).map { number in
                let body = #"{"chat_id":\#(number),"event":"chat.close","nick":"Visitor \#(number)","department":"Sales"}"#
                let request = OutboundRequest(
                    method: "POST", url: "http://127.0.0.1:\(port)/hook/\(number)", headers: [("Content-Type", "application/json")],
                    body: Array(body.utf8)
                )
                return OutboundCall(kind: .restapi, payload: .http(request), signingSecrets: [secret], messageID: "msg_bench_\(number)").newDelivery()
            }
            _ = try await store.commit(UnitOfWork(deliveries: batch), now: now)
            index += batch.count
        }
        let clock = WallClock()
        let breakers = BreakerRegistry()
        let attempter = DeliveryAttempter(store: store, sender: sender, clock: clock, breakers: breakers, logger: logger)
        let worker = DeliveryWorker(
            store: store, attempter: attempter, clock: clock, breakers: breakers, logger: logger, concurrency: concurrency, perHostLimit: concurrency,
            pollInterval: .milliseconds(5), name: "bench"
        )
        let workers = ServiceGroup(configuration: .init(services: [worker], logger: logger))
        let started = ContinuousClock.now
        let elapsed = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await workers.run() }
            // Done when every delivery is recorded as delivered (the receiver's count may run ahead of the commits).
            while try await store.deliveries(DeliveryQuery(status: .pending, limit: 1)).count > 0 {
                try await Task.sleep(for: .milliseconds(5))
            }
            let elapsed = ContinuousClock.now - started
            await workers.triggerGracefulShutdown()
            try await group.waitForAll()
            return elapsed
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (seconds, received.load(ordering: .relaxed))
    }

    /// wrk's requests per second on `url`.
    static func wrk(_ executable: String, url: String, connections: Int, threads: Int, seconds: Int) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", url]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
            let rate = Double(line.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces))
        else {
            throw ValidationError("wrk printed no rate:\n\(text)")
        }
        return rate
    }

    static func which(_ name: String) -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
