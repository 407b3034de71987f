import Foundation
import HTTPTypes
import HookworkCore
import HookworkEngine
import HummingbirdTesting
import Testing

@testable import HookworkServer

@Suite("Rest API response variables {http_error}, {http_data} and polling (spec §8.3, §8.3.3)")
struct RestAPIPollingTests {
    @Test("the output trigger receives {http_data} (the request as JSON, credentials masked) and an empty {http_error} for an answered call")
    func httpData() async throws {
        try await ScriptedReceiver.with(["/ask": .init(body: #"{"answer":"yes"}"#)]) { receiver, port in
            let methods = [
                #"{"id":"ask","method":"POST","suburl":"/ask","header":[{"key":"X-Chat","value":"{{args.chat.id}}"}],"authorization":"bearer","auth_bearer":"s3cret","body_request_type":"raw","body_request_type_content":"json","body_raw":"{\"nick\": {{args.chat.nick}}}","output":[{"id":"ok","success_location":"answer"}]}"#,
                #"{"id":"echo","method":"POST","suburl":"/echo","body_request_type":"raw","body_request_type_content":"text","body_raw":"{http_code}|{http_error}|{http_data}"}"#,
            ]
            let first = triggerJSON("Ask", [restAction("ask", extra: #","rest_api_method_output":{"ok":2}"#)])
            _ = try await runEvent(api: restAPIJSON(port: port, methods: methods), triggers: [first, triggerJSON("Echo", [restAction("echo")])]) {
                _ in
                try await eventually { receiver.requests(to: "/echo").count >= 1 }
            }
            let echo = try #require(receiver.requests(to: "/echo").first?.body)
            let parts = echo.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            #expect(parts.count == 3 && parts[0] == "200" && parts[1] == "", "\(echo)")
            let data = try JSONValue(parsing: parts.last ?? "")
            #expect(data["url"] == .string("http://127.0.0.1:\(port)/ask"))
            #expect(data["body"] == #"{"nick": "Ann"}"#)
            #expect(data["headers"]?.arrayValue?.contains(.string("X-Chat: 7")) == true, "\(data)")
            #expect(data["headers"]?.arrayValue?.contains(.string("Authorization: ********")) == true, "\(data)")
            #expect(!echo.contains("s3cret"))
        }
    }

    @Test("a call that gets no answer runs the default trigger with HTTP code 0 and {http_error} saying what failed")
    func httpError() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await ScriptedReceiver.with([:]) { receiver, port in
            let app = try await makeApp(testConfiguration(databaseURL: database.url))
            try await app.test(.router) { client in
                // Port 9 (discard) on loopback: nothing listens, the connection is refused; no retries.
                let dead =
                    #"{"name":"Dead","configuration":{"host":"http://127.0.0.1:9","retry":"none","parameters":[{"id":"ask","method":"GET","suburl":"/ask","output":[{"id":"ok","success_header":"200"}]}]}}"#
                let live =
                    #"{"name":"Live","configuration":{"host":"http://127.0.0.1:\#(port)","parameters":[{"id":"echo","method":"POST","suburl":"/echo","body_request_type":"raw","body_request_type_content":"text","body_raw":"{http_code}|{http_error}"}]}}"#
                #expect(try await client.call(.post, "/api/v1/rest_apis", json: dead).status == 201)
                #expect(try await client.call(.post, "/api/v1/rest_apis", json: live).status == 201)
                let ask = triggerJSON(
                    "Ask", [#"{"type":"restapi","content":{"rest_api":1,"rest_api_method":"ask","rest_api_method_output":{"default_trigger":2}}}"#])
                let echo = triggerJSON("Echo", [#"{"type":"restapi","content":{"rest_api":2,"rest_api_method":"echo"}}"#])
                #expect(try await client.call(.post, "/api/v1/triggers", json: ask).status == 201)
                #expect(try await client.call(.post, "/api/v1/triggers", json: echo).status == 201)
                #expect(try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook()).status == 201)
                _ = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent)
                try await eventually { receiver.requests(to: "/echo").count >= 1 }
            }
            let body = try #require(receiver.requests(to: "/echo").first?.body)
            #expect(body.hasPrefix("0|"), "\(body)")
            #expect(body.count > 2, "the error text is not empty: \(body)")
        }
    }

    @Test("polling repeats the request while the matching rule is as_failed_request, then runs the output trigger once on the last answer")
    func pollingUntilExhausted() async throws {
        try await ScriptedReceiver.with(["/job": .init(body: #"{"state":"pending"}"#)]) { receiver, port in
            let methods = [
                #"{"id":"job","method":"GET","suburl":"/job","polling_n_times":3,"polling_n_delay":1,"polling_no_delay_first":true,"output":[{"id":"wait","success_location":"state","success_condition":"eq","success_compare_value":"pending","as_failed_request":true}]}"#,
                #"{"id":"echo","method":"POST","suburl":"/echo","body_request_type":"raw","body_request_type_content":"text","body_raw":"{content_1}"}"#,
            ]
            let first = triggerJSON("Job", [restAction("job", extra: #","rest_api_method_output":{"wait":2}"#)])
            let response = try await runEvent(
                api: restAPIJSON(port: port, methods: methods), triggers: [first, triggerJSON("Echo", [restAction("echo")])]
            ) { _ in
                try await eventually(seconds: 15) { receiver.requests(to: "/echo").count >= 1 }
            }
            #expect(receiver.requests(to: "/job").count == 3)
            #expect(receiver.requests(to: "/echo").map(\.body) == ["pending"])
            let report = try #require(actionReports(response).first)
            #expect(report["output_trigger"] == nil, "the first answer does not run the output trigger: \(report)")
        }
    }

    @Test(
        "polling waits polling_n_delay before the first request too, and stops at the first answer that matches a rule not marked as_failed_request")
    func pollingStopsOnMatch() async throws {
        try await ScriptedReceiver.with(["/job": .init(body: #"{"state":"done"}"#)]) { receiver, port in
            let methods = [
                #"{"id":"job","method":"GET","suburl":"/job","polling_n_times":5,"polling_n_delay":1,"output":[{"id":"done","success_location":"state","success_condition":"eq","success_compare_value":"done"}]}"#,
                #"{"id":"echo","method":"POST","suburl":"/echo","body_request_type":"raw","body_request_type_content":"text","body_raw":"{content_1}"}"#,
            ]
            let first = triggerJSON("Job", [restAction("job", extra: #","rest_api_method_output":{"done":2}"#)])
            let response = try await runEvent(
                api: restAPIJSON(port: port, methods: methods), triggers: [first, triggerJSON("Echo", [restAction("echo")])]
            ) { _ in
                try await eventually { receiver.requests(to: "/echo").count >= 1 }
            }
            // Without polling_no_delay_first the first request waits polling_n_delay too, so the event's answer has none.
            let report = try #require(actionReports(response).first)
            #expect(report["http_code"] == nil, "\(report)")
            #expect(receiver.requests(to: "/job").count == 1)
            #expect(receiver.requests(to: "/echo").map(\.body) == ["done"])
        }
    }

    @Test(
        "malformed polling settings are refused naming the field",
        arguments: [
            (#""polling_n_times":11"#, "configuration.parameters[0].polling_n_times"),
            (#""polling_n_times":"often""#, "configuration.parameters[0].polling_n_times"),
            (#""polling_n_delay":0"#, "configuration.parameters[0].polling_n_delay"),
        ]
    )
    func refused(field: String, expected: String) async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            let api = #"{"name":"P","configuration":{"host":"http://127.0.0.1:9","parameters":[{"id":"a","method":"GET",\#(field)}]}}"#
            let response = try await client.call(.post, "/api/v1/rest_apis", json: api)
            #expect(response.status == 422)
            #expect(response.body["error"]?["field"]?.stringValue == expected, "\(response.body)")
        }
    }
}
