import Crypto
import Foundation
import HTTPTypes
import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkStore
import HummingbirdTesting
import Testing

@testable import HookworkServer

/// Every action of `actions` in one trigger; the JSON of a trigger named `name`.
func triggerJSON(_ name: String, _ actions: [String]) -> String {
    #"{"name":"\#(name)","actions":[\#(actions.joined(separator: ","))]}"#
}

/// The actions of the first webhook's trigger in an event response.
func actionReports(_ response: (status: Int, body: JSONValue), webhook: Int = 0) -> [JSONValue] {
    response.body["outcome"]?["webhooks"]?.arrayValue?[safe: webhook]?["trigger"]?["actions"]?.arrayValue ?? []
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

@Suite("Mail action and actions that change the chat, end to end")
struct ActionFlowTests {
    @Test("the seed's survey example: survey.filled sends an e-mail to the department's address, received by a real SMTP server")
    func surveyMail() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await SMTPSink.with { sink in
            var configuration = testConfiguration(databaseURL: database.url)
            configuration.smtp = SMTPConfiguration(host: "127.0.0.1", port: sink.port, tls: .none)
            configuration.mailFrom = "hookwork@example.com"
            let app = try await makeApp(configuration)
            try await app.test(.router) { client in
                #expect(
                    try await client.call(.put, "/api/v1/departments/3", token: ingestToken, json: #"{"name":"Sales","email":"sales@example.com"}"#)
                        .status == 200)
                let mail = #"""
                    {"type":"mail","content":{"text":"Chat {args.chat.id}: {args.chat.nick} filled the survey.\n.\nDepartment: {args.chat.department.name}",
                     "mail_options":{"recipient":"{args.chat.department.email}","subject":"Survey filled by {args.chat.nick}","from_name":"Hookwork","reply_to":"{args.chat.email}"}}}
                    """#
                #expect(try await client.call(.post, "/api/v1/triggers", json: triggerJSON("Send mail", [mail])).status == 201)
                let webhook = #"{"name":"Survey filled","event":"survey.filled","type":0,"trigger_id":1,"configuration":[]}"#
                #expect(try await client.call(.post, "/api/v1/webhooks", json: webhook).status == 201)
                let event = #"{"event":"survey.filled","id":"s-1","args":{"chat":{"id":7,"nick":"Rūta","email":"ruta@example.org","dep_id":3}}}"#
                let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: event)
                let action = try #require(actionReports(response).first)
                #expect(action["type"] == "mail")
                #expect(action["status"] == "sent", "\(action)")
                #expect(action["to"] == ["sales@example.com"])
            }
            let message = try #require(sink.messages.first)
            #expect(sink.messages.count == 1)
            #expect(message["mail_from"] == "hookwork@example.com")
            #expect(message["rcpt_tos"] == ["sales@example.com"])
            #expect(message["subject"] == "Survey filled by Rūta")
            #expect(message["from"] == "Hookwork <hookwork@example.com>")
            #expect(message["reply_to"] == "ruta@example.org")
            #expect(message["body"] == "Chat 7: Rūta filled the survey.\n.\nDepartment: Sales\n")
        }
    }

    @Test("a mail action whose recipient renders empty, or with no SMTP server configured, fails with the reason")
    func mailFailures() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        var configuration = testConfiguration(databaseURL: database.url)
        configuration.mailFrom = "hookwork@example.com"
        let app = try await makeApp(configuration)
        try await app.test(.router) { client in
            let noRecipient = #"{"type":"mail","content":{"text":"x","mail_options":{"recipient":"{args.chat.department.email}","subject":"s"}}}"#
            let fine = #"{"type":"mail","content":{"text":"x","mail_options":{"recipient":"a@example.com","subject":"s"}}}"#
            #expect(try await client.call(.post, "/api/v1/triggers", json: triggerJSON("Mail", [noRecipient, fine])).status == 201)
            #expect(try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook()).status == 201)
            let actions = actionReports(try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent))
            #expect(actions.count == 2)
            #expect(actions.first?["status"] == "failed")
            #expect(actions.first?["error"]?.stringValue?.contains("mail_options.recipient") == true)
            #expect(actions.last?["status"] == "failed")
            #expect(actions.last?["error"]?.stringValue?.contains("HOOKWORK_SMTP_URL") == true)
        }
    }

    @Test("actions that change the chat update the stored chat, reach the callback URL as signed commands, and later actions see the change")
    func chatActions() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await Receiver.with { receiver, port in
            var configuration = testConfiguration(databaseURL: database.url)
            configuration.callbackURL = "http://127.0.0.1:\(port)/hookwork/commands"
            configuration.callbackSecrets = ["whsec_Y2FsbGJhY2stc2VjcmV0LW9mLTMyLWJ5dGVzLWxvbmc="]
            let app = try await makeApp(configuration)
            try await app.test(.router) { client in
                let actions = [
                    #"{"type":"alert_icon","content":{"alert_icon":"star","attr_options":{"aicon_color":"red"}}}"#,
                    #"{"type":"alert_icon","content":{"alert_icon":"star"}}"#,
                    #"{"type":"command","content":{"command":"chatvariable","payload":"{\"lang\":\"lt\",\"vip\":true}"}}"#,
                    #"{"type":"command","content":{"command":"setchatattribute","payload":"remarks","payload_arg":"VIP {args.chat.nick}"}}"#,
                    #"{"type":"command","content":{"command":"setchatattribute","payload":"remarks","payload_arg":"other","update_if_empty":true}}"#,
                    #"{"type":"text","content":{"text":"Hello {args.chat.nick}, remarks: {args.chat.remarks}"}}"#,
                    #"{"type":"text","content":{"text":"A note","attr_options":{"as_system":true}}}"#,
                    #"{"type":"command","content":{"command":"stopchat"}}"#,
                    #"{"type":"command","content":{"command":"setdepartment","payload":"4"}}"#,
                    #"{"type":"command","content":{"command":"closechat"}}"#,
                    #"{"type":"alert_icon","content":{"alert_icon":"star","attr_options":{"remove_icon":true}}}"#,
                ]
                #expect(try await client.call(.post, "/api/v1/triggers", json: triggerJSON("Change the chat", actions)).status == 201)
                #expect(try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook()).status == 201)
                let event = #"{"event":"chat.close","id":"c-1","args":{"chat":{"id":7,"nick":"Ann","status":5,"dep_id":3}}}"#
                let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: event)
                let reports = actionReports(response)
                #expect(
                    reports.map { $0["status"]?.stringValue ?? "" } == [
                        "done", "unchanged", "done", "done", "unchanged", "done", "done", "done", "done", "done", "done",
                    ], "\(reports)")
                #expect(reports[1]["reason"] == "icon star is already set")
                #expect(reports[5]["message"]?["msg"] == "Hello Ann, remarks: VIP Ann")

                let chat = try await client.call(.get, "/api/v1/chats/7", token: ingestToken).body
                #expect(chat["status"] == 2)
                #expect(chat["dep_id"] == 4)
                #expect(chat["remarks"] == "VIP Ann")
                let variables = try JSONValue(parsing: chat["chat_variables"]?.stringValue ?? "{}")
                #expect(variables["lang"] == "lt")
                #expect(variables["old"] == nil, "a null value removes the variable")
                #expect(variables["aicons"] == .object(JSONObject()))

                let messages = try await client.call(.get, "/api/v1/messages?chat_id=7", token: ingestToken).body
                let stored = messages.arrayValue ?? messages["items"]?.arrayValue ?? []
                #expect(stored.map { $0["user_id"]?.intValue ?? 0 } == [-2, -1])
                #expect(chat["last_msg_id"] == stored.first?["id"])
            }
            let commands = try await receiver.waitFor(9)
            #expect(commands.count == 9)
            let bodies = commands.compactMap { try? JSONValue(parsing: $0.body) }
            #expect(
                bodies.map { $0["command"]?.stringValue ?? "" } == [
                    "alert_icon", "chatvariable", "setchatattribute", "text", "text", "stopchat", "setdepartment", "closechat", "alert_icon",
                ])
            #expect(commands.allSatisfy { $0.path == "/hookwork/commands" })
            #expect(bodies.allSatisfy { $0["chat_id"] == 7 && $0["webhook_id"] == 1 && $0["trigger_id"] == 1 })
            #expect(bodies[0]["changes"]?["aicons"]?["star"]?["aicon_color"] == "red")
            #expect(bodies[5]["changes"]?["status"] == 0)
            let textCommand = bodies[3]
            #expect(textCommand["message"]?["msg"] == "Hello Ann, remarks: VIP Ann")
            #expect(textCommand["message"]?["user_id"] == -2)
            #expect((textCommand["message"]?["id"]?.intValue ?? 0) > 0)
            // Signed the Standard Webhooks way: HMAC-SHA256 over "id.timestamp.body".
            let first = try #require(commands.first)
            let id = try #require(first.headers["webhook-id"])
            let timestamp = try #require(first.headers["webhook-timestamp"])
            #expect(
                first.headers["webhook-signature"] == "v1,"
                    + hmacBase64(key: "callback-secret-of-32-bytes-long", text: "\(id).\(timestamp).\(first.body)"))
        }
    }

    @Test("dispatchevent and alert_icon raise their events (alert_icon only when it changed); transfertobot and chatattribute")
    func raisedEvents() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            let actions = [
                #"{"type":"command","content":{"command":"transfertobot"}}"#,
                #"{"type":"command","content":{"command":"chatattribute","payload":"[{\"identifier\":\"plan\",\"key\":\"Plan\",\"value\":\"{args.chat.nick}-gold\"}]"}}"#,
                #"{"type":"alert_icon","content":{"alert_icon":"flag"}}"#,
                #"{"type":"alert_icon","content":{"alert_icon":"flag"}}"#,
                #"{"type":"command","content":{"command":"dispatchevent","payload":"escalate"}}"#,
            ]
            #expect(try await client.call(.post, "/api/v1/triggers", json: triggerJSON("Raise", actions)).status == 201)
            let note = #"{"type":"command","content":{"command":"setchatattribute","payload":"remarks","payload_arg":"seen {args.chat.status}"}}"#
            #expect(try await client.call(.post, "/api/v1/triggers", json: triggerJSON("Note", [note])).status == 201)
            let icon = #"{"type":"command","content":{"command":"chatvariable","payload":"{\"icon_event\":\"{args.icon}\"}"}}"#
            #expect(try await client.call(.post, "/api/v1/triggers", json: triggerJSON("Icon", [icon])).status == 201)
            #expect(try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook()).status == 201)
            let dispatched =
                #"{"name":"Dispatched","event":"chat.genericbot_chat_command_dispatch_event","type":0,"trigger_id":2,"configuration":[{"type":"3","attr":"{args.action.content.payload}","condition":"eq","value":"escalate"}]}"#
            #expect(try await client.call(.post, "/api/v1/webhooks", json: dispatched).status == 201)
            let iconHook = #"{"name":"Icon","event":"chat.bot.alert_icon","type":0,"trigger_id":3,"configuration":[]}"#
            #expect(try await client.call(.post, "/api/v1/webhooks", json: iconHook).status == 201)
            let event = #"{"event":"chat.close","id":"r-1","args":{"chat":{"id":7,"nick":"Ann","status":1}}}"#
            let reports = actionReports(try await client.call(.post, "/api/v1/events", token: ingestToken, json: event))
            #expect(reports.map { $0["status"]?.stringValue ?? "" } == ["done", "done", "done", "unchanged", "done"], "\(reports)")
            #expect(reports[2]["events"]?.arrayValue?.count == 1)
            #expect(reports[3]["events"] == nil)
            #expect(reports[4]["events"]?.arrayValue?.first?["webhooks"]?.arrayValue?.first?["valid"] == true)

            let chat = try await client.call(.get, "/api/v1/chats/7", token: ingestToken).body
            #expect(chat["status"] == 5)
            #expect(chat["remarks"] == "seen 5")
            let data = try JSONValue(parsing: chat["additional_data"]?.stringValue ?? "[]")
            #expect(data.arrayValue?.first?["value"] == "Ann-gold")
            let variables = try JSONValue(parsing: chat["chat_variables"]?.stringValue ?? "{}")
            #expect(variables["icon_event"] == "flag")
        }
    }

    @Test("a bot message a trigger writes is announced as chat.web_add_msg_admin; a self-feeding chain stops at the loop guard")
    func webAddMsgAdminLoopGuard() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            let text = #"{"type":"text","content":{"text":"Reply to {args.msg.msg__or__chat.nick}"}}"#
            #expect(try await client.call(.post, "/api/v1/triggers", json: triggerJSON("Say", [text])).status == 201)
            #expect(try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook()).status == 201)
            let echo = #"{"name":"Echo","event":"chat.web_add_msg_admin","type":0,"trigger_id":1,"configuration":[]}"#
            #expect(try await client.call(.post, "/api/v1/webhooks", json: echo).status == 201)
            let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent)
            #expect(response.status == 200)
            let messages = try await client.call(.get, "/api/v1/messages?chat_id=7", token: ingestToken).body
            let stored = messages.arrayValue ?? messages["items"]?.arrayValue ?? []
            // The first message, then one per nesting level up to the guard.
            #expect(stored.count == 1 + RaisedEvents.maxDepth)
            #expect(stored.first?["msg"] == "Reply to Ann")
            #expect(stored.dropFirst().first?["msg"] == "Reply to Reply to Ann")
            let outcome = response.body.jsonText()
            #expect(outcome.contains(#""stopped":"loop_guard""#))
            #expect(outcome.contains(#""depth":\#(RaisedEvents.maxDepth)"#))

            // no_auto_events: the message is written and not announced.
            let quiet = #"{"event":"chat.close","id":"quiet","args":{"no_auto_events":true,"chat":{"id":8,"nick":"Bob","status":2}}}"#
            #expect(try await client.call(.post, "/api/v1/events", token: ingestToken, json: quiet).status == 200)
            let quietMessages = try await client.call(.get, "/api/v1/messages?chat_id=8", token: ingestToken).body
            #expect((quietMessages.arrayValue ?? quietMessages["items"]?.arrayValue ?? []).count == 1)
        }
    }
}

/// Base64 of HMAC-SHA256(key, text), as a receiver checks a Standard Webhooks signature.
func hmacBase64(key: String, text: String) -> String {
    let mac = HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: Array(key.utf8)))
    return Data(mac).base64EncodedString()
}

@Suite("Saving triggers: actions are checked")
struct ActionValidationTests {
    @Test(
        "a malformed action is refused naming its member",
        arguments: [
            (#"{"type":"mail","content":{"text":"x","mail_options":{"subject":"s"}}}"#, "actions[1].content.mail_options.recipient"),
            (#"{"type":"mail","content":{"mail_options":"to me"}}"#, "actions[1].content.mail_options"),
            (
                #"{"type":"mail","content":{"mail_options":{"recipient":"a@example.com","parse_bbcode":"yes"}}}"#,
                "actions[1].content.mail_options.parse_bbcode"
            ),
            (#"{"type":"text","content":{"text":""}}"#, "actions[1].content.text"),
            (#"{"type":"command","content":{"command":"chatvariable","payload":"lang=lt"}}"#, "actions[1].content.payload"),
            (#"{"type":"command","content":{"command":"chatattribute","payload":"{}"}}"#, "actions[1].content.payload"),
            (#"{"type":"command","content":{}}"#, "actions[1].content.command"),
            (
                #"{"type":"restapi","content":{"rest_api":1,"rest_api_method":"close","rest_api_method_output":{"ok":"two"}}}"#,
                "actions[1].content.rest_api_method_output.ok"
            ),
        ]
    )
    func refused(action: String, field: String) async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            #expect(try await client.call(.post, "/api/v1/rest_apis", json: Fixture.restAPI(port: 9)).status == 201)
            let first = #"{"type":"text","content":{"text":"fine"}}"#
            let response = try await client.call(.post, "/api/v1/triggers", json: triggerJSON("T", [first, action]))
            #expect(response.status == 422)
            #expect(response.body["error"]?["field"]?.stringValue == field, "\(response.body)")
        }
    }

    @Test("a reference action type or command Hookwork does not run is saved with a warning naming it")
    func warnings() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            let actions = [#"{"type":"buttons","content":{}}"#, #"{"type":"command","content":{"command":"loopvariable","payload":"1"}}"#]
            let response = try await client.call(.post, "/api/v1/triggers", json: triggerJSON("T", actions))
            #expect(response.status == 201)
            let fields = response.body["warnings"]?.arrayValue?.compactMap { $0["field"]?.stringValue }
            #expect(fields == ["actions[0].type", "actions[1].content.command"])
        }
    }
}

@Suite("Actions in queue mode and their configuration")
struct ActionQueueTests {
    @Test("queue worker: a text action stores the bot message and its announcement runs the web_add_msg_admin webhook")
    func queued() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await Receiver.with { receiver, port in
            var configuration = testConfiguration(worker: .queue, databaseURL: database.url)
            configuration.callbackURL = "http://127.0.0.1:\(port)/commands"
            let app = try await makeApp(configuration)
            try await app.test(.live) { client in
                let text = #"{"type":"text","content":{"text":"Thanks, {args.chat.nick}"}}"#
                let variable = #"{"type":"command","content":{"command":"chatvariable","payload":"{\"seen\":\"{args.msg.msg}\"}"}}"#
                #expect(try await client.call(.post, "/api/v1/triggers", json: triggerJSON("Say", [text])).status == 201)
                #expect(try await client.call(.post, "/api/v1/triggers", json: triggerJSON("Note", [variable])).status == 201)
                #expect(try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook()).status == 201)
                let echo = #"{"name":"Seen","event":"chat.web_add_msg_admin","type":0,"trigger_id":2,"configuration":[]}"#
                #expect(try await client.call(.post, "/api/v1/webhooks", json: echo).status == 201)
                let accepted = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent)
                #expect(accepted.status == 202)
                let done = try await waitForOutcome(client, eventID: accepted.body["event_id"]?.intValue ?? 0)
                #expect(done["status"] == "done")
                let chat = try await client.call(.get, "/api/v1/chats/7", token: ingestToken).body
                let variables = try JSONValue(parsing: chat["chat_variables"]?.stringValue ?? "{}")
                #expect(variables["seen"] == "Thanks, Ann")
                // The commands are delivered by the delivery workers, in the order they were decided.
                let commands = try await receiver.waitFor(2)
                #expect(commands.compactMap { try? JSONValue(parsing: $0.body)["command"]?.stringValue } == ["text", "chatvariable"])
            }
        }
    }

    @Test("the SMTP and callback settings are read from the environment and a bad value names its key")
    func environment() throws {
        let configuration = try HookworkConfiguration.fromEnvironment([
            "HOOKWORK_SMTP_URL": "smtp://u:p@mail.example.com:587?tls=required", "HOOKWORK_MAIL_FROM": "bot@example.com",
            "HOOKWORK_CALLBACK_URL": "https://chat.example.com/hookwork",
            "HOOKWORK_CALLBACK_SECRETS": "whsec_Y2FsbGJhY2stc2VjcmV0LW9mLTMyLWJ5dGVzLWxvbmc=",
        ])
        #expect(configuration.smtp?.host == "mail.example.com" && configuration.smtp?.port == 587 && configuration.smtp?.tls == .required)
        #expect(configuration.mailFrom == "bot@example.com" && configuration.callbackURL == "https://chat.example.com/hookwork")
        #expect {
            _ = try HookworkConfiguration.fromEnvironment(["HOOKWORK_SMTP_URL": "smtp://mail.example.com?tls=sometimes"])
        } throws: { ($0 as? HookworkConfiguration.Invalid)?.key == "HOOKWORK_SMTP_URL" }
        #expect {
            _ = try HookworkConfiguration.fromEnvironment(["HOOKWORK_CALLBACK_URL": "ftp://x"])
        } throws: { ($0 as? HookworkConfiguration.Invalid)?.key == "HOOKWORK_CALLBACK_URL" }
    }

    @Test("the activity counts a run that changed nothing (an icon removed that was not there) apart from a firing")
    func activitySplitsRunsWithoutChange() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            let remove = triggerJSON(
                "Remove the star", [#"{"type":"alert_icon","content":{"alert_icon":"star","attr_options":{"remove_icon":true}}}"#])
            let add = triggerJSON("Add the star", [#"{"type":"alert_icon","content":{"alert_icon":"star"}}"#])
            #expect(try await client.call(.post, "/api/v1/triggers", json: remove).status == 201)
            #expect(try await client.call(.post, "/api/v1/triggers", json: add).status == 201)
            #expect(try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook()).status == 201)
            let second = #"{"name":"Star","event":"chat.close","type":0,"bot_id":1,"trigger_id":2,"configuration":"[]"}"#
            #expect(try await client.call(.post, "/api/v1/webhooks", json: second).status == 201)
            let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "e-1", chat: 7))
            let statuses = [0, 1].compactMap { actionReports(response, webhook: $0).first?["status"]?.stringValue }
            #expect(statuses.sorted() == ["done", "unchanged"], "\(response.body)")
            let buckets = try await client.call(.get, "/api/v1/activity?window=hour").body["buckets"]?.arrayValue ?? []
            #expect(buckets.reduce(0) { $0 + ($1["firings"]?.intValue ?? 0) } == 1)
            #expect(buckets.reduce(0) { $0 + ($1["runs_without_change"]?.intValue ?? 0) } == 1)
        }
    }
}
