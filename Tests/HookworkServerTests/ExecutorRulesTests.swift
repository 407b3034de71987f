import Foundation
import HTTPTypes
import HookworkCore
import HookworkEngine
import HummingbirdTesting
import Testing

@testable import HookworkServer

@Suite("Executor rules of spec §8.1: trigger_condition, skip_resp, trigger_action_id")
struct ExecutorRulesTests {
    @Test("an action runs only when its trigger_condition holds over the trigger's named conditions; skip_resp actions never run")
    func conditionsAndSkipResp() async throws {
        try await ScriptedReceiver.with([:]) { receiver, port in
            let methods = [#"{"id":"hit","method":"POST","suburl":"/hit/{{args.chat.nick}}"}"#]
            let conditions =
                #"{"is_sales":[{"type":"3","attr":"{args.chat.department.name}","condition":"eq","value":"Sales"}],"is_bot":[{"type":"3","attr":"{args.chat.status}","condition":"eq","value":"5"}]}"#
            func hit(_ suffix: String, _ rule: String) -> String {
                #"{"type":"restapi","content":{"rest_api":1,"rest_api_method":"hit","trigger_condition":"\#(rule)","rest_api_method_params":{}},"_id":"\#(suffix)"}"#
            }
            let actions = [
                hit("a", "is_sales"), hit("b", "is_bot"), hit("c", "is_sales && -is_bot"), hit("d", "(is_bot || unknown) && is_sales"),
                hit("e", "-unknown"),
                #"{"type":"restapi","skip_resp":true,"content":{"rest_api":1,"rest_api_method":"hit"}}"#,
            ]
            let trigger = #"{"name":"Rules","conditions":\#(conditions),"actions":[\#(actions.joined(separator: ","))]}"#
            let response = try await runEvent(api: restAPIJSON(port: port, methods: methods), triggers: [trigger])
            let reports = actionReports(response)
            #expect(reports.map { $0["status"]?.stringValue ?? "" } == ["sent", "skipped", "sent", "skipped", "sent", "skipped"], "\(reports)")
            #expect(reports[1]["code"] == "trigger_condition")
            #expect(reports[1]["conditions"]?["is_bot"] == false)
            #expect(reports[3]["conditions"]?["unknown"] == false)
            #expect(reports[5]["code"] == "skip_resp")
            #expect(receiver.requests(to: "/hit/Ann").count == 3)
        }
    }

    @Test("default_trigger_action_id runs only the action with that _id of the default trigger, even when it is marked skip_resp")
    func triggerActionID() async throws {
        try await ScriptedReceiver.with(["/miss": .init(status: 404, contentType: "text/plain", body: "no")]) { receiver, port in
            let methods = [
                #"{"id":"miss","method":"GET","suburl":"/miss","output":[{"id":"ok","success_header":"200"}]}"#,
                #"{"id":"one","method":"POST","suburl":"/one"}"#, #"{"id":"two","method":"POST","suburl":"/two"}"#,
            ]
            let first = triggerJSON(
                "Ask", [restAction("miss", extra: #","rest_api_method_output":{"default_trigger":2,"default_trigger_action_id":"second"}"#)])
            let second =
                #"{"name":"Follow","actions":[{"_id":"first","type":"restapi","content":{"rest_api":1,"rest_api_method":"one"}},{"_id":"second","skip_resp":true,"type":"restapi","content":{"rest_api":1,"rest_api_method":"two"}}]}"#
            let response = try await runEvent(api: restAPIJSON(port: port, methods: methods), triggers: [first, second]) { _ in
                try await eventually { receiver.requests(to: "/two").count >= 1 }
            }
            let followed = actionReports(response).first?["default_trigger"]?["actions"]?.arrayValue ?? []
            #expect(followed.map { $0["status"]?.stringValue ?? "" } == ["skipped", "queued"], "\(response.body)")
            #expect(followed.first?["code"] == "trigger_action_id")
            #expect(receiver.requests(to: "/two").count == 1)
            #expect(receiver.requests(to: "/one").isEmpty)
        }
    }

    @Test(
        "malformed executor rules are refused naming the field",
        arguments: [
            (
                #"{"name":"T","actions":[{"type":"text","content":{"text":"x","trigger_condition":"a && (b"}}]}"#,
                "actions[0].content.trigger_condition"
            ),
            (#"{"name":"T","actions":[{"type":"text","content":{"text":"x","trigger_condition":"a &&"}}]}"#, "actions[0].content.trigger_condition"),
            (#"{"name":"T","actions":[{"type":"text","content":{"text":"x","trigger_condition":5}}]}"#, "actions[0].content.trigger_condition"),
            (#"{"name":"T","actions":[{"type":"text","skip_resp":"maybe","content":{"text":"x"}}]}"#, "actions[0].skip_resp"),
            (#"{"name":"T","actions":[{"type":"text","_id":{"a":1},"content":{"text":"x"}}]}"#, "actions[0]._id"),
            (#"{"name":"T","conditions":[],"actions":[]}"#, "conditions"),
            (#"{"name":"T","conditions":{"vip":"yes"},"actions":[]}"#, "conditions.vip"),
            (
                #"{"name":"T","conditions":{"vip":[{"type":"3","attr":"{args.chat.id}","condition":"equals","value":"1"}]},"actions":[]}"#,
                "conditions.vip[0].condition"
            ),
        ]
    )
    func refused(trigger: String, field: String) async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            let response = try await client.call(.post, "/api/v1/triggers", json: trigger)
            #expect(response.status == 422)
            #expect(response.body["error"]?["field"]?.stringValue == field, "\(response.body)")
        }
    }

    @Test("a trigger_condition naming an undefined condition is saved with a warning (it counts as false)")
    func undefinedIdentifierWarning() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            let trigger =
                #"{"name":"T","conditions":{"vip":[]},"actions":[{"type":"text","content":{"text":"x","trigger_condition":"vip || night"}}]}"#
            let response = try await client.call(.post, "/api/v1/triggers", json: trigger)
            #expect(response.status == 201)
            #expect(response.body["warnings"]?.arrayValue?.compactMap { $0["reason"]?.stringValue }.first?.contains("'night'") == true)
        }
    }
}
