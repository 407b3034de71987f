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
        #expect(RestAPIRequestBuilder.formEncoded([("a b", "x&y=z"), ("ą", "1")]) == "a+b=x%26y%3Dz&%C4%85=1")
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

@Suite("Conditions through HookworkCore")
struct CoreBridgeTests {
    static let closedSales: JSONValue = .array([
        .object(JSONObject([("type", "3"), ("attr", "{args.chat.status}"), ("condition", "eq"), ("value", "2")])),
        .object(JSONObject([("type", "3"), ("attr", "{args.chat.department.name}"), ("condition", "eq"), ("value", "Sales")])),
    ])

    static func args(status: Int, department: String) -> JSONValue {
        .object(
            JSONObject([
                (
                    "chat",
                    .object(
                        JSONObject([("id", .int(1)), ("status", .int(status)), ("department", .object(JSONObject([("name", .string(department))])))]))
                )
            ]))
    }

    @Test("a webhook's conditions compile once while its configuration is unchanged, and again when it changes")
    func compiledOnce() throws {
        let cache = ConditionCache()
        for _ in 0..<100 { _ = try cache.conditions(webhookID: 1, configuration: Self.closedSales) }
        #expect(cache.compileCount == 1)
        _ = try cache.conditions(webhookID: 2, configuration: Self.closedSales)
        #expect(cache.compileCount == 2)
        _ = try cache.conditions(webhookID: 1, configuration: .array([]))
        _ = try cache.conditions(webhookID: 1, configuration: .array([]))
        #expect(cache.compileCount == 3)
    }

    @Test("the hook variant decides on the assembled args and traces each condition")
    func evaluates() throws {
        let conditions = try CompiledConditions(configuration: Self.closedSales)
        let valid = conditions.evaluate(args: Self.args(status: 2, department: "Sales"), messages: [], now: 0)
        #expect(valid.valid)
        #expect(valid.raisedError == nil)
        #expect(valid.traceJSON.arrayValue?.first?["conditions"]?.arrayValue?.count == 2)
        #expect(!conditions.evaluate(args: Self.args(status: 2, department: "Support"), messages: [], now: 0).valid)
    }

    @Test("a division by zero is reported and makes the condition false")
    func raisedError() throws {
        let conditions = try CompiledConditions(
            configuration: .array([.object(JSONObject([("type", "3"), ("attr", "5 / {args.chat.status}"), ("condition", "gt"), ("value", "1")]))]))
        let outcome = conditions.evaluate(args: Self.args(status: 0, department: "Sales"), messages: [], now: 0)
        #expect(!outcome.valid)
        #expect(outcome.raisedError != nil)
    }

    @Test("messages reach Core oldest first, as it expects")
    func messageOrder() {
        let newestFirst = [
            JSONObject([("id", .int(9)), ("user_id", .int(0)), ("msg", "new")]), JSONObject([("id", .int(3)), ("user_id", .int(5)), ("msg", "old")]),
        ]
        let converted = CompiledConditions.conditionMessages(newestFirst: newestFirst)
        #expect(converted == [ConditionMessage(id: 3, userID: 5, text: "old"), ConditionMessage(id: 9, userID: 0, text: "new")])
    }
}
