import Foundation
import HookworkCore
import HookworkEngine
import HookworkStore
import Testing

@testable import HookworkServer

@Suite("Continuous webhooks: firing policies, the alternative trigger and the ledger")
struct ContinuousPolicyTests {
    let t0 = continuousStart
    let activeNotOnHold = "[" + compare("{args.chat.status}", "eq", "1") + "," + compare("{args.chat.status_sub}", "neq", "8") + "]"

    @Test("every 20 s (the default): fires on the first pass the conditions hold, then every 20 s, not in between")
    func everyTwentySeconds() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(continuousWebhook(activeNotOnHold))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            #expect(try await h.pass(at: t0) == ["/closed/7"])
            #expect(try await h.pass(at: t0 + 1) == [])
            #expect(try await h.pass(at: t0 + 19) == [])
            #expect(try await h.pass(at: t0 + 20) == ["/closed/7"])
            #expect(try await h.pass(at: t0 + 39) == [])
            #expect(try await h.pass(at: t0 + 40) == ["/closed/7"])
        }
    }

    @Test("every 5 s: a shorter interval is honoured")
    func everyFiveSeconds() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(continuousWebhook(activeNotOnHold, firing: #"{"policy":"every","every_seconds":5}"#))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            #expect(try await h.pass(at: t0) == ["/closed/7"])
            #expect(try await h.pass(at: t0 + 4) == [])
            #expect(try await h.pass(at: t0 + 5) == ["/closed/7"])
        }
    }

    @Test("once: fires when the conditions become true, not again while they hold, again after they turned false")
    func oncePerEpisode() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(continuousWebhook(activeNotOnHold, firing: #"{"policy":"once"}"#))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            #expect(try await h.pass(at: t0) == ["/closed/7"])
            #expect(try await h.pass(at: t0 + 20) == [])
            #expect(try await h.pass(at: t0 + 500) == [])
            // On hold: the episode ends and the ledger row goes.
            try await h.store.put(.chat, id: 7, document: ["status": 1, "status_sub": 8])
            #expect(try await h.pass(at: t0 + 501) == [])
            #expect(try await h.store.firingLedger(webhookID: nil).isEmpty)
            try await h.store.put(.chat, id: 7, document: ["status": 1, "status_sub": 0])
            #expect(try await h.pass(at: t0 + 502) == ["/closed/7"])
        }
    }

    @Test("alternative trigger: runs for chats that do not match, with its own policy; switching branch starts a new episode")
    func alternativeTrigger() async throws {
        try await ContinuousHarness.with { h in
            let conditions = "[" + compare("{args.chat.dep_id}", "eq", "3") + "]"
            let id = try await h.webhook(
                continuousWebhook(conditions, firing: #"{"policy":"once"}"#, alternative: 2, alternativeFiring: #"{"policy":"once"}"#))
            try await h.store.put(.chat, id: 7, document: ["status": 1, "dep_id": 3])
            try await h.store.put(.chat, id: 8, document: ["status": 0, "dep_id": 4])
            // Closed chats are never scanned, so no alternative for them.
            try await h.store.put(.chat, id: 9, document: ["status": 2, "dep_id": 4])
            #expect(try await h.pass(at: t0).sorted() == ["/closed/7", "/not-closed/8"])
            #expect(try await h.pass(at: t0 + 30) == [])
            let ledger = try await h.store.firingLedger(webhookID: id)
            #expect(ledger.map { "\($0.chatID) \($0.branch.rawValue) \($0.state)" } == ["7 trigger once", "8 alternative once"])
            try await h.store.put(.chat, id: 8, document: ["status": 0, "dep_id": 3])
            #expect(try await h.pass(at: t0 + 31) == ["/closed/8"])
            #expect(try await h.store.firingLedger(webhookID: id).map(\.branch) == [.trigger, .trigger])
        }
    }

    @Test("a chat closed after the pass read it: the trigger does not run and nothing is recorded (spec §5.3 re-check)")
    func chatClosedBeforeFiring() async throws {
        try await ContinuousHarness.with { h in
            let snapshot: JSONObject = ["id": 8, "status": 1]
            try await h.store.put(.chat, id: 8, document: ["status": 2])
            let result = try await h.firing.fire(
                webhookID: 1, chatID: 8, branch: .alternative, policy: .default, triggerID: 2, chat: snapshot, now: t0)
            guard case .chatClosed = result else {
                Issue.record("expected chatClosed, got \(result)")
                return
            }
            #expect(h.receiver.requests.isEmpty)
            #expect(try await h.store.firingLedger(webhookID: nil).isEmpty)
        }
    }

    @Test("restart in the middle of an episode: a new process on the same file neither repeats `once` nor forgets `every`")
    func restartMidEpisode() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(continuousWebhook(activeNotOnHold, firing: #"{"policy":"once"}"#))
            let conditions = "[" + compare("{args.chat.status}", "eq", "0") + "]"
            try await h.webhook(continuousWebhook(conditions))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            try await h.store.put(.chat, id: 8, document: ["status": 0])
            #expect(try await h.pass(at: t0).sorted() == ["/closed/7", "/closed/8"])
            let restarted = try await ContinuousHarness.open(path: h.path, receiver: h.receiver, sender: h.sender)
            do {
                #expect(try await restarted.pass(at: t0 + 5) == [])
                #expect(try await restarted.pass(at: t0 + 19) == [])
                #expect(try await restarted.pass(at: t0 + 20) == ["/closed/8"])
            } catch {
                try? await restarted.store.shutdown()
                throw error
            }
            try await restarted.store.shutdown()
        }
    }

    @Test("a chat that closes ends its episodes; reopened, it fires again")
    func closedChatCleansLedger() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(continuousWebhook(activeNotOnHold, firing: #"{"policy":"once"}"#))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            #expect(try await h.pass(at: t0) == ["/closed/7"])
            try await h.store.put(.chat, id: 7, document: ["status": 2])
            #expect(try await h.pass(at: t0 + 1) == [])
            #expect(try await h.store.firingLedger(webhookID: nil).isEmpty)
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            #expect(try await h.pass(at: t0 + 2) == ["/closed/7"])
        }
    }

    @Test("a disabled webhook does not fire")
    func disabledWebhook() async throws {
        try await ContinuousHarness.with { h in
            let json = continuousWebhook(activeNotOnHold).dropLast() + #","disabled":true}"#
            try await h.webhook(String(json))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            #expect(try await h.pass(at: t0) == [])
        }
    }
}

@Suite("Continuous webhooks: changes between passes reach the conditions")
struct ContinuousChangeTests {
    let t0 = continuousStart

    @Test("new statistics, a renamed department, an operator's change and a deleted chat are all seen by the next pass")
    func changesBetweenPasses() async throws {
        try await ContinuousHarness.with { h in
            let conditions =
                "["
                + [
                    compare("{args.chat.department.stats.stats_array.avg_wait_time}", "gt", "100"),
                    compare("{args.chat.department.name}", "eq", "Sales"),
                    compare("{args.chat.user.name_support}", "eq", "Olga"),
                ].joined(separator: ",") + "]"
            try await h.webhook(continuousWebhook(conditions, firing: #"{"policy":"once"}"#))
            try await h.store.put(.operator, id: 5, document: ["name": "Olga"])
            try await h.store.put(.chat, id: 7, document: ["status": 1, "dep_id": 3, "user_id": 5])
            try await h.store.put(.chat, id: 8, document: ["status": 1, "dep_id": 3, "user_id": 5])
            #expect(try await h.pass(at: t0) == [])
            try await h.store.put(.departmentStats, id: 3, document: ["avg_wait_time": 120])
            #expect(try await h.pass(at: t0 + 1).sorted() == ["/closed/7", "/closed/8"])
            try await h.store.put(.department, id: 3, document: ["name": "Support"])
            #expect(try await h.pass(at: t0 + 2) == [])
            try await h.store.put(.department, id: 3, document: ["name": "Sales"])
            try await h.store.put(.operator, id: 5, document: ["name": "Olga", "chat_nickname": "O."])
            #expect(try await h.pass(at: t0 + 3) == [])
            try await h.store.put(.operator, id: 5, document: ["name": "Olga"])
            #expect(try await h.store.delete(.chat, id: 8))
            #expect(try await h.pass(at: t0 + 4) == ["/closed/7"])
        }
    }
}

@Suite("Continuous mail webhooks: the ledger's lifetime")
struct ContinuousMailLedgerTests {
    let t0 = continuousStart

    @Test("a processed pair stays processed for 31 days; then its row is purged and a message that still matches fires again")
    func purgedAfterThirtyOneDays() async throws {
        try await ContinuousHarness.with { h in
            let webhookID = try await h.webhook(continuousWebhook("[" + compare("{args.chat.status}", "neq", "2") + "]", type: 2))
            try await h.store.put(.mailMessage, id: 41, document: ["status": 0, "subject": "Order"])
            #expect(try await h.pass(at: t0) == ["/closed/41"])
            #expect(try await h.pass(at: t0 + 31 * 86_400) == [])
            // The purge runs at the end of this pass; the next pass finds no row and fires again.
            #expect(try await h.pass(at: t0 + 31 * 86_400 + 1) == [])
            #expect(try await h.store.mailLedger(webhookID: webhookID) == [])
            #expect(try await h.pass(at: t0 + 31 * 86_400 + 2) == ["/closed/41"])
        }
    }

    @Test("deleting a webhook deletes its ledger rows")
    func deletedWebhook() async throws {
        try await ContinuousHarness.with { h in
            let webhookID = try await h.webhook(continuousWebhook("[" + compare("{args.chat.status}", "neq", "2") + "]", type: 2))
            try await h.store.put(.mailMessage, id: 41, document: ["status": 0, "subject": "Order"])
            #expect(try await h.pass(at: t0) == ["/closed/41"])
            #expect(try await h.store.delete(.webhook, id: webhookID))
            #expect(try await h.store.purgeOrphanLedgers() == 1)
            #expect(try await h.store.mailLedger(webhookID: webhookID) == [])
        }
    }

    @Test("a condition that comes true with the clock is fired first at its second, from the pass before; a chat that changed meanwhile is not")
    func dueAtItsSecond() async throws {
        try await ContinuousHarness.with { h in
            let silent = "[" + compare("{args.chat.last_user_msg_time}", "lt", "{time}-60") + "]"
            try await h.webhook(continuousWebhook(silent, firing: #"{"policy":"once"}"#))
            // Chat 7 comes true at t0 + 2, chat 8 at t0 + 3 unless its visitor writes first, chat 9 only in a minute.
            try await h.store.put(.chat, id: 7, document: ["status": 1, "last_user_msg_time": .int(t0 - 59)])
            try await h.store.put(.chat, id: 8, document: ["status": 1, "last_user_msg_time": .int(t0 - 58)])
            try await h.store.put(.chat, id: 9, document: ["status": 1, "last_user_msg_time": .int(t0)])
            var report = try await h.scheduler.runPass(now: t0)
            #expect(report.fired.isEmpty && report.dueNext == 0, "nothing holds at t0 + 1 either")
            report = try await h.scheduler.runPass(now: t0 + 1)
            #expect(report.fired.isEmpty)
            #expect(report.dueNext == 1, "chat 7 will hold at t0 + 2")
            report = try await h.scheduler.runPass(now: t0 + 2)
            #expect(report.fired.map(\.id) == [7])
            #expect(report.firedEarly == 1, "fired before the scan, which did not fire it again")
            #expect(report.dueNext == 1, "chat 8 will hold at t0 + 3")
            // Chat 8's visitor writes before its second comes: the prediction is checked on the fresh state.
            try await h.store.put(.chat, id: 8, document: ["status": 1, "last_user_msg_time": .int(t0 + 2)])
            report = try await h.scheduler.runPass(now: t0 + 3)
            #expect(report.fired.isEmpty && report.firedEarly == 0)
            #expect(try await h.store.firingLedger(webhookID: nil).map(\.chatID) == [7], "chat 7 fired once (policy once)")
            // Without a prediction (a pass skipped, a restart) the scan still fires: it is the safety net.
            report = try await h.scheduler.runPass(now: t0 + 100)
            #expect(Set(report.fired.map(\.id)) == [8, 9] && report.firedEarly == 0)
            _ = h.decided.take()
        }
    }
}
