import HookworkCore
import HookworkStore
import Testing

@testable import HookworkEngine

@Suite("Engine rules that need no store")
struct EngineRuleTests {
    @Test(
        "webhook events match as the reference's collation does",
        arguments: [("Chat.Close", "chat.close", true), ("chat.close  ", "chat.close", true), (" chat.close", "chat.close", false)]
    )
    func eventMatching(saved: String, sent: String, matches: Bool) {
        #expect((Dispatcher.normalizedEvent(saved) == Dispatcher.normalizedEvent(sent)) == matches)
    }

    @Test("query strings are encoded as PHP's http_build_query does")
    func formEncoding() {
        #expect(RestAPIAction.formEncoded([("a b", "x&y=z"), ("ą", "1")]) == "a+b=x%26y%3Dz&%C4%85=1")
    }

    @Test("follow-up queue entries carry their delay; client events carry none")
    func delayGroups() {
        let followUp = StoredEvent(sequence: 2, key: "hookwork:delay:1:30", name: "chat.close", args: .object(JSONObject()), receivedAt: 0, runAt: 30)
        let client = StoredEvent(sequence: 1, key: "evt-1", name: "chat.close", args: .object(JSONObject()), receivedAt: 0, runAt: 0)
        #expect(EventRunner.delayGroup(of: followUp) == 30)
        #expect(EventRunner.delayGroup(of: client) == nil)
        #expect(EventRunner.delay(of: JSONObject([("delay", .int(99))])) == 60)
    }
}
