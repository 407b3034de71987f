import Foundation
import HookworkCore
import HookworkEngine
import HookworkStore
import Testing

@testable import HookworkServer

/// The continuous examples of the seed document, each with its exact timing: passes just before and just after the
/// threshold, and the trigger's call checked at a real local receiver.
@Suite("Continuous webhooks: the seed document's examples")
struct ContinuousSeedTests {
    let t0 = continuousStart

    @Test("bot not responding for 60 s: fires at 61 s after the visitor's last message, not at 60 s")
    func botNotResponding() async throws {
        try await ContinuousHarness.with { h in
            let conditions =
                "["
                + [
                    compare("{args.chat.status}", "eq", "5"),
                    compare("{args.chat.last_user_msg_time}", "lt", "{time}-60", logic: "or"),
                    compare("{args.chat.last_msg.time}", "lt", "{time}-60"),
                    compare("{args.chat.status_sub}", "neq", "3"),
                    compare("{args.chat.lsync}", "gt", "{time}-120"),
                    compare("{args.chat.last_msg.user_id}", "eq", "0"),
                ].joined(separator: ",") + "]"
            try await h.webhook(continuousWebhook(conditions, firing: #"{"policy":"once"}"#))
            try await h.store.put(
                .chat, id: 7, document: ["status": 5, "status_sub": 0, "lsync": .int(t0 + 30), "last_user_msg_time": .int(t0), "last_msg_id": 70])
            try await h.store.put(.message, id: 70, document: ["chat_id": 7, "user_id": 0, "msg": "anyone?", "time": .int(t0)])
            // A chat whose visitor closed the widget (status_sub 3) never fires.
            try await h.store.put(
                .chat, id: 8, document: ["status": 5, "status_sub": 3, "lsync": .int(t0 + 30), "last_user_msg_time": .int(t0), "last_msg_id": 80])
            try await h.store.put(.message, id: 80, document: ["chat_id": 8, "user_id": 0, "msg": "bye", "time": .int(t0)])
            #expect(try await h.pass(at: t0 + 1) == [])
            #expect(try await h.pass(at: t0 + 60) == [])
            #expect(try await h.pass(at: t0 + 61) == ["/closed/7"])
            #expect(try await h.pass(at: t0 + 62) == [])
        }
    }

    @Test("visitor not responding to the bot for 60 s: fires at 61 s after the bot's message")
    func visitorNotResponding() async throws {
        try await ContinuousHarness.with { h in
            let conditions =
                "["
                + [
                    compare("{args.chat.status}", "eq", "5"),
                    compare("{args.chat.last_msg.time}", "lt", "{time}-60"),
                    compare("{args.chat.status_sub}", "neq", "3"),
                    compare("{args.chat.last_msg.user_id}", "eq", "-2"),
                ].joined(separator: ",") + "]"
            try await h.webhook(continuousWebhook(conditions, firing: #"{"policy":"once"}"#))
            try await h.store.put(.chat, id: 7, document: ["status": 5, "last_user_msg_time": .int(t0 - 5)])
            try await h.store.put(.message, id: 70, document: ["chat_id": 7, "user_id": 0, "msg": "hi", "time": .int(t0 - 5)])
            try await h.store.put(.message, id: 71, document: ["chat_id": 7, "user_id": -2, "msg": "How can I help?", "time": .int(t0)])
            #expect(try await h.pass(at: t0 + 60) == [])
            #expect(try await h.pass(at: t0 + 61) == ["/closed/7"])
            // The visitor answers: the last message is theirs, the episode ends; nothing fires.
            try await h.store.put(.message, id: 72, document: ["chat_id": 7, "user_id": 0, "msg": "a refund", "time": .int(t0 + 70)])
            #expect(try await h.pass(at: t0 + 200) == [])
        }
    }

    @Test("chat longer than 1.5 x the department's average duration, with the statistics computed")
    func longerThanDepartmentAverage() async throws {
        try await ContinuousHarness.with { h in
            let conditions =
                "["
                + [
                    compare("{args.chat.status}", "eq", "1"),
                    compare("{args.chat.status_sub}", "neq", "3"),
                    compare(
                        "{time}-({args.chat.pnd_time}+{args.chat.wait_time})", "gt", "1.5*{args.chat.department.stats.stats_array.avg_chat_duration}"),
                ].joined(separator: ",") + "]"
            // Closed chats of department 3 handled by an operator: durations 400 and 600, so the average is 500.
            try await h.store.put(.chat, id: 1, document: ["status": 2, "dep_id": 3, "user_id": 5, "chat_duration": 400, "time": .int(t0 - 86_400)])
            try await h.store.put(.chat, id: 2, document: ["status": 2, "dep_id": 3, "user_id": 5, "chat_duration": 600, "time": .int(t0 - 3_600)])
            // Not counted: no operator, or older than 30 days.
            try await h.store.put(.chat, id: 3, document: ["status": 2, "dep_id": 3, "user_id": 0, "chat_duration": 9_000, "time": .int(t0 - 3_600)])
            try await h.store.put(
                .chat, id: 4, document: ["status": 2, "dep_id": 3, "user_id": 5, "chat_duration": 9_000, "time": .int(t0 - 40 * 86_400)])
            let averages = try await DepartmentStatistics(store: h.store, logger: testLogger).run(now: t0)
            #expect(averages[3]?.avgChatDuration == 500)
            try await h.webhook(continuousWebhook(conditions, firing: #"{"policy":"once"}"#))
            try await h.store.put(.chat, id: 9, document: ["status": 1, "dep_id": 3, "user_id": 5, "pnd_time": .int(t0), "wait_time": 30])
            // 1.5 x 500 = 750: true once now - (t0 + 30) > 750, that is from t0 + 781.
            #expect(try await h.pass(at: t0 + 100) == [])
            #expect(try await h.pass(at: t0 + 780) == [])
            #expect(try await h.pass(at: t0 + 781) == ["/closed/9"])
        }
    }

    @Test("\"hello / are you there / hi\" with no reply in 25 s: fires at 26 s; not when an operator replied")
    func helloNoReply() async throws {
        try await ContinuousHarness.with { h in
            let conditions =
                "[" + [contains("hello,are you there,hi"), compare("{args.chat.last_user_msg_time}", "lt", "{time}-25")].joined(separator: ",") + "]"
            try await h.webhook(continuousWebhook(conditions, firing: #"{"policy":"once"}"#))
            try await h.store.put(.chat, id: 7, document: ["status": 1, "last_user_msg_time": .int(t0)])
            try await h.store.put(.message, id: 70, document: ["chat_id": 7, "user_id": 0, "msg": "Are you there?", "time": .int(t0)])
            try await h.store.put(.chat, id: 8, document: ["status": 1, "last_user_msg_time": .int(t0)])
            try await h.store.put(.message, id: 80, document: ["chat_id": 8, "user_id": 0, "msg": "hello", "time": .int(t0)])
            try await h.store.put(.message, id: 81, document: ["chat_id": 8, "user_id": 5, "msg": "Hi, I am here", "time": .int(t0 + 10)])
            #expect(try await h.pass(at: t0 + 25) == [])
            #expect(try await h.pass(at: t0 + 26) == ["/closed/7"])
        }
    }

    @Test("\"hello\" twice in a row: fires on the pass after the second one, not after the first")
    func helloTwice() async throws {
        try await ContinuousHarness.with { h in
            let conditions = "[" + [contains("hello,are you there"), contains("hello,are you there")].joined(separator: ",") + "]"
            try await h.webhook(continuousWebhook(conditions, firing: #"{"policy":"once"}"#))
            try await h.store.put(.chat, id: 7, document: ["status": 0])
            try await h.store.put(.message, id: 70, document: ["chat_id": 7, "user_id": 0, "msg": "hello", "time": .int(t0)])
            #expect(try await h.pass(at: t0 + 1) == [])
            try await h.store.put(.message, id: 71, document: ["chat_id": 7, "user_id": 0, "msg": "hello??", "time": .int(t0 + 2)])
            #expect(try await h.pass(at: t0 + 3) == ["/closed/7"])
            #expect(try await h.pass(at: t0 + 4) == [])
        }
    }

    @Test("mail pending or active between 6 and 7 hours: fires once, at 6 h + 1 s")
    func mailSixHours() async throws {
        try await ContinuousHarness.with { h in
            let conditions =
                "["
                + [
                    compare("{args.chat.udate}", "lt", "{time} - 21600"),
                    compare("{args.chat.udate}", "gt", "{time} - 25200"),
                    compare("{args.chat.status}", "neq", "2"),
                ].joined(separator: ",") + "]"
            let webhookID = try await h.webhook(continuousWebhook(conditions, type: 2))
            try await h.store.put(.mailMessage, id: 41, document: ["status": 1, "udate": .int(t0), "subject": "Order"])
            // Responded (status 2) mail is not scanned.
            try await h.store.put(.mailMessage, id: 42, document: ["status": 2, "udate": .int(t0), "subject": "Done"])
            #expect(try await h.pass(at: t0 + 21_600) == [])
            #expect(try await h.pass(at: t0 + 21_601) == ["/closed/41"])
            #expect(try await h.pass(at: t0 + 21_700) == [])
            #expect(try await h.store.mailLedger(webhookID: webhookID) == [41])
        }
    }
}
