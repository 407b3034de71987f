import Foundation
import HookworkCore
import HookworkEngine
import HookworkStore
import Testing

@testable import HookworkServer

@Suite("Reminders that stop and escalation ladders: max_firings, then_trigger_id, steps")
struct RemindersTests {
    let t0 = continuousStart
    let activeNotOnHold = "[" + compare("{args.chat.status}", "eq", "1") + "," + compare("{args.chat.status_sub}", "neq", "8") + "]"

    @Test("max_firings 3 with then_trigger_id: three reminders, then the final trigger once; a restart in the middle neither repeats nor skips")
    func boundedRepeats() async throws {
        try await ContinuousHarness.with { h in
            let id = try await h.webhook(
                continuousWebhook(activeNotOnHold, firing: #"{"policy":"every","every_seconds":20,"max_firings":3,"then_trigger_id":2}"#))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            #expect(try await h.pass(at: t0) == ["/closed/7"])
            #expect(try await h.pass(at: t0 + 20) == ["/closed/7"])
            let progress = try await WebhookInspector(store: h.store).test(webhookID: id, chatID: 7, messageID: nil, now: t0 + 21)
            let episode = try #require(progress["episodes"]?.arrayValue?.first)
            #expect(episode["fired"] == 2)
            #expect(episode["of"] == 3)
            #expect(episode["next_at"] == .int(t0 + 40))

            // Another process (a restart) on the same database takes over.
            let restarted = try await ContinuousHarness.open(path: h.path, receiver: h.receiver, sender: h.sender)
            #expect(try await restarted.pass(at: t0 + 20) == [], "the slot fired before the restart is not fired again")
            #expect(try await restarted.pass(at: t0 + 40) == ["/closed/7"], "the third reminder is not skipped")
            #expect(try await restarted.pass(at: t0 + 59) == [])
            #expect(try await restarted.pass(at: t0 + 60) == ["/not-closed/7"], "then the final trigger")
            #expect(try await restarted.pass(at: t0 + 80) == [])
            #expect(try await h.pass(at: t0 + 500) == [], "and nothing more in this episode, in either process")
            let done = try await WebhookInspector(store: h.store).test(webhookID: id, chatID: 7, messageID: nil, now: t0 + 501)
            #expect(done["episodes"]?.arrayValue?.first?["then_trigger"]?["status"] == "done")
            try await restarted.store.shutdown()
            // The episode ends (on hold) and a new one starts with its own three reminders.
            try await h.store.put(.chat, id: 7, document: ["status": 1, "status_sub": 8])
            #expect(try await h.pass(at: t0 + 501) == [])
            try await h.store.put(.chat, id: 7, document: ["status": 1, "status_sub": 0])
            #expect(try await h.pass(at: t0 + 502) == ["/closed/7"])
        }
    }

    @Test("a two-step ladder fires each step once per episode when the episode has lasted that long, and re-arms when it ends")
    func ladder() async throws {
        try await ContinuousHarness.with { h in
            let steps = #"[{"after_seconds":1800,"trigger_id":1},{"after_seconds":3600,"trigger_id":2}]"#
            try await h.webhook(#"{"name":"nudge then close","type":1,"trigger_id":0,"configuration":\#(activeNotOnHold),"steps":\#(steps)}"#)
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            #expect(try await h.pass(at: t0) == [], "the episode starts")
            #expect(try await h.pass(at: t0 + 1799) == [])
            #expect(try await h.pass(at: t0 + 1800) == ["/closed/7"], "the nudge at 30 minutes")
            #expect(try await h.pass(at: t0 + 1801) == [])
            #expect(try await h.pass(at: t0 + 3599) == [])
            #expect(try await h.pass(at: t0 + 3600) == ["/not-closed/7"], "the second step at 60 minutes")
            #expect(try await h.pass(at: t0 + 9000) == [], "each step once per episode")
            try await h.store.put(.chat, id: 7, document: ["status": 1, "status_sub": 8])
            #expect(try await h.pass(at: t0 + 9001) == [])
            #expect(try await h.store.firingLedger(webhookID: nil).isEmpty, "the episode ended")
            try await h.store.put(.chat, id: 7, document: ["status": 1, "status_sub": 0])
            #expect(try await h.pass(at: t0 + 9100) == [], "a new episode starts")
            #expect(try await h.pass(at: t0 + 10_900) == ["/closed/7"])
        }
    }

    @Test(
        "bounded repeats and ladders are validated when saved, naming the member",
        arguments: [
            (#""firing":{"policy":"once","max_firings":3}"#, "firing.max_firings"),
            (#""firing":{"policy":"every","max_firings":0}"#, "firing.max_firings"),
            (#""firing":{"policy":"every","then_trigger_id":2}"#, "firing.then_trigger_id"),
            (#""firing":{"policy":"every","max_firings":2,"then_trigger_id":99}"#, "firing.then_trigger_id"),
            (#""steps":[{"after_seconds":600,"trigger_id":1},{"after_seconds":300,"trigger_id":2}]"#, "steps[1].after_seconds"),
            (#""steps":[{"after_seconds":600,"trigger_id":1,"clock":"moon"}]"#, "steps[0].clock"),
            (#""steps":[{"after_seconds":600,"trigger_id":98}]"#, "steps[0].trigger_id"),
            (#""steps":{"after_seconds":600}"#, "steps"),
        ]
    )
    func validated(member: String, field: String) async throws {
        try await ContinuousHarness.with { h in
            let json = #"{"name":"w","type":1,"trigger_id":1,"configuration":\#(activeNotOnHold),\#(member)}"#
            await #expect(throws: ValidationFailure.self) { try await h.webhook(json) }
            do {
                try await h.webhook(json)
            } catch let failure as ValidationFailure {
                #expect(failure.field == field)
            }
        }
    }
}
