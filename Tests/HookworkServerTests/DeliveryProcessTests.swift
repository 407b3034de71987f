import AsyncHTTPClient
import Foundation
import HookworkCore
import HookworkStore
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import HookworkServer

/// A `hookwork` process started from the package's debug build.
final class HookworkProcess: Sendable {
    let process: Process
    let output: URL

    /// The built executable, found beside the test bundle (the test target depends on it, so `swift test` builds it).
    static let executable: URL = (try? hookworkExecutable()) ?? URL(fileURLWithPath: "hookwork")

    init(_ arguments: [String], environment: [String: String], output: URL) throws {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        self.output = output
    }

    /// Kills the process at once (no shutdown at all) and waits for it to be gone.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Asks for a graceful shutdown and waits.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// What the process logged.
    var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
}

/// A small HTTP client for the spawned server.
enum Remote {
    /// POSTs `json` with a bearer token; the status, or nil when no answer came.
    static func post(_ url: String, token: String, json: String) async -> Int? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        } catch {
            return nil
        }
    }

    /// Waits until `GET url` answers 200.
    static func waitUntilUp(_ url: String, seconds: Int = 60) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(2)), response.status.code == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(url) did not come up in \(seconds) s")
    }
}

@Suite("Delivery across process crashes and processes", .serialized)
struct DeliveryProcessTests {
    @Test("SIGKILL in the middle of a load of events: after a restart every accepted event's call arrives, duplicates only repeat a webhook-id")
    func killAndRestart() async throws {
        #expect(FileManager.default.fileExists(atPath: HookworkProcess.executable.path), "build the package first (swift build --build-tests)")
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let port = try await Receiver.with { _, port in port }
        let secret = DeliveryFixture.secret()
        let events = 240
        try await Receiver.with(respond: { _ in
            try? await Task.sleep(for: .milliseconds(2))
            return (200, [])
        }) { receiver, receiverPort in
            let environment = [
                "HOOKWORK_DATABASE_URL": database.url, "HOOKWORK_HTTP_PORT": String(port), "HOOKWORK_OUTBOUND_ALLOW": "127.0.0.0/8",
                "HOOKWORK_ADMIN_TOKEN": adminToken,
                "HOOKWORK_INGEST_TOKEN": ingestToken, "HOOKWORK_WEBHOOKS_WORKER": "queue", "HOOKWORK_QUEUE_LEASE_SECONDS": "5",
                "HOOKWORK_DELIVERY_LEASE_SECONDS": "5", "HOOKWORK_QUEUE_POLL_MS": "20", "HOOKWORK_DELIVERY_POLL_MS": "20",
                "HOOKWORK_LOG_LEVEL": "error",
            ]
            let base = "http://127.0.0.1:\(port)"
            let log = database.folder.appendingPathComponent("serve.log")
            var server = try HookworkProcess(["serve"], environment: environment, output: log)
            try await Remote.waitUntilUp(base + "/health")
            #expect(
                await Remote.post(
                    base + "/api/v1/rest_apis", token: adminToken,
                    json: DeliveryFixture.restAPI(port: receiverPort, extra: #""signing_secrets":["\#(secret)"],"#)) == 201)
            #expect(await Remote.post(base + "/api/v1/triggers", token: adminToken, json: Fixture.trigger) == 201)
            #expect(await Remote.post(base + "/api/v1/webhooks", token: adminToken, json: Fixture.webhook()) == 201)

            // Eight senders; after half the events are accepted the server is killed mid-load.
            let accepted = Setting<Set<Int>>([])
            let killed = Setting(false)
            let serverNow = server
            await withTaskGroup(of: Void.self) { group in
                for sender in 0..<8 {
                    group.addTask {
                        for chat in stride(from: sender + 1, through: events, by: 8) {
                            // After the kill nobody answers: the rest is sent again after the restart.
                            if killed.current { break }
                            let status = await Remote.post(
                                base + "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "k\(chat)", chat: chat))
                            guard status == 202 else { continue }
                            let count = accepted.value.withLock {
                                $0.insert(chat); return $0.count
                            }
                            if count == events / 2,
                                killed.value.withLock({
                                    let first = !$0; $0 = true; return first
                                })
                            {
                                serverNow.kill()
                            }
                        }
                    }
                }
            }
            let acceptedBeforeKill = accepted.current
            #expect(killed.current)
            #expect(acceptedBeforeKill.count < events, "the kill came in the middle of the load")

            server = try HookworkProcess(["serve"], environment: environment, output: log)
            try await Remote.waitUntilUp(base + "/health")
            // The senders whose events got no answer send them again (same ids: stored once).
            for chat in 1...events where !acceptedBeforeKill.contains(chat) {
                let status = await Remote.post(base + "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "k\(chat)", chat: chat))
                #expect(status == 202 || status == 200)
            }
            func chats() -> [Int: Set<String>] {
                var byChat: [Int: Set<String>] = [:]
                for request in receiver.requests {
                    guard let chat = (try? JSONValue(parsing: request.body))?["chat_id"]?.intValue else { continue }
                    byChat[chat, default: []].insert(request.headers["webhook-id"] ?? "")
                }
                return byChat
            }
            let deadline = ContinuousClock.now + .seconds(60)
            while chats().count < events, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            let byChat = chats()
            #expect(Set(byChat.keys) == Set(1...events), "every event's call reached the receiver")
            #expect(byChat.values.allSatisfy { $0.count == 1 }, "a call that arrived twice carried the same webhook-id")
            #expect(receiver.requests.count >= events)

            // A call sent just before the kill and not yet recorded is made again when its lease ends (the same
            // webhook-id); wait until every delivery is recorded, then read them through the CLI on the same database.
            func deliveredCount() async throws -> Int {
                var request = HTTPClientRequest(url: base + "/api/v1/deliveries?status=delivered&limit=500")
                request.headers.add(name: "Authorization", value: "Bearer \(adminToken)")
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 1 << 24)
                return (try JSONValue(parsing: Array(body.readableBytesView)))["deliveries"]?.arrayValue?.count ?? 0
            }
            let recorded = ContinuousClock.now + .seconds(60)
            while try await deliveredCount() < events, ContinuousClock.now < recorded { try await Task.sleep(for: .milliseconds(100)) }
            server.stop()
            let cli = try HookworkProcess(
                ["deliveries", "list", "--status", "delivered", "--limit", "10000"], environment: environment,
                output: database.folder.appendingPathComponent("cli.log")
            )
            cli.process.waitUntilExit()
            let lines = cli.log.split(separator: "\n").filter { $0.hasPrefix("{") }
            #expect(lines.count == events)
        }
    }

    @Test(
        "two worker processes sharing PostgreSQL never send the same attempt twice",
        .enabled(if: ProcessInfo.processInfo.environment["HOOKWORK_TEST_POSTGRES_URL"] != nil, "HOOKWORK_TEST_POSTGRES_URL is not set")
    )
    func twoWorkersOnPostgres() async throws {
        let adminURL = try #require(ProcessInfo.processInfo.environment["HOOKWORK_TEST_POSTGRES_URL"])
        let name = "hw_workers_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        try psql(adminURL, "CREATE DATABASE \(name)")
        defer { try? psql(adminURL, "DROP DATABASE \(name) WITH (FORCE)") }
        let url = adminURL.replacingOccurrences(of: #"/[^/?]*(\?|$)"#, with: "/\(name)$1", options: .regularExpression)
        let count = 300
        // A receiver that takes 20 ms per call, so that one process alone could not empty the queue before the other starts.
        try await Receiver.with(respond: { _ in
            try? await Task.sleep(for: .milliseconds(20))
            return (200, [])
        }) { receiver, port in
            let store = try await makeStore(url: url, logger: testLogger)
            try await store.migrate()
            let deliveries = (1...count).map { index in
                NewDelivery(
                    messageID: "msg_two_\(index)", kind: .restapi, method: "POST", url: "http://127.0.0.1:\(port)/n/\(index)",
                    host: "127.0.0.1:\(port)",
                    payload: .object(
                        JSONObject([("request", .object(JSONObject([("method", "POST"), ("url", .string("http://127.0.0.1:\(port)/n/\(index)"))])))])),
                    context: JSONObject()
                )
            }
            // Recorded before the workers start, so that both find a full queue.
            _ = try await store.commit(UnitOfWork(deliveries: deliveries), now: Int(Date().timeIntervalSince1970))
            let environment = [
                "HOOKWORK_DATABASE_URL": url, "HOOKWORK_OUTBOUND_ALLOW": "127.0.0.0/8", "HOOKWORK_DELIVERY_CONCURRENCY": "4",
                "HOOKWORK_DELIVERY_POLL_MS": "10", "HOOKWORK_LOG_LEVEL": "info",
                "HOOKWORK_ADMIN_TOKEN": adminToken,
            ]
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let workers = try (0..<2).map {
                try HookworkProcess(["worker"], environment: environment, output: folder.appendingPathComponent("w\($0).log"))
            }
            _ = try await receiver.waitFor(count, seconds: 60)
            // Stopped (and exited) before counting: a duplicate can no longer arrive after the count.
            for worker in workers { worker.stop() }
            let paths = receiver.requests.map(\.path)
            #expect(paths.count == count, "each delivery was sent once")
            #expect(Set(paths).count == count)
            let sent = workers.map { $0.log.components(separatedBy: "delivery.attempted").count - 1 }
            #expect(sent.reduce(0, +) == count)
            #expect(sent.allSatisfy { $0 > 0 }, "both processes delivered: \(sent)")
            let records = try await store.deliveries(DeliveryQuery(limit: 1000))
            #expect(records.allSatisfy { $0.status == .delivered && $0.attempts == 1 })
            try await store.shutdown()
        }
    }

    func psql(_ url: String, _ statement: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", url, "-q", "-c", statement]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw StoreError(code: "unavailable", message: "psql failed: \(statement)") }
    }
}
