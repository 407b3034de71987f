import HookworkCore
import Testing

@testable import HookworkEngine

/// `ChatActions.plan` is pure: a chat and an action's content give the change, with no store and no receiver.
@Suite("Chat-changing actions planned as values")
struct ChatActionsPlanTests {
    static let chat = JSONObject([
        ("id", .int(7)), ("status", .int(1)), ("dep_id", .int(3)), ("nick", "Ann"), ("chat_variables", .string(#"{"plan":"gold"}"#)),
    ])

    static func plan(_ type: String, _ content: String) throws -> Result<ChatActions.Change, ActionProblem> {
        let body = TriggerAction.Body(type: type, content: try #require(try JSONValue(parsing: content).objectValue))
        return ChatActions.plan(body, chat: chat, args: .object(JSONObject([("chat", .object(chat))])), rootKind: .argsWithChat, now: 1_000)
    }

    @Test(
        "what each command changes",
        arguments: [
            ("command", #"{"command":"closechat"}"#, "closechat", #"{"status":2,"cls_time":1000,"chat_duration":0}"#),
            ("command", #"{"command":"setdepartment","payload":"4"}"#, "setdepartment", #"{"dep_id":4}"#),
            (
                "command", #"{"command":"setchatattribute","payload":"nick","payload_arg":"{args.chat.nick} L."}"#, "setchatattribute",
                #"{"nick":"Ann L."}"#
            ),
            (
                "command", #"{"command":"chatvariable","payload":"{\"lang\":\"lt\"}"}"#, "chatvariable",
                #"{"chat_variables":"{\"plan\":\"gold\",\"lang\":\"lt\"}"}"#
            ),
            ("command", #"{"command":"transfertobot"}"#, "transfertobot", #"{"status":5}"#),
        ]
    )
    func changes(type: String, content: String, command: String, patch: String) throws {
        let change = try Self.plan(type, content).get()
        #expect(change.command == command)
        #expect(change.unchangedReason == nil)
        #expect(JSONValue.object(change.patch) == (try JSONValue(parsing: patch)))
    }

    @Test(
        "what changes nothing, and why",
        arguments: [
            (#"{"command":"stopchat"}"#, "not a bot chat"),
            (#"{"command":"setdepartment","payload":"3"}"#, "already in department 3"),
            (#"{"command":"setchatattribute","payload":"nick","payload_arg":"Ann","update_if_empty":true}"#, "update_if_empty"),
        ]
    )
    func unchanged(content: String, reason: String) throws {
        let change = try Self.plan("command", content).get()
        #expect(change.patch.isEmpty)
        #expect(change.unchangedReason?.contains(reason) == true, "\(change.unchangedReason ?? "")")
    }

    @Test(
        "what cannot run, naming the content member",
        arguments: [
            ("command", #"{"command":"setdepartment","payload":"sales"}"#, "content.payload"),
            ("command", #"{"command":"chatvariable","payload":"[1]"}"#, "content.payload"),
            ("command", #"{"command":"teleport"}"#, "content.command"),
            ("text", #"{"text":""}"#, "content.text"),
        ]
    )
    func refused(type: String, content: String, field: String) throws {
        guard case .failure(let problem) = try Self.plan(type, content) else {
            Issue.record("\(content) was planned")
            return
        }
        #expect(problem.field == field)
    }

    @Test("a bot message and an alert icon")
    func messageAndIcon() throws {
        let text = try Self.plan("text", #"{"text":"Hello {args.chat.nick}","attr_options":{"as_system":true}}"#).get()
        #expect(text.message?["msg"] == "Hello Ann")
        #expect(text.message?["user_id"] == -1)
        let icon = try Self.plan("alert_icon", #"{"alert_icon":"vip","attr_options":{"aicon_color":"red"}}"#).get()
        #expect(icon.patch["aicons"]?["vip"]?["aicon_color"] == "red")
        #expect(icon.events.map(\.name) == ["chat.bot.alert_icon"])
    }
}
