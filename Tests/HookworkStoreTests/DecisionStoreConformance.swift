import HookworkCore
import Testing

@testable import HookworkStore

/// Reserved record ids, the firing log, cancelling and replaying deliveries: what every backend must do alike.
enum DecisionStoreConformance {
    static let checks: [ConformanceCheck] = [
        ConformanceCheck("a reserved id is never handed out again, and a record put under it in a unit of work is stored") { _, store in
            let first = try await store.insert(.message, document: ["chat_id": 7, "msg": "a"])
            let reserved = try await store.reserveID(.message)
            #expect(reserved > first)
            let next = try await store.insert(.message, document: ["chat_id": 7, "msg": "b"])
            #expect(next > reserved, "insert skips the reserved id")
            _ = try await store.commit(
                UnitOfWork(puts: [RecordPut(kind: .message, id: reserved, document: ["id": .int(reserved), "chat_id": 7, "msg": "c"])]), now: 100)
            #expect(try await store.get(.message, id: reserved)?["msg"] == "c")
            #expect(try await store.reserveID(.message) > next)
        },
        ConformanceCheck("the firing log is written with its unit of work, counted per bucket, kept with a lost claim out, and purged") { _, store in
            var work = UnitOfWork()
            work.firings = [
                FiringLogEntry(source: .hook, webhookID: 1, triggerID: 1, firedAt: 10),
                FiringLogEntry(source: .continuousChat, webhookID: 2, triggerID: 1, firedAt: 150),
                FiringLogEntry(source: .continuousMail, webhookID: 3, triggerID: 2, firedAt: 160),
            ]
            _ = try await store.commit(work, now: 160)
            // A firing whose ledger claim is lost writes no log row.
            #expect(try await store.claimFiring(webhookID: 2, chatID: 7, branch: .trigger, everySeconds: nil, now: 200))
            var lost = UnitOfWork()
            lost.claims = [.firing(webhookID: 2, chatID: 7, branch: .trigger, everySeconds: nil)]
            lost.firings = [FiringLogEntry(source: .continuousChat, webhookID: 2, triggerID: 1, firedAt: 210)]
            await #expect(throws: StoreError.self) { _ = try await store.commit(lost, now: 210) }
            #expect(try await store.activity(start: 0, bucketSeconds: 100, count: 3).map(\.firings) == [1, 2, 0])
            #expect(try await store.purgeFirings(before: 150) == 1)
            #expect(try await store.activity(start: 0, bucketSeconds: 100, count: 3).map(\.firings) == [0, 2, 0])
        },
    ]
}

@Suite("Decision store on SQLite (a temporary file)")
struct SQLiteDecisionStoreTests {
    @Test("SQLite", arguments: DecisionStoreConformance.checks)
    func conformance(_ check: ConformanceCheck) async throws {
        try await TestDatabase.with(.sqlite, check.run)
    }
}

@Suite(
    "Decision store on PostgreSQL",
    .enabled(if: Backend.postgresURL != nil, "HOOKWORK_TEST_POSTGRES_URL is not set; run eval \"$(.ci/postgres.sh start)\" first")
)
struct PostgresDecisionStoreTests {
    @Test("PostgreSQL", arguments: DecisionStoreConformance.checks)
    func conformance(_ check: ConformanceCheck) async throws {
        try await TestDatabase.with(.postgres, check.run)
    }
}
