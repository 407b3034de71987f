import HookworkCore
import Testing

@testable import HookworkStore

/// Reserved record ids, the firing log, cancelling and replaying deliveries: what every backend must do alike.
enum DecisionStoreConformance {
    static let checks: [ConformanceCheck] = [
        ConformanceCheck("a unit of work creates a missing record from a patch, merges an existing one, and tells which events it added") {
            _, store in
            try await store.put(.chat, id: 5, document: ["id": 5, "status": 1, "nick": "Ann"])
            let first = try await store.commitReporting(
                UnitOfWork(
                    patches: [
                        RecordPatch(kind: .chat, id: 5, members: ["status": 2], createIfMissing: true),
                        RecordPatch(kind: .chat, id: 6, members: ["status": 0], createIfMissing: true),
                        RecordPatch(kind: .chat, id: 7, members: ["status": 0]),
                    ],
                    events: [
                        NewEvent(key: "k-1", name: "chat.close", args: [:], receivedAt: 100, runAt: 100),
                        NewEvent(key: "k-2", name: "chat.accept", args: [:], receivedAt: 100, runAt: 100),
                    ]),
                now: 100)
            #expect(try await store.get(.chat, id: 5) == ["id": 5, "status": 2, "nick": "Ann"])
            #expect(try await store.get(.chat, id: 6) == ["status": 0, "id": 6])
            #expect(try await store.get(.chat, id: 7) == nil, "a plain patch of a missing record creates nothing")
            #expect(first.events.count == 2 && first.events.allSatisfy { $0 != nil })
            #expect(try await store.event(key: "k-1")?.event.sequence == first.events[0])
            // A key stored before is not added again: nil in its place.
            let second = try await store.commitReporting(
                UnitOfWork(events: [
                    NewEvent(key: "k-2", name: "chat.accept", args: [:], receivedAt: 101, runAt: 101),
                    NewEvent(key: "k-3", name: "chat.accept", args: [:], receivedAt: 101, runAt: 101),
                ]),
                now: 101)
            #expect(second.events.first == .some(nil))
            #expect(second.events.last??.description == (try await store.event(key: "k-3")?.event.sequence).map(String.init))
            #expect(try await store.event(key: "k-9") == nil)
        },
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
        ConformanceCheck("cancel stops a pending or failed delivery; delivered, cancelled and held ones are refused with the reason") { _, store in
            let ids = try await store.commit(
                UnitOfWork(deliveries: [
                    DeliveryConformance.delivery("msg_a"), DeliveryConformance.delivery("msg_b"), DeliveryConformance.delivery("msg_c"),
                ]),
                now: 100)
            guard case .changed(let cancelled) = try await store.cancelDelivery(id: ids[0], now: 101) else {
                Issue.record("a pending delivery should be cancelled")
                return
            }
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.nextAttemptAt == nil)
            #expect(try await store.claimDeliveries(DeliveryClaim(limit: 10, now: 200, worker: "w", leaseSeconds: 30, ids: [ids[0]])).isEmpty)
            #expect(try await store.cancelDelivery(id: ids[0], now: 102) == .refused(cancelled, .status(.cancelled)))
            // Held by an attempt: refused until the attempt has finished.
            let claimed = try await store.claimDeliveries(DeliveryClaim(limit: 1, now: 110, worker: "w", leaseSeconds: 30, ids: [ids[1]]))
            #expect(claimed.count == 1)
            guard case .refused(_, .inFlight(until: 140)) = try await store.cancelDelivery(id: ids[1], now: 111) else {
                Issue.record("a held delivery should be refused as in flight")
                return
            }
            let done = AttemptFinish(
                deliveryID: ids[1], attempt: DeliveryConformance.attempt(1), status: .delivered, nextAttemptAt: nil, statusCode: 200, error: nil,
                now: 112)
            #expect(try await store.finishAttempt(done, followUp: UnitOfWork()))
            guard case .refused(let delivered, .status(.delivered)) = try await store.cancelDelivery(id: ids[1], now: 113) else {
                Issue.record("a delivered delivery should be refused with its status")
                return
            }
            #expect(delivered.status == .delivered)
            // A failed one (retry scheduled) can be cancelled; a missing one is not found.
            _ = try await store.claimDeliveries(DeliveryClaim(limit: 1, now: 120, worker: "w", leaseSeconds: 30, ids: [ids[2]]))
            let failed = AttemptFinish(
                deliveryID: ids[2], attempt: DeliveryConformance.attempt(1), status: .failed, nextAttemptAt: 300, statusCode: 503, error: "HTTP 503",
                now: 121)
            #expect(try await store.finishAttempt(failed, followUp: UnitOfWork()))
            guard case .changed(let stopped) = try await store.cancelDelivery(id: ids[2], now: 122) else {
                Issue.record("a failed delivery should be cancelled")
                return
            }
            #expect(stopped.status == .cancelled)
            #expect(try await store.cancelDelivery(id: 999_999, now: 122) == .notFound)
        },
        ConformanceCheck("a replay is refused while an attempt holds the delivery; after the lease, the late attempt does not overwrite it") {
            _, store in
            let ids = try await store.commit(UnitOfWork(deliveries: [DeliveryConformance.delivery("msg_r")]), now: 100)
            let id = ids[0]
            #expect(try await store.claimDeliveries(DeliveryClaim(limit: 1, now: 100, worker: "w1", leaseSeconds: 30, ids: [id])).count == 1)
            #expect(try await store.replayDelivery(id: id, now: 110) == nil, "held until 130")
            #expect(try await store.replayDeliveries(status: .pending, since: 0, until: 1000, now: 110) == 0)
            // The lease ran out while the attempt was still under way; the operator replays it.
            let replayed = try #require(try await store.replayDelivery(id: id, now: 131))
            #expect(replayed.status == .pending)
            let late = AttemptFinish(
                deliveryID: id, attempt: DeliveryConformance.attempt(1), status: .exhausted, nextAttemptAt: nil, statusCode: 400, error: "HTTP 400",
                now: 132)
            #expect(try await store.finishAttempt(late, followUp: UnitOfWork(deliveries: [DeliveryConformance.delivery("msg_follow")])) == false)
            let current = try #require(try await store.delivery(id: id))
            #expect(current.status == .pending, "the replay stands")
            #expect(current.nextAttemptAt == 131)
            #expect(try await store.deliveries(DeliveryQuery()).count == 1, "the late attempt's follow-up is not committed")
            #expect(try await store.deliveryAttempts(id: id).map(\.number) == [1], "the late attempt is still logged")
            let again = try await store.claimDeliveries(DeliveryClaim(limit: 1, now: 140, worker: "w2", leaseSeconds: 30, ids: [id]))
            #expect(again.first?.attempts == 2)
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
    .enabled(if: Backend.postgresURL != nil, "HOOKWORK_TEST_POSTGRES_URL is not set; run eval \"$(scripts/postgres.sh start)\" first")
)
struct PostgresDecisionStoreTests {
    @Test("PostgreSQL", arguments: DecisionStoreConformance.checks)
    func conformance(_ check: ConformanceCheck) async throws {
        try await TestDatabase.with(.postgres, check.run)
    }
}
