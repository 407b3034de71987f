import Foundation
import HookworkCore
import HookworkStore
import Logging
import Testing

@testable import HookworkEngine

@Suite("Engine rules that need no store")
struct EngineRuleTests {
    @Test(
        "webhook events match as the reference's collation does",
        arguments: [("Chat.Close", "chat.close", true), ("chat.close  ", "chat.close", true), (" chat.close", "chat.close", false)]
    )
    func eventMatching(saved: String, sent: String, matches: Bool) {
        #expect((Webhook.normalizedEvent(saved) == Webhook.normalizedEvent(sent)) == matches)
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
        #expect(Webhook(document: JSONObject([("delay", .int(99))])).delay == 60)
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

    @Test("the configuration is read and compiled once per revision; a save, here or by another process, is seen at once")
    func catalogRevisions() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hw-catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("hookwork.sqlite").path
        let store = try await SQLiteStore.open(path: path, logger: Logger(label: "test"))
        try await store.migrate()
        let other = try await SQLiteStore.open(path: path, logger: Logger(label: "test"))
        let catalog = ConfigurationCatalog(store: store)
        func webhook(_ id: Int, event: String, disabled: Bool = false) -> JSONObject {
            JSONObject([
                ("id", .int(id)), ("type", "0"), ("event", .string(event)), ("disabled", .bool(disabled)),
                ("configuration", .string(Self.closedSales.jsonText())), ("trigger_id", "3"),
            ])
        }
        try await store.put(.webhook, id: 1, document: webhook(1, event: "Chat.Close "))
        try await store.put(.webhook, id: 2, document: webhook(2, event: "chat.close"))
        try await store.put(.webhook, id: 3, document: webhook(3, event: "chat.close", disabled: true))
        for _ in 0..<50 { _ = try await catalog.snapshot() }
        #expect(catalog.loadCount == 1)
        let hooks = try await catalog.snapshot().hookWebhooks(for: "chat.close")
        #expect(hooks.map(\.id) == [2, 1], "enabled ones, id descending, matched as the reference's collation")
        #expect(hooks.allSatisfy { $0.webhook.triggerID == 3 && $0.conditions != nil }, "loose `\"3\"` and conditions as text")
        try await other.put(.webhook, id: 3, document: webhook(3, event: "chat.close"))
        #expect(try await catalog.snapshot().hookWebhooks(for: "CHAT.CLOSE").map(\.id) == [3, 2, 1])
        #expect(catalog.loadCount == 2)
        try await other.shutdown()
        try await store.shutdown()
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

    @Test(
        "the triggers after a Rest API answer are those the reference picks: a matched rule's own, or default_trigger with its action and alt",
        arguments: [
            (rule: "ok" as String?, mapping: #"{"ok":"7","default_trigger":9}"#, expected: ["output_trigger 7"]),
            (rule: "ok", mapping: #"{"ok":0,"default_trigger":9,"default_trigger_alt":4}"#, expected: []),
            (
                rule: nil, mapping: #"{"default_trigger":"9","default_trigger_action_id":"a1","default_trigger_alt":4}"#,
                expected: ["default_trigger 9 a1", "default_trigger_alt 4"]
            ),
            (rule: nil, mapping: #"{"default_trigger":"","default_trigger_alt":4}"#, expected: []),
            (rule: nil, mapping: #"{"default_trigger":0,"default_trigger_alt":"4"}"#, expected: ["default_trigger_alt 4"]),
        ]
    )
    func followingTriggers(rule: String?, mapping: String, expected: [String]) throws {
        let match = RestResponseMatch(ruleID: rule, contents: Array(repeating: .string(""), count: 6), httpCode: 200, raw: "", failed: false)
        let content = JSONObject([("rest_api_method_output", try JSONValue(parsing: mapping))])
        let runs = RestAPIResponseHandler.followingTriggers(match, call: RestAPICallContent(content))
        #expect(runs.map { ([$0.key, String($0.id)] + ($0.actionID.map { [$0] } ?? [])).joined(separator: " ") } == expected)
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
