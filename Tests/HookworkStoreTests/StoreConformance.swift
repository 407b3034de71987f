import HookworkCore
import SQLKit
import Testing

@testable import HookworkStore

/// One behaviour every `Store` must have. The same list runs on every backend (STYLE habit 6).
struct ConformanceCheck: Sendable, CustomTestStringConvertible {
    let name: String
    let run: @Sendable (TestDatabase, SQLStore) async throws -> Void

    init(_ name: String, _ run: @escaping @Sendable (TestDatabase, SQLStore) async throws -> Void) {
        self.name = name
        self.run = run
    }

    var testDescription: String { name }
}

/// The conformance suite: records, batches, the event queue, tokens, migrations and reopening.
enum StoreConformance {
    static let checks: [ConformanceCheck] = records + batches + events + parking + tokens + versions + lifecycle

    static let records: [ConformanceCheck] = [
        ConformanceCheck("a stored record reads back exactly, unknown members and their order included") { _, store in
            let chat = object([
                "id": 7, "status": 1, "nick": "Ann \"the\" tester\n\\ ü 😀", "custom_field": ["nested": [1, 2.5, "x", nil, true]],
                "score": 1.0, "big": 12_345_678_901, "empty": [:], "list": [],
            ])
            try await store.put(.chat, id: 7, document: chat)
            #expect(try await store.get(.chat, id: 7) == chat)
            let stored = try #require(try await store.get(.chat, id: 7))
            #expect(stored["score"] == .double(1.0), "a float stays a float")
            #expect(stored["big"] == .int(12_345_678_901), "an integer stays an integer")
        },
        ConformanceCheck("put sets the id member, replaces the whole record, and kinds do not share ids") { _, store in
            try await store.put(.chat, id: 3, document: object(["nick": "a", "status": 0]))
            #expect(try await store.get(.chat, id: 3) == object(["id": 3, "nick": "a", "status": 0]))
            try await store.put(.chat, id: 3, document: object(["id": 99, "status": 2]))
            #expect(try await store.get(.chat, id: 3) == object(["id": 3, "status": 2]), "the path id wins and old members go")
            try await store.put(.message, id: 3, document: object(["chat_id": 3, "msg": "hi"]))
            #expect(try await store.get(.chat, id: 3)?["msg"] == nil)
            #expect(try await store.get(.message, id: 3)?["msg"] == "hi")
            #expect(try await store.get(.chat, id: 4) == nil)
        },
        ConformanceCheck("patch merges top-level members, returns the result, and nil for a missing record") { _, store in
            try await store.put(.chat, id: 1, document: object(["id": 1, "status": 0, "nick": "a", "chat_variables": ["x": 1]]))
            let patched = try await store.patch(.chat, id: 1, with: object(["status": 2, "chat_variables": ["y": 2], "new": "n"]))
            let expected = object(["id": 1, "status": 2, "nick": "a", "chat_variables": ["y": 2], "new": "n"])
            #expect(patched == expected)
            #expect(try await store.get(.chat, id: 1) == expected)
            #expect(try await store.patch(.chat, id: 2, with: object(["status": 1])) == nil)
            #expect(try await store.get(.chat, id: 2) == nil, "patch does not create")
            #expect(ids(try await store.list(.chat, query: EntityQuery(statuses: [2]))) == [1], "the indexed status follows the patch")
        },
        ConformanceCheck("the configuration revision moves on every write of a webhook, trigger or Rest API, and on no other") { _, store in
            #expect(try await store.configurationRevision() == 0)
            try await store.put(.chat, id: 1, document: object(["status": 0]))
            try await store.put(.message, id: 1, document: object(["chat_id": 1, "msg": "hi"]))
            #expect(try await store.configurationRevision() == 0, "state is not configuration")
            var seen = [0]
            func moved() async throws -> Bool {
                let revision = try await store.configurationRevision()
                defer { seen.append(revision) }
                return revision > seen.last!
            }
            let webhook = try await store.insert(.webhook, document: object(["name": "w", "type": 0]))
            #expect(try await moved(), "insert")
            try await store.put(.trigger, id: 4, document: object(["name": "t", "actions": []]))
            #expect(try await moved(), "put")
            _ = try await store.patch(.webhook, id: webhook, with: object(["disabled": true]))
            #expect(try await moved(), "patch")
            try await store.putBatch([(kind: .restAPI, id: 2, document: object(["name": "api"]))])
            #expect(try await moved(), "batch")
            #expect(try await store.delete(.trigger, id: 4))
            #expect(try await moved(), "delete")
            try await store.put(.chat, id: 1, document: object(["status": 1]))
            #expect(try await moved() == false, "a chat write after them")
        },
        ConformanceCheck("delete removes a record and reports whether there was one") { _, store in
            try await store.put(.department, id: 5, document: object(["name": "Sales"]))
            #expect(try await store.delete(.department, id: 5))
            #expect(try await store.get(.department, id: 5) == nil)
            #expect(try await store.delete(.department, id: 5) == false)
        },
        ConformanceCheck("insert numbers records per kind, above explicit ids, never reusing a deleted id") { _, store in
            #expect(try await store.insert(.webhook, document: object(["event": "chat.close"])) == 1)
            #expect(try await store.insert(.webhook, document: object(["event": "chat.close"])) == 2)
            #expect(try await store.get(.webhook, id: 2)?["id"] == 2)
            try await store.put(.webhook, id: 10, document: object(["event": "x"]))
            #expect(try await store.insert(.webhook, document: object([:])) == 11)
            #expect(try await store.delete(.webhook, id: 11))
            #expect(try await store.insert(.webhook, document: object([:])) == 12)
            #expect(try await store.insert(.trigger, document: object(["name": "t"])) == 1, "each kind counts on its own")
        },
        ConformanceCheck("concurrent inserts get distinct ids") { _, store in
            let created = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<40 {
                    group.addTask { try await store.insert(.message, document: object(["chat_id": 1, "msg": .string("m\(index)")])) }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(created.sorted() == Array(1...40))
            #expect(try await store.list(.message, query: EntityQuery(chatID: 1)).count == 40)
        },
        ConformanceCheck("concurrent writes that fail, fail alone: the others beside them are stored") { _, store in
            // On SQLite these land in shared group-commit transactions; a refused write must not take the rest along.
            let outcomes = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                for index in 1...20 {
                    group.addTask { ("token", (try? await store.addToken(secretHash: "dup", scope: "admin", name: "t\(index)", now: 1)) != nil) }
                    group.addTask {
                        let batch: [(kind: EntityKind, id: Int, document: JSONObject)] = [
                            (kind: .chat, id: 100 + index, document: object(["status": 1])),
                            (kind: .chat, id: 0, document: object([:])),
                        ]
                        return ("batch", (try? await store.putBatch(batch)) != nil)
                    }
                    group.addTask {
                        try await store.put(.chat, id: index, document: object(["status": 0]))
                        return ("put", true)
                    }
                    group.addTask {
                        _ = try await store.insert(.message, document: object(["chat_id": .int(index), "msg": "m"]))
                        return ("insert", true)
                    }
                }
                return try await group.reduce(into: [String: Int]()) { counts, outcome in
                    if outcome.1 { counts[outcome.0, default: 0] += 1 }
                }
            }
            #expect(outcomes["token"] == 1, "one of twenty tokens with one hash is stored")
            #expect(outcomes["batch"] == nil, "every batch with a bad record fails")
            #expect(try await store.tokenCount() == 1)
            #expect(ids(try await store.list(.chat, query: EntityQuery())) == Array(1...20), "failed batches left no record")
            #expect(try await store.list(.message, query: EntityQuery()).count == 20)
        },
        ConformanceCheck("list filters by status, chat, conversation, id and orders and limits") { _, store in
            for id in 1...6 {
                try await store.put(.chat, id: id, document: object(["status": .int(id % 3), "dep_id": 1]))
            }
            try await store.put(.chat, id: 7, document: object(["nick": "no status counts as 0"]))
            try await store.put(.chat, id: 8, document: object(["status": "1"]))
            #expect(ids(try await store.list(.chat, query: EntityQuery())) == [1, 2, 3, 4, 5, 6, 7, 8])
            #expect(ids(try await store.list(.chat, query: EntityQuery(statuses: [0]))) == [3, 6, 7])
            #expect(ids(try await store.list(.chat, query: EntityQuery(statuses: [1, 2]))) == [1, 2, 4, 5, 8])
            #expect(ids(try await store.list(.chat, query: EntityQuery(statuses: []))) == [])
            #expect(ids(try await store.list(.chat, query: EntityQuery(afterID: 5))) == [6, 7, 8])
            #expect(ids(try await store.list(.chat, query: EntityQuery(newestFirst: true, limit: 3))) == [8, 7, 6])
            #expect(ids(try await store.list(.chat, query: EntityQuery(statuses: [1], afterID: 1, limit: 1))) == [4])

            for id in 1...5 {
                try await store.put(.message, id: id, document: object(["chat_id": .int(id <= 3 ? 10 : 20), "msg": "m"]))
            }
            #expect(ids(try await store.list(.message, query: EntityQuery(chatID: 10))) == [1, 2, 3])
            #expect(ids(try await store.list(.message, query: EntityQuery(chatID: 20, newestFirst: true))) == [5, 4])
            #expect(ids(try await store.list(.message, query: EntityQuery(chatID: 30))) == [])

            try await store.put(.mailMessage, id: 1, document: object(["conversation_id": 4, "status": 0]))
            try await store.put(.mailMessage, id: 2, document: object(["conversation_id": "5", "status": 1]))
            try await store.put(.mailMessage, id: 3, document: object(["conversation_id": 4, "status": 1]))
            #expect(ids(try await store.list(.mailMessage, query: EntityQuery(conversationID: 4))) == [1, 3])
            #expect(ids(try await store.list(.mailMessage, query: EntityQuery(statuses: [1], conversationID: 4))) == [3])
            #expect(ids(try await store.list(.mailMessage, query: EntityQuery(conversationID: 5))) == [2], "a numeric string is indexed as a number")
            #expect(try await store.list(.department, query: EntityQuery()).isEmpty)
        },
        ConformanceCheck("a record that cannot be stored is refused with code invalid") { _, store in
            let badID = await #expect(throws: StoreError.self) { try await store.put(.chat, id: 0, document: object([:])) }
            #expect(badID?.code == "invalid")
            let badNumber = await #expect(throws: StoreError.self) { try await store.put(.chat, id: 1, document: object(["x": .double(.nan)])) }
            #expect(badNumber?.code == "invalid")
            let nothing = try await store.get(.chat, id: 1)
            #expect(nothing == nil)
        },
    ]

    static let batches: [ConformanceCheck] = [
        ConformanceCheck("putBatch writes every record") { _, store in
            try await store.putBatch([
                (kind: .chat, id: 1, document: object(["status": 1])),
                (kind: .message, id: 1, document: object(["chat_id": 1, "msg": "hi"])),
                (kind: .chat, id: 2, document: object(["status": 0])),
                (kind: .chat, id: 1, document: object(["status": 2])),
            ])
            #expect(try await store.get(.chat, id: 1) == object(["id": 1, "status": 2]), "a later record of a batch wins")
            #expect(try await store.get(.message, id: 1)?["msg"] == "hi")
            #expect(ids(try await store.list(.chat, query: EntityQuery())) == [1, 2])
        },
        ConformanceCheck("putBatch with a bad record writes nothing") { _, store in
            try await store.put(.chat, id: 1, document: object(["status": 0, "nick": "before"]))
            await #expect(throws: StoreError.self) {
                try await store.putBatch([
                    (kind: .chat, id: 1, document: object(["status": 1, "nick": "after"])),
                    (kind: .chat, id: 2, document: object(["status": 1])),
                    (kind: .chat, id: -3, document: object(["status": 1])),
                ])
            }
            #expect(try await store.get(.chat, id: 1)?["nick"] == "before")
            #expect(try await store.get(.chat, id: 2) == nil)
            await #expect(throws: StoreError.self) {
                try await store.putBatch([
                    (kind: .chat, id: 3, document: object(["status": 1])),
                    (kind: .chat, id: 4, document: object(["score": .double(.infinity)])),
                ])
            }
            #expect(ids(try await store.list(.chat, query: EntityQuery())) == [1])
        },
    ]

    static let events: [ConformanceCheck] = [
        ConformanceCheck("an event with a known key is a duplicate of the first and writes nothing") { _, store in
            let first = try await store.enqueueEvent(key: "evt-1", name: "chat.close", args: ["chat": ["id": 1]], receivedAt: 100, runAt: 100)
            guard case .accepted(let sequence) = first else {
                Issue.record("the first enqueue was not accepted: \(first)")
                return
            }
            let second = try await store.enqueueEvent(key: "evt-1", name: "chat.other", args: ["chat": ["id": 2]], receivedAt: 101, runAt: 101)
            #expect(second == .duplicate(sequence: sequence))
            let stored = try #require(try await store.event(sequence: sequence))
            #expect(
                stored.event
                    == StoredEvent(sequence: sequence, key: "evt-1", name: "chat.close", args: ["chat": ["id": 1]], receivedAt: 100, runAt: 100))
            #expect(stored.outcome == nil)
            let claimed = try await store.claimEvents(limit: 10, now: 200, worker: "w", leaseSeconds: 30)
            #expect(claimed.map(\.sequence) == [sequence], "the duplicate added no event")
        },
        ConformanceCheck("events without a key are all accepted, in sequence") { _, store in
            var sequences: [Int] = []
            for index in 0..<3 {
                let result = try await store.enqueueEvent(key: nil, name: "chat.addmsguser", args: ["n": .int(index)], receivedAt: 1, runAt: 1)
                guard case .accepted(let sequence) = result else {
                    Issue.record("a keyless event was not accepted: \(result)")
                    return
                }
                sequences.append(sequence)
            }
            #expect(sequences == sequences.sorted() && Set(sequences).count == 3)
            #expect(try await store.event(sequence: sequences[2])?.event.args == ["n": 2])
            #expect(try await store.event(sequence: 9999) == nil)
        },
        ConformanceCheck("concurrent enqueues of one key accept exactly one") { _, store in
            let results = try await withThrowingTaskGroup(of: EnqueueResult.self) { group in
                for _ in 0..<20 { group.addTask { try await store.enqueueEvent(key: "same", name: "e", args: nil, receivedAt: 1, runAt: 1) } }
                return try await group.reduce(into: [EnqueueResult]()) { $0.append($1) }
            }
            let accepted = results.compactMap { if case .accepted(let sequence) = $0 { sequence } else { nil } }
            let duplicates = results.compactMap { if case .duplicate(let sequence) = $0 { sequence } else { nil } }
            #expect(accepted.count == 1)
            #expect(duplicates.count == 19 && Set(duplicates) == Set(accepted))
        },
        ConformanceCheck("a claim leases due events in order; the lease expires; complete ends them") { _, store in
            let early = try await sequence(of: store.enqueueEvent(key: "a", name: "e1", args: [:], receivedAt: 1000, runAt: 1000))
            let later = try await sequence(of: store.enqueueEvent(key: "b", name: "e2", args: [:], receivedAt: 1000, runAt: 1000))
            let future = try await sequence(of: store.enqueueEvent(key: "c", name: "e3", args: [:], receivedAt: 1000, runAt: 5000))

            let first = try await store.claimEvents(limit: 10, now: 1000, worker: "w1", leaseSeconds: 30)
            #expect(first.map(\.sequence) == [early, later], "due events in sequence order, not the future one")
            #expect(first.map(\.attempts) == [1, 1])
            #expect(
                try await store.claimEvents(limit: 10, now: 1029, worker: "w2", leaseSeconds: 30).isEmpty, "leased events are not handed out again")

            try await store.completeEvent(sequence: early, outcome: ["webhooks": 2, "ok": true], now: 1010)
            let afterExpiry = try await store.claimEvents(limit: 10, now: 1030, worker: "w2", leaseSeconds: 30)
            #expect(afterExpiry.map(\.sequence) == [later], "an expired lease returns the event; a completed one stays done")
            #expect(afterExpiry.first?.attempts == 2)

            let done = try #require(try await store.event(sequence: early))
            #expect(done.outcome == ["webhooks": 2, "ok": true])
            #expect(try await store.event(sequence: later)?.outcome == nil)
            try await store.completeEvent(sequence: later, outcome: nil, now: 1040)
            #expect(try await store.event(sequence: later)?.outcome == .null, "a null outcome still marks the event done")

            #expect(try await store.claimEvents(limit: 10, now: 4999, worker: "w3", leaseSeconds: 30).isEmpty)
            #expect(try await store.claimEvents(limit: 10, now: 5000, worker: "w3", leaseSeconds: 30).map(\.sequence) == [future])
            #expect(try await store.claimEvents(limit: 0, now: 9000, worker: "w3", leaseSeconds: 30).isEmpty)

            let missing = await #expect(throws: StoreError.self) { try await store.completeEvent(sequence: 424242, outcome: nil, now: 1) }
            #expect(missing?.code == "not_found")
        },
        ConformanceCheck("concurrent claimers in two processes never get the same event") { database, store in
            let total = 300
            for index in 0..<total {
                _ = try await store.enqueueEvent(key: "k\(index)", name: "chat.close", args: ["i": .int(index)], receivedAt: 1, runAt: 1)
            }
            // A second handle on the same database stands in for a second process.
            let other = try await database.open()
            let claimedBy = try await closing(other) {
                try await withThrowingTaskGroup(of: [Int].self) { group in
                    for claimer in 0..<8 {
                        let handle = claimer.isMultiple(of: 2) ? store : other
                        group.addTask {
                            var mine: [Int] = []
                            while true {
                                let batch = try await handle.claimEvents(limit: 7, now: 10, worker: "worker-\(claimer)", leaseSeconds: 600)
                                if batch.isEmpty { return mine }
                                for event in batch {
                                    mine.append(event.sequence)
                                    try await handle.completeEvent(sequence: event.sequence, outcome: .string("worker-\(claimer)"), now: 10)
                                }
                            }
                        }
                    }
                    return try await group.reduce(into: [[Int]]()) { $0.append($1) }
                }
            }
            let all = claimedBy.flatMap { $0 }
            #expect(all.count == total, "each event claimed exactly once")
            #expect(Set(all).count == total, "no event claimed twice")
            #expect(claimedBy.filter { !$0.isEmpty }.count > 1, "the work was shared")
        },
    ]

    static let parking: [ConformanceCheck] = [
        ConformanceCheck("a parked event is done with its reason, listed, and replayed once as a fresh claim") { _, store in
            guard
                case .accepted(let first) = try await store.enqueueEvent(
                    key: "p1", name: "chat.close", args: .object(JSONObject()), receivedAt: 100, runAt: 100),
                case .accepted(let second) = try await store.enqueueEvent(
                    key: nil, name: "chat.open", args: .object(JSONObject()), receivedAt: 100, runAt: 100)
            else { Issue.record("not accepted"); return }
            let claimed = try await store.claimEvents(limit: 10, now: 200, worker: "w", leaseSeconds: 30)
            #expect(claimed.map(\.attempts) == [1, 1])
            try await store.parkEvent(sequence: first, reason: "crashed", attempts: 4, now: 210)
            #expect(try await store.event(sequence: first)?.outcome == ParkedEvent.outcome(reason: "crashed", attempts: 4))
            let parked = try await store.parkedEvents(afterSequence: 0, limit: 10)
            #expect(parked.map(\.event.sequence) == [first])
            #expect(parked.first?.reason == "crashed" && parked.first?.parkedAt == 210)
            #expect(try await store.parkedEventCount() == 1)
            #expect(
                try await store.claimEvents(limit: 10, now: 300, worker: "w", leaseSeconds: 1_000).map(\.sequence) == [second],
                "parked events are not claimed")
            #expect(try await store.replayEvent(sequence: second, now: 400) == .notParked)
            #expect(try await store.replayEvent(sequence: 999, now: 400) == .notFound)
            #expect(try await store.replayEvent(sequence: first, now: 400) == .replayed)
            #expect(try await store.replayEvent(sequence: first, now: 400) == .notParked, "a replay is not queued twice")
            #expect(try await store.parkedEventCount() == 0)
            #expect(try await store.event(sequence: first)?.outcome == nil)
            let again = try await store.claimEvents(limit: 10, now: 400, worker: "w", leaseSeconds: 30)
            #expect(again.map(\.sequence) == [first])
            #expect(again.first?.attempts == 1, "a replay starts its attempts again")
        },
        ConformanceCheck("a chat in flight at repeated crashes is parked, skipped, listed with its reason, and resumed") { _, store in
            let first = [
                ContinuousCrash(subject: .chat, id: 7, webhookID: 3, phase: .evaluating),
                ContinuousCrash(subject: .chat, id: 7, webhookID: 4, phase: .evaluating),
                ContinuousCrash(subject: .mailMessage, id: 7, webhookID: 5, phase: .firing),
            ]
            #expect(try await store.recordContinuousCrashes(first, parkAfter: 2, now: 100).isEmpty, "one crash only suspects")
            #expect(try await store.parkedContinuousIDs(.chat).isEmpty)
            #expect(try await store.continuousFaults().map(\.crashes) == [1, 1], "two slots on one chat count one crash")
            let again = [ContinuousCrash(subject: .chat, id: 7, webhookID: 3, phase: .firing)]
            let parked = try await store.recordContinuousCrashes(again, parkAfter: 2, now: 160)
            #expect(parked.map(\.id) == [7])
            #expect(parked.first?.parkedAt == 160 && parked.first?.firstAt == 100 && parked.first?.crashes == 2)
            #expect(parked.first?.reason == "the process stopped 2 times while running webhook 3's trigger for this chat")
            #expect(try await store.recordContinuousCrashes(again, parkAfter: 2, now: 170).isEmpty, "parked once, not again")
            #expect(try await store.parkedContinuousIDs(.chat) == [7])
            #expect(try await store.parkedContinuousIDs(.mailMessage).isEmpty, "subjects do not share ids")
            try await store.clearContinuousSuspects()
            let left = try await store.continuousFaults()
            #expect(left.map(\.subject) == [.chat], "the suspected mail message is forgotten, the parked chat kept")
            #expect(left.first?.crashes == 3 && left.first?.lastAt == 170)
            #expect(try await store.resumeContinuous(.chat, id: 7))
            #expect(try await !store.resumeContinuous(.chat, id: 7))
            #expect(try await store.parkedContinuousIDs(.chat).isEmpty)
            #expect(try await store.recordContinuousCrashes(again, parkAfter: 2, now: 200).isEmpty, "a resumed chat's count starts over")
        },
    ]

    static let versions: [ConformanceCheck] = [
        ConformanceCheck("each save and the deletion are numbered versions in order, with who and when, and the record follows") { _, store in
            let first = try await store.saveVersioned(
                .webhook, id: nil, document: object(["name": "a", "event": "chat.close"]), by: "alice", at: 100)
            #expect(first.version == 1)
            let second = try await store.saveVersioned(
                .webhook, id: first.id, document: object(["name": "b", "event": "chat.close"]), by: "bob", at: 160)
            #expect(second == (first.id, 2))
            #expect(try await store.get(.webhook, id: first.id)?["name"] == "b")
            #expect(try await store.deleteVersioned(.webhook, id: first.id, by: "carol", at: 200) == 3)
            #expect(try await store.get(.webhook, id: first.id) == nil)
            #expect(try await store.deleteVersioned(.webhook, id: first.id, by: "carol", at: 201) == nil, "nothing left to delete")
            let versions = try await store.versions(.webhook, id: first.id)
            #expect(versions.map(\.number) == [1, 2, 3])
            #expect(versions.map(\.savedBy) == ["alice", "bob", "carol"])
            #expect(versions.map(\.savedAt) == [100, 160, 200])
            #expect(versions[0].document == object(["id": .int(first.id), "name": "a", "event": "chat.close"]), "the document as stored")
            #expect(versions[2].isDeletion)
            #expect(try await store.version(.webhook, id: first.id, number: 2) == versions[1])
            #expect(try await store.version(.webhook, id: first.id, number: 4) == nil)
            #expect(try await store.versions(.trigger, id: first.id).isEmpty, "kinds do not share histories")
            // Saving again under the same id continues the numbering (a restore of a deleted record).
            #expect(try await store.saveVersioned(.webhook, id: first.id, document: object(["name": "a"]), by: "dave", at: 300).version == 4)
        },
        ConformanceCheck("only the histories of records deleted before the retention age are purged") { _, store in
            let kept = try await store.saveVersioned(.trigger, id: nil, document: object(["name": "kept"]), by: "t", at: 10)
            let old = try await store.saveVersioned(.trigger, id: nil, document: object(["name": "old"]), by: "t", at: 10)
            let recent = try await store.saveVersioned(.trigger, id: nil, document: object(["name": "recent"]), by: "t", at: 10)
            let back = try await store.saveVersioned(.trigger, id: nil, document: object(["name": "back"]), by: "t", at: 10)
            _ = try await store.deleteVersioned(.trigger, id: old.id, by: "t", at: 50)
            _ = try await store.deleteVersioned(.trigger, id: recent.id, by: "t", at: 500)
            _ = try await store.deleteVersioned(.trigger, id: back.id, by: "t", at: 50)
            _ = try await store.saveVersioned(.trigger, id: back.id, document: object(["name": "back"]), by: "t", at: 60)
            #expect(
                try await store.deletions(.trigger).map(\.recordID) == [recent.id, old.id], "newest deletion first; a restored one is not deleted")
            #expect(try await store.purgeVersions(deletedBefore: 100) == 2, "old's save and deletion")
            #expect(try await store.versions(.trigger, id: old.id).isEmpty)
            #expect(try await store.versions(.trigger, id: recent.id).count == 2)
            #expect(try await store.versions(.trigger, id: back.id).count == 3)
            #expect(try await store.versions(.trigger, id: kept.id).count == 1)
            #expect(try await store.purgeVersions(deletedBefore: 100) == 0)
        },
        ConformanceCheck("records stored before versions were kept became their version 1, without a time") { database, store in
            try await store.put(.webhook, id: 5, document: object(["name": "old"]))
            try await store.put(.chat, id: 5, document: object(["status": 1]))
            // Run the history's migration again on these rows, as it ran on an existing database.
            try await store.engine.write { db in
                try await db.raw("DELETE FROM hw_versions").run()
                for statement in Migration.configurationVersions.statements(store.engine.flavor).dropFirst(2) {
                    try await db.raw("\(unsafeRaw: statement)").run()
                }
            }
            let versions = try await store.versions(.webhook, id: 5)
            #expect(versions.map(\.number) == [1])
            #expect(versions.first?.savedAt == nil && versions.first?.savedBy == VersionHistory.before)
            #expect(versions.first?.document?["name"] == "old")
            #expect(try await store.versions(.chat, id: 5).isEmpty, "chats are state, not configuration")
            #expect(try await store.saveVersioned(.webhook, id: 5, document: object(["name": "new"]), by: "a", at: 9).version == 2)
        },
    ]

    static let tokens: [ConformanceCheck] = [
        ConformanceCheck("tokens are added, found by hash, counted, and a hash is unique") { _, store in
            #expect(try await store.tokenCount() == 0)
            let admin = try await store.addToken(secretHash: "aa11", scope: "admin", name: "Admin", now: 100)
            let ingest = try await store.addToken(secretHash: "bb22", scope: "ingest", name: "Platform", now: 101)
            #expect(admin.id != ingest.id)
            #expect(try await store.token(secretHash: "bb22") == ingest)
            #expect(try await store.token(secretHash: "cc33") == nil)
            #expect(try await store.tokenCount() == 2)
            let duplicate = await #expect(throws: StoreError.self) {
                _ = try await store.addToken(secretHash: "aa11", scope: "ingest", name: "again", now: 102)
            }
            #expect(duplicate?.code == "conflict")
            #expect(try await store.tokenCount() == 2)
        },
        ConformanceCheck("tokens list oldest first, rotate to a new hash, record their last use, and revoke") { _, store in
            let admin = try await store.addToken(secretHash: "aa11", scope: "admin", name: "Admin", now: 100)
            let ingest = try await store.addToken(secretHash: "bb22", scope: "ingest", name: "Platform", now: 101)
            #expect(try await store.tokens().map(\.name) == ["Admin", "Platform"])
            #expect(admin.createdAt == 100)
            #expect(admin.lastUsedAt == nil)
            try await store.markTokenUsed(id: ingest.id, at: 150)
            #expect(try await store.token(secretHash: "bb22")?.lastUsedAt == 150)
            let rotated = try #require(try await store.rotateToken(id: ingest.id, secretHash: "cc33", now: 200))
            #expect(rotated.id == ingest.id && rotated.name == "Platform" && rotated.createdAt == 200 && rotated.lastUsedAt == nil)
            #expect(try await store.token(secretHash: "bb22") == nil, "the old secret stops working")
            #expect(try await store.token(secretHash: "cc33")?.id == ingest.id)
            #expect(try await store.rotateToken(id: 99, secretHash: "dd44", now: 200) == nil)
            #expect(try await store.deleteToken(id: admin.id))
            #expect(try await store.deleteToken(id: admin.id) == false)
            #expect(try await store.tokens().map(\.id) == [ingest.id])
        },
    ]

    static let lifecycle: [ConformanceCheck] = [
        ConformanceCheck("migrate twice, and from two processes at once, is harmless") { database, store in
            try await store.put(.chat, id: 1, document: object(["status": 1]))
            try await store.migrate()
            var others: [SQLStore] = []
            for _ in 0..<3 { others.append(try await database.open()) }
            let handles = others
            let result: Result<Void, any Error>
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for other in handles { group.addTask { try await other.migrate() } }
                    try await group.waitForAll()
                }
                for other in handles {
                    #expect(try await other.get(.chat, id: 1)?["status"] == 1)
                }
                result = .success(())
            } catch {
                result = .failure(error)
            }
            for other in handles { try await other.shutdown() }
            try result.get()
            let recorded = try await store.engine.read { db in
                try await db.raw("SELECT name FROM hw_migrations ORDER BY name").all(decodingColumn: "name", as: String.self)
            }
            #expect(recorded == Migration.all.map(\.name))
        },
        ConformanceCheck("a reopened store keeps records, events and tokens") { database, store in
            try await store.put(.chat, id: 9, document: object(["status": 1, "nick": "kept"]))
            let queued = try await sequence(of: store.enqueueEvent(key: "kept", name: "chat.close", args: ["x": 1], receivedAt: 5, runAt: 5))
            _ = try await store.addToken(secretHash: "hash", scope: "admin", name: "kept", now: 1)
            let reopened = try await database.open()
            try await closing(reopened) {
                try await reopened.migrate()
                #expect(try await reopened.get(.chat, id: 9)?["nick"] == "kept")
                #expect(try await reopened.event(sequence: queued)?.event.name == "chat.close")
                #expect(
                    try await reopened.enqueueEvent(key: "kept", name: "chat.close", args: nil, receivedAt: 6, runAt: 6)
                        == .duplicate(sequence: queued))
                #expect(try await reopened.tokenCount() == 1)
            }
        },
    ]

    /// Runs `body`, then shuts `store` down whether or not `body` threw.
    static func closing<R>(_ store: SQLStore, _ body: () async throws -> R) async throws -> R {
        let result: Result<R, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        try await store.shutdown()
        return try result.get()
    }

    /// The sequence of an accepted event.
    static func sequence(of result: EnqueueResult) throws -> Int {
        guard case .accepted(let sequence) = result else {
            throw StoreError(code: "test", message: "expected an accepted event, got \(result)")
        }
        return sequence
    }
}

@Suite("Store conformance on SQLite (a temporary file)")
struct SQLiteConformanceTests {
    @Test("SQLite", arguments: StoreConformance.checks)
    func conformance(_ check: ConformanceCheck) async throws {
        try await TestDatabase.with(.sqlite, check.run)
    }
}

@Suite(
    "Store conformance on PostgreSQL",
    .enabled(if: Backend.postgresURL != nil, "HOOKWORK_TEST_POSTGRES_URL is not set; run eval \"$(scripts/postgres.sh start)\" first")
)
struct PostgresConformanceTests {
    @Test("PostgreSQL", arguments: StoreConformance.checks)
    func conformance(_ check: ConformanceCheck) async throws {
        try await TestDatabase.with(.postgres, check.run)
    }
}
