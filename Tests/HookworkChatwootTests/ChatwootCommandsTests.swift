import Foundation
import HookworkCore
import HookworkEngine
import HookworkStore
import Synchronization
import Testing

@testable import HookworkChatwoot

/// Answers each request with a scripted status and body, recording what it was asked; the HTTP path itself is tested
/// against a real loopback stand-in in `ChatwootActionsTests`.
final class ScriptedSender: HTTPSender {
    let sent = Mutex<[OutboundRequest]>([])
    let answers: Mutex<[(Int, String)]>
    init(_ answers: [(Int, String)]) { self.answers = Mutex(answers) }

    func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        sent.withLock { $0.append(request) }
        let (status, body) = answers.withLock { $0.isEmpty ? (200, "{}") : $0.removeFirst() }
        return OutboundResponse(status: status, body: Array(body.utf8))
    }
}

/// No stored state.
struct NoState: PlatformStateReader {
    func record(_ kind: EntityKind, id: Int) async throws -> JSONObject? { nil }
    func openChats(limit: Int) async throws -> [JSONObject] { [] }
}

@Suite("Chatwoot: Hookwork's commands as API calls")
struct ChatwootCommandsTests {
    let connection = ChatwootConnection(
        baseURL: "https://chat.acme.example", accountID: 3, apiAccessToken: "admin-token", botAccessToken: "bot-token", webhookSecret: "s",
        departments: ["team:2": 3, "team:4": 4, "inbox:12": 5], botID: 3)

    func steps(_ json: String, contact: Int? = nil) throws -> ([ChatwootAdapter.Step], [String]) {
        let command = try #require(try JSONValue(parsing: json).objectValue)
        return ChatwootAdapter.steps(for: command, connection: connection, contactID: contact)
    }

    @Test("each command maps to its call; what Chatwoot has no counterpart of is named")
    func mapping() throws {
        #expect(try steps(#"{"command":"closechat","changes":{"status":2,"cls_time":5}}"#).0 == [.status("resolved", snoozedUntil: nil)])
        #expect(try steps(#"{"command":"stopchat","changes":{"status":0}}"#).0 == [.status("open", snoozedUntil: nil)])
        #expect(try steps(#"{"command":"transfertobot","changes":{"status":5}}"#).0 == [.status("pending", snoozedUntil: nil)])
        #expect(try steps(#"{"command":"setdepartment","changes":{"dep_id":4}}"#).0 == [.team(4)])
        let unmapped = try steps(#"{"command":"setdepartment","changes":{"dep_id":5}}"#)
        #expect(unmapped.0.isEmpty)
        #expect(unmapped.1.first?.contains("no team maps to department 5") == true, "inbox 12 maps to 5, but an inbox is not a team")
        #expect(try steps(#"{"command":"setchatattribute","changes":{"user_id":"0"}}"#).0 == [.assignee(nil)])
        #expect(try steps(#"{"command":"setchatattribute","changes":{"user_id":"7"}}"#).0 == [.assignee(7)])
        #expect(try steps(#"{"command":"setchatattribute","changes":{"priority":"4"}}"#).0 == [.priority("urgent")])
        #expect(try steps(#"{"command":"setchatattribute","changes":{"priority":"low"}}"#).0 == [.priority("low")])
        #expect(try steps(#"{"command":"setchatattribute","changes":{"priority":"0"}}"#).0 == [.priority(nil)])
        #expect(try steps(#"{"command":"setchatattribute","changes":{"status":"1"}}"#).0 == [.status("open", snoozedUntil: nil)])
        #expect(
            try steps(#"{"command":"setchatattribute","changes":{"email":"a@b.example"}}"#, contact: 20417).0 == [
                .contact(id: 20417, ["email": "a@b.example"])
            ])
        #expect(
            try steps(#"{"command":"setchatattribute","changes":{"email":"a@b.example"}}"#).1 == ["email: the chat's Chatwoot contact is not known"])
        // Labels by what the alert_icon action added or removed; attributes by what chatvariable set or removed.
        #expect(
            try steps(#"{"command":"alert_icon","changes":{"chat_variables":{"aicons":{"vip":{"i":"vip"}}}}}"#).0 == [
                .labels(add: ["vip"], remove: [])
            ])
        #expect(try steps(#"{"command":"alert_icon","changes":{"chat_variables":{"aicons":{"vip":null}}}}"#).0 == [.labels(add: [], remove: ["vip"])])
        #expect(
            try steps(#"{"command":"chatvariable","changes":{"chat_variables":{"lang":"lt","old":null,"cw_snoozed_until":1782206400}}}"#).0 == [
                .status("snoozed", snoozedUntil: 1_782_206_400), .attributes(["lang": "lt", "old": .null]),
            ])
        #expect(
            try steps(#"{"command":"chatvariable","changes":{"chat_variables":{"cw_snoozed_until":0}}}"#).0 == [.status("open", snoozedUntil: nil)])
        #expect(
            try steps(#"{"command":"chatattribute","changes":{"additional_data":[{"identifier":"order","key":"Order","value":"55"}]}}"#).0 == [
                .attributes(["order": "55"])
            ])
        let other = try steps(#"{"command":"removeprocess","changes":{}}"#)
        #expect(other.0.isEmpty)
        #expect(other.1 == ["removeprocess has nothing to apply in Chatwoot"])
        #expect(
            try steps(#"{"command":"text","message":{"id":9,"user_id":-1,"msg":"note"},"changes":{"last_msg_id":9}}"#).0 == [
                .message(content: "note", isPrivate: true, hookworkMessageID: 9)
            ])
    }

    @Test("a 5xx, 429 or no answer is retried; another 4xx is refused; the log holds each call without its token")
    func outcomes() async throws {
        let adapter = ChatwootAdapter(connection: connection)
        let close: JSONObject = ["command": "closechat", "chat_id": 1041, "changes": ["status": 2]]
        for (status, expected) in [(500, PlatformCommandOutcome.Result.retry), (429, .retry), (404, .refused), (422, .refused), (200, .applied)] {
            let sender = ScriptedSender([(status, #"{"error":"Resource could not be found"}"#)])
            let outcome = await adapter.apply(close, messageID: "msg_1", attempt: 1, sender: sender, state: NoState())
            #expect(outcome.result == expected, "HTTP \(status)")
            #expect(outcome.statusCode == status)
            let request = try #require(sender.sent.withLock { $0.first })
            #expect(request.url == "https://chat.acme.example/api/v1/accounts/3/conversations/1041/toggle_status")
            #expect(request.headers.first { $0.name == "api_access_token" }?.value == "bot-token")
            #expect(!JSONValue.array(outcome.calls).jsonText().contains("bot-token"))
            if status == 404 { #expect(outcome.error?.contains("Resource could not be found") == true) }
            if status == 200 { #expect(outcome.chatVariables["cw_status"] == "resolved") }
        }
        // An assignment Chatwoot turned into an unassignment (an id that is not one of the account's users) is refused.
        let assign: JSONObject = ["command": "setchatattribute", "chat_id": 1041, "changes": ["user_id": "77"]]
        let outcome = await adapter.apply(assign, messageID: "msg_2", attempt: 1, sender: ScriptedSender([(200, "null")]), state: NoState())
        #expect(outcome.result == .refused)
        #expect(outcome.error?.contains("did not assign user 77") == true)
        let none = await adapter.apply(["command": "closechat"], messageID: "msg_3", attempt: 1, sender: ScriptedSender([]), state: NoState())
        #expect(none.result == .refused)
    }

    @Test("a hostile conversation list (too deep, not a list, thousands of wrongly typed items) is an error or a bounded page, never a crash")
    func hostileSyncAnswers() async throws {
        let adapter = ChatwootAdapter(connection: connection)
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let tooDeep = try await adapter.syncPage(1, sender: ScriptedSender([(200, deep)]), state: NoState())
        #expect(tooDeep.error?.contains("not a JSON object") == true)
        let notList = try await adapter.syncPage(1, sender: ScriptedSender([(200, #"{"payload":"many"}"#)]), state: NoState())
        #expect(notList.error?.contains("no payload list") == true)
        let items = "[" + Array(repeating: #"{"id":"x","status":5,"meta":[]}"#, count: 5_000).joined(separator: ",") + "]"
        let wrong = try await adapter.syncPage(1, sender: ScriptedSender([(200, #"{"payload":\#(items)}"#)]), state: NoState())
        #expect(wrong.error == nil)
        #expect(wrong.listed == 100, "at most four pages' worth is read from one answer")
        #expect(wrong.intakes.isEmpty, "items without an integer id are skipped")
        let refused = try await adapter.syncPage(1, sender: ScriptedSender([(401, #"{"error":"Invalid Access Token"}"#)]), state: NoState())
        #expect(refused.error == "Chatwoot answered 401 to the conversation list: Invalid Access Token")
    }
}
