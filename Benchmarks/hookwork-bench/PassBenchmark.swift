import ArgumentParser
import Foundation
import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkServer
import HookworkStore
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `hookwork-bench pass`: one continuous pass over 100,000 open chats x 20 webhooks stored in SQLite (DESIGN §7), and
/// the lag from the moment a condition becomes true to its trigger's call arriving at a local receiver.
///
/// The chats are `Workload.generated`'s, stored as the platform would store them (chats, messages, departments with
/// statistics). The 20 webhooks are the seed document's five chat examples four times over, each ending with a
/// condition on the nick, so that every condition before it is evaluated for every chat and only the lag chats
/// match. The lag chats (nick "lag") get a bot message timed so that "visitor not responding to the bot for 60 s"
/// becomes true at a known wall-clock second during the run, while the scheduler service passes every second.
struct PassBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pass",
        abstract: "One continuous pass over many open chats x 20 webhooks on SQLite, and the fire lag at a local receiver."
    )

    @Option(help: "Open chats.")
    var chats = 100_000

    @Option(help: "Chats whose conditions become true during the lag measurement.")
    var lagChats = 100

    @Option(help: "Seconds over which their conditions become true.")
    var lagSeconds = 20

    @Flag(help: "Keep the temporary folder (the database) instead of deleting it.")
    var keep = false

    @Flag(help: "Keep the chat history backtests replay (HOOKWORK_HISTORY_DAYS=14), and report its size.")
    var history = false

    func run() async throws {
        var logger = Logger(label: "hookwork-bench")
        logger.logLevel = .warning
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hookwork-bench-pass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(at: folder) } }
        let store = try await SQLiteStore.open(path: folder.appendingPathComponent("hookwork.sqlite").path, logger: logger)
        try await store.migrate()
        // A loopback receiver.
        let sender = AsyncHTTPSender(logger: logger, addressPolicy: OutboundAddressPolicy(allowedNetworks: [IPNetwork("127.0.0.0/8")!]))
        let arrivals = Arrivals()
        let (receiver, ports) = Self.receiver(logger: logger, arrivals: arrivals)
        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await receiver.run() }
                var iterator = ports.makeAsyncIterator()
                let port = await iterator.next() ?? 0
                do {
                    let result = try await measure(store: store, sender: sender, port: port, arrivals: arrivals, logger: logger)
                    print(result.jsonText())
                } catch {
                    await receiver.triggerGracefulShutdown()
                    throw error
                }
                await receiver.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        } catch {
            try? await sender.shutdown()
            try? await store.shutdown()
            throw error
        }
        try await sender.shutdown()
        try await store.shutdown()
    }

    /// When the first call for each chat id arrived (unix seconds).
    final class Arrivals: Sendable {
        let times = Mutex<[Int: Double]>([:])
    }

    func measure(store: SQLStore, sender: AsyncHTTPSender, port: Int, arrivals: Arrivals, logger: Logger) async throws -> JSONValue {
        let loadNow = Int(Date().timeIntervalSince1970)
        let loadStarted = ContinuousClock.now
        try await load(store: store, port: port, now: loadNow)
        let loadSeconds = Self.seconds(ContinuousClock.now - loadStarted)
        // Wired as `serve` wires it: firings commit their calls to the outbox and attempt them at once.
        var configuration = HookworkConfiguration()
        configuration.continuousEnabled = true
        let engine = makeCommandEngine(configuration: configuration, store: store, sender: sender, logger: logger)
        let executor = engine.executor
        let attempter = engine.attempter
        // Department statistics are recomputed hourly in production; here they would only add a one-off pass that
        // re-assembles every chat of the changed departments, so the run measures the steady state without them.
        var options = ContinuousOptions()
        options.statsIntervalSeconds = 0
        options.historyDays = history ? 14 : 0
        let scheduler = ContinuousScheduler(
            store: store, executor: executor, clock: WallClock(), logger: logger, options: options,
            deliverNow: { ids in Task { _ = await attempter.attemptNow(ids: ids, worker: "bench") } }
        )

        // Full passes, nothing due yet: the steady state of a busy site.
        var passes: [Double] = []
        var evaluations = 0
        var phases: (load: Double, evaluate: Double) = (0, 0)
        for _ in 0..<4 {
            let started = ContinuousClock.now
            let report = try await scheduler.runPass(now: Int(Date().timeIntervalSince1970))
            passes.append(Self.seconds(ContinuousClock.now - started))
            evaluations = report.evaluations
            phases = (report.loadSeconds, report.evaluateSeconds)
        }
        let steady = Array(passes.dropFirst()).sorted()

        // The lag chats: each one's condition becomes true at a whole second during the next `lagSeconds`.
        let start = Int(Date().timeIntervalSince1970) + 2
        var due: [Int: Int] = [:]
        var records: [(kind: EntityKind, id: Int, document: JSONObject)] = []
        for index in 0..<lagChats {
            let chatID = chats + 1 + index
            let trueAt = start + index % max(lagSeconds, 1)
            due[chatID] = trueAt
            // `{last_msg.time} < {time} - 60` holds once the wall-clock second reaches bot time + 61.
            let botTime = trueAt - 61
            records.append((.chat, chatID, ["status": 5, "status_sub": 0, "dep_id": 1, "nick": "lag", "last_user_msg_time": .int(botTime - 5)]))
            records.append((.message, chatID * 10, ["chat_id": .int(chatID), "user_id": -2, "msg": "Can I help?", "time": .int(botTime)]))
        }
        try await store.putBatch(records)
        let group = ServiceGroup(configuration: .init(services: [scheduler], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let deadline = Double(start + lagSeconds + 5)
            while Date().timeIntervalSince1970 < deadline, arrivals.times.withLock({ $0.count }) < lagChats {
                try await Task.sleep(for: .milliseconds(100))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let kept = try await store.chatHistorySize()
        let got = arrivals.times.withLock { $0 }
        let lags = got.compactMap { chatID, arrived in due[chatID].map { (arrived - Double($0)) * 1000 } }.sorted()
        func percentile(_ p: Double) -> Int {
            guard !lags.isEmpty else { return -1 }
            return Int(lags[min(lags.count - 1, Int((Double(lags.count) * p).rounded(.up)) - 1)].rounded())
        }
        return [
            "benchmark": "pass", "chats": .int(chats), "webhooks": 20, "evaluations": .int(evaluations),
            "pass_seconds": .double((steady[steady.count / 2] * 1000).rounded() / 1000),
            "pass_seconds_min": .double((steady[0] * 1000).rounded() / 1000), "first_pass_seconds": .double((passes[0] * 1000).rounded() / 1000),
            "fire_lag_p50_ms": .int(percentile(0.5)), "fire_lag_p99_ms": .int(percentile(0.99)), "fire_lag_max_ms": .int(percentile(1.0)),
            "load_phase_seconds": .double((phases.load * 1000).rounded() / 1000),
            "evaluate_phase_seconds": .double((phases.evaluate * 1000).rounded() / 1000),
            "lag_samples": .int(lags.count), "lag_expected": .int(lagChats), "load_seconds": .double((loadSeconds * 10).rounded() / 10),
            "rss_mb": .int(Self.residentMegabytes()), "rss_trimmed_mb": .int(Self.trimmedResidentMegabytes()),
            "history": .bool(history), "history_entries": .int(kept.entries), "history_bytes": .int(kept.bytes),
            "history_bytes_per_entry": .int(kept.entries > 0 ? kept.bytes / kept.entries : 0),
        ]
    }

    /// Stores the generated chats, their messages, five departments with statistics, the Rest API, trigger and webhooks.
    func load(store: SQLStore, port: Int, now: Int) async throws {
        let workload = Workload.generated(chats: chats, now: now)
        var records: [(kind: EntityKind, id: Int, document: JSONObject)] = []
        func flush() async throws {
            try await store.putBatch(records)
            records.removeAll(keepingCapacity: true)
        }
        for department in 1...5 {
            records.append((.department, department, ["name": .string("Department \(department)")]))
            records.append((.departmentStats, department, ["avg_chat_duration": .int(600 + department * 100), "avg_wait_time": 40]))
        }
        for chat in workload.chats {
            guard var document = chat.args["chat"]?.objectValue, let id = document["id"]?.intValue else { continue }
            // Derived members come from the store when a pass assembles the chat, as they would in production.
            document["last_msg"] = nil
            document["department"] = nil
            records.append((.chat, id, document))
            for message in chat.messages {
                if let object = message.objectValue, let messageID = object["id"]?.intValue { records.append((.message, messageID, object)) }
            }
            if records.count >= 5_000 { try await flush() }
        }
        try await flush()
        let api: JSONObject = [
            "name": "Receiver",
            "configuration": [
                "host": .string("http://127.0.0.1:\(port)"),
                "parameters": [
                    ["id": "lag", "name": "Lag", "method": "POST", "suburl": "/lag/{{args.chat.id}}", "body_request_type": "raw", "body_raw": "{}"]
                ],
            ],
        ]
        try await store.put(.restAPI, id: 1, document: api)
        try await store.put(
            .trigger, id: 1, document: ["name": "Lag", "actions": [["type": "restapi", "content": ["rest_api": 1, "rest_api_method": "lag"]]]])
        var webhookID = 0
        for copy in 0..<4 {
            for seed in Workload.seedWebhooks where seed.variant == "continuous_chat" {
                webhookID += 1
                var conditions = seed.conditions.arrayValue ?? []
                conditions.append(Workload.condition("{args.chat.nick}", "eq", copy == 0 ? "lag" : "lag\(copy)"))
                let webhook: JSONObject = [
                    "name": .string(seed.name), "type": 1, "event": "", "trigger_id": 1, "trigger_id_alt": 0, "disabled": false,
                    "configuration": .array(conditions), "firing": ["policy": "once", "every_seconds": 20],
                ]
                try await store.put(.webhook, id: webhookID, document: webhook)
            }
        }
    }

    /// A receiver on a free loopback port that records, per chat id in the path, when the first call arrived; the
    /// stream yields its port once it listens.
    static func receiver(logger: Logger, arrivals: Arrivals) -> (ServiceGroup, AsyncStream<Int>) {
        let router = Router()
        router.post("/lag/{id}") { _, context -> HTTPResponse.Status in
            let now = Date().timeIntervalSince1970
            if let id = context.parameters.get("id").flatMap(Int.init) {
                arrivals.times.withLock { if $0[id] == nil { $0[id] = now } }
            }
            return .ok
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger
        )
        return (ServiceGroup(configuration: .init(services: [app], logger: logger)), ports)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The resident memory once the allocator has returned the pages it holds free to the system (the workload
    /// generated for the load, and the cache's previous generation, are freed but stay resident until then).
    static func trimmedResidentMegabytes() -> Int {
        #if canImport(Glibc)
            // `malloc_trim` is glibc's; its header is not part of the Glibc module, so it is looked up by name.
            if let symbol = dlsym(nil, "malloc_trim") {
                typealias Trim = @convention(c) (Int) -> Int32
                _ = unsafeBitCast(symbol, to: Trim.self)(0)
            }
        #endif
        return residentMegabytes()
    }

    /// The process's resident memory in megabytes (Linux), or -1.
    static func residentMegabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return -1 }
        let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kilobytes / 1024
    }
}
