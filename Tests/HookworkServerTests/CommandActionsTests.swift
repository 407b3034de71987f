import Foundation
import HTTPTypes
import HookworkCore
import HookworkEngine
import HummingbirdTesting
import Testing

@testable import HookworkServer

@Suite("More command subcommands (spec §8.2): subjects, live attributes, bot lock, message attributes")
struct CommandActionsTests {
    @Test("each command changes the stored chat or message as the reference does, and reaches the callback URL")
    func commands() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await Receiver.with { receiver, port in
            var configuration = testConfiguration(databaseURL: database.url)
            configuration.callbackURL = "http://127.0.0.1:\(port)/hookwork/commands"
            let app = try await makeApp(configuration)
            try await app.test(.router) { client in
                func command(_ name: String, _ extra: String = "") -> String {
                    #"{"type":"command","content":{"command":"\#(name)"\#(extra)}}"#
                }
                let actions = [
                    command("disableuntillopmsg"), command("disableuntillopmsg"),
                    command("setsubject", #","payload":"3""#), command("setsubject", #","payload":"3""#),
                    command("setsubject", #","payload":"3","remove_subject":true"#),
                    command("setliveattr", #","payload":"[\"lhc\",\"plan\"]","payload_arg":"\"gold\"""#),
                    command("removeprocess"),
                    command("metamsg", #","payload":"{\"sentiment\":\"positive\",\"old\":null}""#),
                    command("messageattribute", #","payload":"msg","payload_arg":"edited for {args.chat.nick}""#),
                    command("messageattribute", #","payload":"meta_msg","payload_arg":"{\"content\":{\"buttons\":[1],\"html\":\"x\"}}""#),
                    command("messageaggregation", #","msg_type_all":1,"payload":"messages","payload_arg_type":"count""#),
                ]
                #expect(try await client.call(.post, "/api/v1/triggers", json: triggerJSON("Commands", actions)).status == 201)
                #expect(try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook(event: "chat.addmsguser")).status == 201)
                let event =
                    #"{"event":"chat.addmsguser","id":"m-1","args":{"chat":{"id":7,"nick":"Ann","status":5,"dep_id":3,"last_msg_id":41},"msg":{"id":41,"chat_id":7,"user_id":0,"msg":"hi","time":1764000000,"meta_msg":"{\"old\":1}"}}}"#
                let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: event)
                let reports = actionReports(response)
                #expect(
                    reports.map { $0["status"]?.stringValue ?? "" } == [
                        "done", "unchanged", "done", "unchanged", "done", "done", "done", "done", "done", "done", "done",
                    ], "\(reports)")
                #expect(reports[2]["events"]?.arrayValue?.count == 1)

                let chat = try await client.call(.get, "/api/v1/chats/7", token: ingestToken).body
                let variables = try JSONValue(parsing: chat["chat_variables"]?.stringValue ?? "{}")
                #expect(variables["bot_lock_msg"] == 41, "\(chat)")
                #expect(variables["messages"] == 2, "the visitor's message and the widget message")
                #expect(chat["subject_ids"] == .array([]))

                let listed = try await client.call(.get, "/api/v1/messages?chat_id=7", token: ingestToken).body
                let messages = listed.arrayValue ?? listed["items"]?.arrayValue ?? []
                let original = try #require(messages.first { $0["id"] == 41 })
                #expect(original["msg"] == "edited for Ann")
                let meta = try JSONValue(parsing: original["meta_msg"]?.stringValue ?? "{}")
                #expect(meta == .object(JSONObject([("sentiment", "positive"), ("content", .object(JSONObject([("html", "x")])))])), "\(meta)")
                let widget = try #require(messages.first { $0["user_id"] == -2 })
                #expect(widget["msg"] == "")
                let execute = try JSONValue(parsing: widget["meta_msg"]?.stringValue ?? "{}")["content"]?["execute_js"]
                #expect(execute?["chat_emit"] == "attr_set")
                #expect(
                    try JSONValue(parsing: execute?["ext_args"]?.stringValue ?? "")
                        == .object(JSONObject([("attr", .array(["lhc", "plan"])), ("data", "gold")])))
                #expect(chat["last_msg_id"] == widget["id"])
            }
            let commands = try await receiver.waitFor(9)
            let names = commands.compactMap { try? JSONValue(parsing: $0.body) }.map { $0["command"]?.stringValue ?? "" }
            #expect(
                names == [
                    "disableuntillopmsg", "setsubject", "setsubject", "setliveattr", "removeprocess", "metamsg", "messageattribute",
                    "messageattribute", "messageaggregation",
                ])
            let edit = commands.compactMap { try? JSONValue(parsing: $0.body) }.first { $0["command"] == "metamsg" }
            #expect(edit?["message_changes"]?["id"] == 41)
        }
    }

    @Test(
        "malformed commands are refused naming the field",
        arguments: [
            (#"{"type":"command","content":{"command":"setsubject"}}"#, "actions[0].content.payload"),
            (#"{"type":"command","content":{"command":"metamsg","payload":"[1]"}}"#, "actions[0].content.payload"),
            (#"{"type":"command","content":{"command":"messageattribute","payload":"colour","payload_arg":"x"}}"#, "actions[0].content.payload"),
            (#"{"type":"command","content":{"command":"setliveattr","payload":""}}"#, "actions[0].content.payload"),
            (
                #"{"type":"command","content":{"command":"messageaggregation","payload":"n","payload_arg_type":"median"}}"#,
                "actions[0].content.payload_arg_type"
            ),
        ]
    )
    func refused(action: String, field: String) async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            let response = try await client.call(.post, "/api/v1/triggers", json: triggerJSON("T", [action]))
            #expect(response.status == 422)
            #expect(response.body["error"]?["field"]?.stringValue == field, "\(response.body)")
        }
    }
}
