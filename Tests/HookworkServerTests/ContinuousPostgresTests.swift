import Foundation
import HookworkCore
import HookworkDelivery
import HookworkEngine
import Logging
import SQLKit
import Testing

@testable import HookworkServer
@testable import HookworkStore

/// Two schedulers, each with its own connection pool, on one PostgreSQL database: as two `serve` processes.
@Suite(
    "Continuous webhooks: two processes on one PostgreSQL database",
    .enabled(if: ProcessInfo.processInfo.environment["HOOKWORK_TEST_POSTGRES_URL"]?.isEmpty == false, "needs HOOKWORK_TEST_POSTGRES_URL")
)
struct ContinuousPostgresTests {
    let t0 = continuousStart

    @Test("`once` fires once per chat and `every` once per slot, though both processes pass at the same moments")
    func twoProcesses() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["HOOKWORK_TEST_POSTGRES_URL"])
        let schema = "hw_continuous_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        let admin = try await PostgresStore.connect(url: url, searchPath: nil, maxConnectionsPerEventLoop: 1, logger: testLogger)
        try await admin.engine.write { db in try await db.raw("CREATE SCHEMA \(ident: schema)").run() }
        @Sendable func dropSchema() async {
            try? await admin.engine.write { db in try await db.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
            try? await admin.shutdown()
        }
        do {
            try await run(url: url, schema: schema)
        } catch {
            await dropSchema()
            throw error
        }
        await dropSchema()
    }

    func run(url: String, schema: String) async throws {
        try await Receiver.with { receiver, port in
            let sender = AsyncHTTPSender(logger: testLogger, addressPolicy: loopbackAllowed)
            var stores: [SQLStore] = []
            do {
                for _ in 0..<2 {
                    let store = try await PostgresStore.connect(url: url, searchPath: [schema], maxConnectionsPerEventLoop: 4, logger: testLogger)
                    try await store.migrate()
                    stores.append(store)
                }
                let first = stores[0]
                try await first.put(.restAPI, id: 1, document: try object(Fixture.restAPI(port: port)))
                try await first.put(.trigger, id: 1, document: try object(Fixture.trigger))
                try await first.put(.trigger, id: 2, document: try object(Fixture.alternativeTrigger))
                let validator = ConfigurationValidator(store: first)
                // Webhook 1: once, on active chats; webhook 2: every 20 s (default), alternative on the same chats.
                let active = "[" + compare("{args.chat.status}", "eq", "1") + "]"
                _ = try await first.insert(
                    .webhook, document: try await validator.webhook(try object(continuousWebhook(active, firing: #"{"policy":"once"}"#))))
                let pending = "[" + compare("{args.chat.status}", "eq", "0") + "]"
                _ = try await first.insert(.webhook, document: try await validator.webhook(try object(continuousWebhook(pending, alternative: 2))))
                for id in 1...20 { try await first.put(.chat, id: id, document: ["status": 1]) }
                // Each process commits its firings' calls with the ledger claims and attempts them at once.
                let engines = stores.map { makeCommandEngine(configuration: HookworkConfiguration(), store: $0, sender: sender, logger: testLogger) }
                let decided = [DecidedCalls(), DecidedCalls()]
                let schedulers = (0..<2).map { index in
                    ContinuousScheduler(
                        store: stores[index], executor: engines[index].executor, clock: ManualClock(t0), logger: testLogger,
                        deliverNow: { decided[index].add($0) })
                }
                func bothPass(at time: Int) async throws -> [String] {
                    let before = receiver.requests.count
                    async let a = schedulers[0].runPass(now: time)
                    async let b = schedulers[1].runPass(now: time)
                    _ = try await (a, b)
                    for index in 0..<2 { _ = await engines[index].attempter.attemptNow(ids: decided[index].take(), worker: "process-\(index)") }
                    return receiver.requests.dropFirst(before).map { String($0.path.split(separator: "?").first ?? "") }.sorted()
                }
                let chats = (1...20).map { "/closed/\($0)" }.sorted()
                let alternatives = (1...20).map { "/not-closed/\($0)" }.sorted()
                #expect(try await bothPass(at: t0) == (chats + alternatives).sorted())
                #expect(try await bothPass(at: t0 + 5) == [])
                #expect(try await bothPass(at: t0 + 20) == alternatives)
                #expect(try await bothPass(at: t0 + 39) == [])
                #expect(try await first.firingLedger(webhookID: 1).count == 20)
            } catch {
                for store in stores { try? await store.shutdown() }
                try? await sender.shutdown()
                throw error
            }
            for store in stores { try await store.shutdown() }
            try await sender.shutdown()
        }
    }
}
