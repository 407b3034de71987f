import HookworkCore
import Testing

@testable import HookworkStore

/// The outbox behaviours every backend must have: units of work, claims, the attempt log, replay and retention.
enum DeliveryConformance {
    static func delivery(_ messageID: String, host: String = "127.0.0.1:9000", chat: Int? = 7) -> NewDelivery {
        NewDelivery(
            messageID: messageID, kind: .restapi, method: "POST", url: "http://\(host)/x", host: host,
            payload: .object(JSONObject([("request", .object(JSONObject([("url", .string("http://\(host)/x"))])))])),
            context: JSONObject([("webhook_id", .int(3))]), webhookID: 3, triggerID: 1, chatID: chat, restAPIID: 1
        )
    }

    static func attempt(_ number: Int) -> DeliveryAttemptRecord {
        DeliveryAttemptRecord(
            number: number, startedAt: 100, durationMilliseconds: 3, request: .object(JSONObject([("method", "POST")])),
            response: .object(JSONObject([("status", 503)])), error: "HTTP 503"
        )
    }

    static func checkLeases(store: SQLStore, other: SQLStore, ids: [Int]) async throws {
        #expect(
            try await other.claimDeliveries(DeliveryClaim(limit: 10, now: 110, worker: "w2", leaseSeconds: 30, onlyHost: "127.0.0.1:9000")).isEmpty)
        // The lease ran out (the first worker died): the next claim makes attempt 2.
        let second = try await other.claimDeliveries(DeliveryClaim(limit: 10, now: 131, worker: "w2", leaseSeconds: 30, onlyHost: "127.0.0.1:9000"))
        #expect(second.first?.attempts == 2)
        // The stale attempt 1 is logged but does not move the delivery.
        let stale = AttemptFinish(
            deliveryID: ids[0], attempt: attempt(1), status: .delivered, nextAttemptAt: nil, statusCode: 200, error: nil, now: 132)
        #expect(try await store.finishAttempt(stale, followUp: UnitOfWork()) == false)
        let failed = AttemptFinish(
            deliveryID: ids[0], attempt: attempt(2), status: .failed, nextAttemptAt: 200, statusCode: 503, error: "HTTP 503", now: 133)
        #expect(try await other.finishAttempt(failed, followUp: UnitOfWork(deliveries: [delivery("msg_follow", host: "follow:80")])) == true)
        let record = try #require(try await store.delivery(id: ids[0]))
        #expect(record.status == .failed)
        #expect(record.nextAttemptAt == 200)
        #expect(record.lastStatusCode == 503)
        #expect(try await store.deliveryAttempts(id: ids[0]).map(\.number) == [1, 2])
        #expect(try await store.deliveries(DeliveryQuery()).count == 3, "the follow-up call was committed with the outcome")
        #expect(
            try await store.claimDeliveries(DeliveryClaim(limit: 10, now: 150, worker: "w1", leaseSeconds: 30, onlyHost: "127.0.0.1:9000")).isEmpty)
        #expect(
            try await store.claimDeliveries(DeliveryClaim(limit: 10, now: 200, worker: "w1", leaseSeconds: 30, onlyHost: "127.0.0.1:9000")).first?
                .attempts == 3)
    }

    static let checks: [ConformanceCheck] = [
        ConformanceCheck("a unit of work completes the event and records its calls together; a failing part writes nothing") { _, store in
            let sequence = try StoreConformance.sequence(
                of: try await store.enqueueEvent(key: "e1", name: "chat.close", args: .object(JSONObject()), receivedAt: 100, runAt: 100))
            let bad = UnitOfWork(completedEvent: (sequence + 99, .object(JSONObject())), deliveries: [delivery("msg_a")])
            await #expect(throws: StoreError.self) { try await store.commit(bad, now: 100) }
            #expect(try await store.deliveries(DeliveryQuery()).isEmpty, "the calls of a failed unit of work are not recorded")
            let work = UnitOfWork(
                completedEvent: (sequence, .object(JSONObject([("done", true)]))),
                puts: [RecordPut(kind: .chat, id: 7, document: JSONObject([("nick", "Ann")]))],
                patches: [RecordPatch(kind: .chat, id: 7, members: JSONObject([("status", 2)]))],
                events: [NewEvent(key: "raised-1", name: "chat.custom", args: .object(JSONObject()), receivedAt: 100, runAt: 100)],
                deliveries: [delivery("msg_a"), delivery("msg_b")]
            )
            let ids = try await store.commit(work, now: 100)
            #expect(ids.count == 2)
            #expect(try await store.event(sequence: sequence)?.outcome == .object(JSONObject([("done", true)])))
            #expect(try await store.get(.chat, id: 7) == JSONObject([("id", 7), ("nick", "Ann"), ("status", 2)]))
            let raised = try await store.enqueueEvent(key: "raised-1", name: "x", args: .null, receivedAt: 1, runAt: 1)
            guard case .duplicate = raised else {
                Issue.record("the raised event was not queued by the unit of work: \(raised)")
                return
            }
            // The same decision committed again (a re-run after a crash) records its calls once.
            let again = try await store.commit(UnitOfWork(deliveries: [delivery("msg_a"), delivery("msg_b")]), now: 101)
            #expect(again == ids)
            #expect(try await store.deliveries(DeliveryQuery()).count == 2)
        },
        ConformanceCheck("claims number attempts; an open lease keeps others out; finishing logs the attempt and sets the state") { database, store in
            let ids = try await store.commit(UnitOfWork(deliveries: [delivery("msg_a"), delivery("msg_b", host: "10.0.0.1:80")]), now: 100)
            let first = try await store.claimDeliveries(
                DeliveryClaim(limit: 10, now: 100, worker: "w1", leaseSeconds: 30, excludedHosts: ["10.0.0.1:80"]))
            #expect(first.map(\.id) == [ids[0]], "an excluded host is not claimed")
            #expect(first.first?.attempts == 1)
            let other = try await database.open()
            do {
                try await checkLeases(store: store, other: other, ids: ids)
            } catch {
                try? await other.shutdown()
                throw error
            }
            try await other.shutdown()
        },
        ConformanceCheck("a released claim gives its attempt number back to the next claim") { _, store in
            let ids = try await store.commit(UnitOfWork(deliveries: [delivery("msg_a"), delivery("msg_b")]), now: 100)
            let claimed = try await store.claimDeliveries(DeliveryClaim(limit: 2, now: 100, worker: "w1", leaseSeconds: 60))
            #expect(claimed.map(\.attempts) == [1, 1])
            try await store.releaseDeliveries(ids: [ids[1]], worker: "other")
            #expect(
                try await store.claimDeliveries(DeliveryClaim(limit: 2, now: 100, worker: "w2", leaseSeconds: 60)).isEmpty, "only the holder releases"
            )
            try await store.releaseDeliveries(ids: [ids[1]], worker: "w1")
            let again = try await store.claimDeliveries(DeliveryClaim(limit: 2, now: 100, worker: "w2", leaseSeconds: 60))
            #expect(again.map(\.id) == [ids[1]])
            #expect(again.first?.attempts == 1)
        },
        ConformanceCheck("postponing a host moves its unheld due calls, not the held ones or other hosts") { _, store in
            let ids = try await store.commit(
                UnitOfWork(deliveries: [delivery("msg_a"), delivery("msg_b"), delivery("msg_c", host: "other:80")]), now: 100
            )
            _ = try await store.claimDeliveries(DeliveryClaim(limit: 1, now: 100, worker: "w", leaseSeconds: 60, ids: [ids[0]]))
            #expect(try await store.postponeDeliveries(host: "127.0.0.1:9000", until: 130, now: 101) == 1)
            #expect(try await store.delivery(id: ids[1])?.nextAttemptAt == 130)
            #expect(try await store.delivery(id: ids[2])?.nextAttemptAt == 100)
            #expect(try await store.claimDeliveries(DeliveryClaim(limit: 5, now: 120, worker: "w2", leaseSeconds: 60)).map(\.id) == [ids[2]])
        },
        ConformanceCheck("two handles claiming at once never get the same attempt of the same delivery") { database, store in
            let deliveries = (0..<60).map { delivery("msg_\($0)") }
            _ = try await store.commit(UnitOfWork(deliveries: deliveries), now: 100)
            let other = try await database.open()
            let claims = try await withThrowingTaskGroup(of: [String].self) { group in
                for (index, handle) in [store, other, store, other].enumerated() {
                    group.addTask {
                        var got: [String] = []
                        while true {
                            let claimed = try await handle.claimDeliveries(DeliveryClaim(limit: 3, now: 100, worker: "w\(index)", leaseSeconds: 60))
                            if claimed.isEmpty { return got }
                            got += claimed.map { "\($0.id)#\($0.attempts)" }
                        }
                    }
                }
                var all: [String] = []
                for try await part in group { all += part }
                return all
            }
            try await other.shutdown()
            #expect(claims.count == 60)
            #expect(Set(claims).count == 60)
        },
        ConformanceCheck("410 stops the host's retries; replay makes one more attempt; purge deletes old delivered records") { _, store in
            let ids = try await store.commit(
                UnitOfWork(deliveries: [delivery("msg_a"), delivery("msg_b"), delivery("msg_c", host: "other:80")]), now: 100)
            for id in ids.prefix(2) {
                _ = try await store.claimDeliveries(DeliveryClaim(limit: 1, now: 100, worker: "w", leaseSeconds: 30, ids: [id]))
            }
            let failedB = AttemptFinish(
                deliveryID: ids[1], attempt: attempt(1), status: .failed, nextAttemptAt: 300, statusCode: 503, error: "HTTP 503", now: 101)
            _ = try await store.finishAttempt(failedB, followUp: UnitOfWork())
            let gone = AttemptFinish(
                deliveryID: ids[0], attempt: attempt(1), status: .exhausted, nextAttemptAt: nil, statusCode: 410, error: "HTTP 410", now: 102,
                disableHost: "127.0.0.1:9000"
            )
            _ = try await store.finishAttempt(gone, followUp: UnitOfWork())
            #expect(try await store.disabledHosts().map(\.host) == ["127.0.0.1:9000"])
            #expect(try await store.delivery(id: ids[1])?.status == .exhausted, "a scheduled retry to the gone host is cancelled")
            #expect(try await store.deliveries(DeliveryQuery(status: .exhausted)).count == 2)
            #expect(try await store.activity(start: 0, bucketSeconds: 100, count: 3).map(\.failed) == [0, 2, 0])
            #expect(try await store.replayDeliveries(status: .exhausted, since: 0, until: 1000, now: 150) == 2)
            let replayed = try #require(try await store.delivery(id: ids[0]))
            #expect(replayed.status == .pending)
            #expect(replayed.oneShot)
            let claimed = try await store.claimDeliveries(DeliveryClaim(limit: 1, now: 150, worker: "w", leaseSeconds: 30, ids: [ids[0]]))
            #expect(claimed.first?.attempts == 2)
            let done = AttemptFinish(
                deliveryID: ids[0], attempt: attempt(2), status: .delivered, nextAttemptAt: nil, statusCode: 200, error: nil, now: 160)
            #expect(try await store.finishAttempt(done, followUp: UnitOfWork()))
            #expect(try await store.purgeDeliveries(deliveredBefore: 160) == 0)
            #expect(try await store.purgeDeliveries(deliveredBefore: 161) == 1)
            #expect(try await store.delivery(id: ids[0]) == nil)
            #expect(try await store.deliveryAttempts(id: ids[0]).isEmpty)
            let page = try await store.deliveries(DeliveryQuery(chatID: 7, limit: 1))
            #expect(page.map(\.id) == [ids[2]])
            #expect(try await store.deliveries(DeliveryQuery(chatID: 7, beforeID: ids[2], limit: 5)).map(\.id) == [ids[1]])
        },
    ]
}

@Suite("Delivery store on SQLite (a temporary file)")
struct SQLiteDeliveryStoreTests {
    @Test("SQLite", arguments: DeliveryConformance.checks)
    func conformance(_ check: ConformanceCheck) async throws {
        try await TestDatabase.with(.sqlite, check.run)
    }
}

@Suite(
    "Delivery store on PostgreSQL",
    .enabled(if: Backend.postgresURL != nil, "HOOKWORK_TEST_POSTGRES_URL is not set; run eval \"$(scripts/postgres.sh start)\" first")
)
struct PostgresDeliveryStoreTests {
    @Test("PostgreSQL", arguments: DeliveryConformance.checks)
    func conformance(_ check: ConformanceCheck) async throws {
        try await TestDatabase.with(.postgres, check.run)
    }
}
