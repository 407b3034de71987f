import Foundation
import HTTPTypes
import HookworkCore
import HookworkEngine
import HookworkStore
import HummingbirdTesting
import Synchronization
import Testing

@testable import HookworkServer

/// A Rest API whose methods cover the fields of spec §8.3, pointing at `port`.
func restAPIJSON(port: Int, methods: [String]) -> String {
    #"{"name":"Full","configuration":{"host":"http://127.0.0.1:\#(port)","parameters":[\#(methods.joined(separator: ","))]}}"#
}

/// Runs one event through a fresh server with `api`, the triggers and a chat.close webhook on trigger 1.
func runEvent(
    api: String, triggers: [String], event: String = Fixture.closeEvent, configuration: HookworkConfiguration? = nil,
    sender: (any HTTPSender)? = nil, settle: @Sendable (any TestClientProtocol) async throws -> Void = { _ in }
) async throws -> (status: Int, body: JSONValue) {
    let database = temporaryDatabaseURL()
    defer { try? FileManager.default.removeItem(at: database.folder) }
    let store = try await makeStore(url: database.url, logger: testLogger)
    let app = try await buildApplication(
        configuration: configuration ?? testConfiguration(databaseURL: database.url),
        dependencies: ServerDependencies(store: store, sender: sender, logger: testLogger)
    )
    return try await app.test(.router) { client in
        #expect(
            try await client.call(.put, "/api/v1/departments/3", token: ingestToken, json: #"{"name":"Sales","email":"sales@example.com"}"#).status
                == 200)
        let created = try await client.call(.post, "/api/v1/rest_apis", json: api)
        #expect(created.status == 201, "\(created.body)")
        for trigger in triggers {
            let saved = try await client.call(.post, "/api/v1/triggers", json: trigger)
            #expect(saved.status == 201, "\(saved.body)")
        }
        #expect(try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook()).status == 201)
        let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: event)
        // Calls that follow a response (output triggers) are made by the delivery workers, while the server runs.
        try await settle(client)
        return response
    }
}

/// Waits until `condition` holds (at most `seconds`).
func eventually(seconds: Double = 10, _ condition: @Sendable () -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
}

func restAction(_ method: String, extra: String = "") -> String {
    #"{"type":"restapi","content":{"rest_api":1,"rest_api_method":"\#(method)"\#(extra)}}"#
}

@Suite("Rest API action: every field group against a real local HTTP server")
struct RestAPIActionTests {
    @Test("PATCH with query, headers and basic auth; bearer; API key in the header and in the query")
    func methodsAndAuthorization() async throws {
        try await ScriptedReceiver.with([:]) { receiver, port in
            let methods = [
                #"{"id":"patch","method":"PATCH","suburl":"/chats/{{args.chat.id}}","query":[{"key":"nick","value":"{{args.chat.nick}}"}],"header":[{"key":"X-Dep","value":"{{args.chat.department.name}}"}],"authorization":"basicauth","auth_username":"{{args.user_data.name}}","auth_password":"pw"}"#,
                #"{"id":"bearer","method":"DELETE","suburl":"/bearer","authorization":"bearer","auth_bearer":"tok-{{args.chat.id}}"}"#,
                #"{"id":"keyheader","method":"GET","suburl":"/keyheader","authorization":"apikey","api_key_location":"header","auth_api_key_name":"X-Api-Key","auth_api_key_key":"k1"}"#,
                #"{"id":"keyquery","method":"PUT","suburl":"/keyquery","query":[{"key":"a","value":"1"}],"authorization":"apikey","api_key_location":"queryparams","auth_api_key_name":"api_key","auth_api_key_key":"k 2"}"#,
            ]
            let trigger = triggerJSON("All", ["patch", "bearer", "keyheader", "keyquery"].map { restAction($0) })
            let response = try await runEvent(api: restAPIJSON(port: port, methods: methods), triggers: [trigger])
            #expect(actionReports(response).map { $0["status"]?.stringValue ?? "" } == ["sent", "sent", "sent", "sent"])
            let patch = try #require(receiver.requests(to: "/chats/7").first)
            #expect(patch.method == "PATCH")
            #expect(patch.path == "/chats/7?nick=Ann")
            #expect(patch.headers["x-dep"] == "Sales")
            #expect(patch.headers["authorization"] == "Basic " + Data("Olga:pw".utf8).base64EncodedString())
            let bearer = try #require(receiver.requests(to: "/bearer").first)
            #expect(bearer.method == "DELETE")
            // Sent as written: the reference substitutes no placeholders in the bearer token (spec §8.3).
            #expect(bearer.headers["authorization"] == "Bearer tok-{{args.chat.id}}")
            #expect(receiver.requests(to: "/keyheader").first?.headers["x-api-key"] == "k1")
            #expect(receiver.requests(to: "/keyquery").first?.path == "/keyquery?a=1&api_key=k+2")
        }
    }

    @Test("bodies: raw with each content type, multipart form-data, form-urlencoded, and user parameters in each place")
    func bodies() async throws {
        try await ScriptedReceiver.with([:]) { receiver, port in
            let methods = [
                #"{"id":"text","method":"POST","suburl":"/text","body_request_type":"raw","body_request_type_content":"text","body_raw":"nick=raw_{{args.chat.nick}}"}"#,
                #"{"id":"xml","method":"POST","suburl":"/xml","body_request_type":"raw","body_request_type_content":"appxml","body_raw":"<nick>raw_{{args.chat.nick}}</nick>"}"#,
                #"{"id":"none","method":"POST","suburl":"/none","body_request_type":"raw","body_raw":"a=1"}"#,
                #"{"id":"multi","method":"POST","suburl":"/multi","body_request_type":"form-data","postparams":[{"key":"nick","value":"{{args.chat.nick}}"},{"key":"dep","value":"{{args.chat.department.name}}"}],"userparams":[{"id":"p1","key":"extra","location":"post_param"}]}"#,
                #"{"id":"urlenc","method":"POST","suburl":"/urlenc","body_request_type":"form-data-urlencoded","postparams":[{"key":"nick","value":"{{args.chat.nick}} & co"}]}"#,
                #"{"id":"user","method":"POST","suburl":"/user","userparams":[{"id":"q","key":"lang","location":""},{"id":"b","key":"note","location":"body_param"}],"body_request_type":"raw","body_request_type_content":"json","body_raw":"{\"note\": {{note}}}"}"#,
            ]
            let actions = [
                restAction("text"), restAction("xml"), restAction("none"),
                restAction("multi", extra: #","rest_api_method_params":{"p1":"for {args.chat.nick}"}"#), restAction("urlenc"),
                restAction("user", extra: #","rest_api_method_params":{"q":"lt","b":"Chat {args.chat.id}"}"#),
            ]
            let response = try await runEvent(api: restAPIJSON(port: port, methods: methods), triggers: [triggerJSON("Bodies", actions)])
            #expect(actionReports(response).allSatisfy { $0["status"] == "sent" }, "\(response.body)")
            #expect(receiver.requests(to: "/text").first?.headers["content-type"] == "text/plain")
            #expect(receiver.requests(to: "/text").first?.body == "nick=Ann")
            #expect(receiver.requests(to: "/xml").first?.headers["content-type"] == "application/xml")
            #expect(receiver.requests(to: "/xml").first?.body == "<nick>Ann</nick>")
            #expect(receiver.requests(to: "/none").first?.headers["content-type"] == "application/x-www-form-urlencoded")

            let multi = try #require(receiver.requests(to: "/multi").first)
            let type = multi.headers["content-type"] ?? ""
            #expect(type.hasPrefix("multipart/form-data; boundary="))
            let boundary = String(type.dropFirst("multipart/form-data; boundary=".count))
            #expect(
                multi.body == """
                    --\(boundary)\r\nContent-Disposition: form-data; name="nick"\r\n\r\nAnn\r\n\
                    --\(boundary)\r\nContent-Disposition: form-data; name="dep"\r\n\r\nSales\r\n\
                    --\(boundary)\r\nContent-Disposition: form-data; name="extra"\r\n\r\nfor Ann\r\n--\(boundary)--\r\n
                    """)

            let urlencoded = try #require(receiver.requests(to: "/urlenc").first)
            #expect(urlencoded.body == "nick=Ann+%26+co")
            #expect(urlencoded.headers["content-type"] == "application/x-www-form-urlencoded")
            #expect(urlencoded.headers["cache-control"] == "no-cache")

            let user = try #require(receiver.requests(to: "/user").first)
            #expect(user.path == "/user?lang=lt")
            #expect(user.body == #"{"note": "Chat 7"}"#)
        }
    }

    @Test("max_execution_time is clamped to 1-360 s (default 10) and TLS verification is on unless switched off")
    func timeLimits() async throws {
        let sender = RecordingSender()
        let methods = [
            #"{"id":"default","method":"GET","suburl":"/a"}"#, #"{"id":"long","method":"GET","suburl":"/b","max_execution_time":360}"#,
            #"{"id":"short","method":"GET","suburl":"/c","max_execution_time":"1"}"#,
        ]
        let api =
            #"{"name":"Insecure","configuration":{"host":"https://127.0.0.1:9","verify_tls":false,"parameters":[\#(methods.joined(separator: ","))]}}"#
        _ = try await runEvent(
            api: api, triggers: [triggerJSON("T", [restAction("default"), restAction("long"), restAction("short")])], sender: sender)
        let sent = sender.sent.withLock { $0 }
        // The inline first attempts may run side by side, so their order is not asserted.
        #expect(sent.sorted { $0.url < $1.url }.map(\.timeoutSeconds) == [10, 360, 1])
        #expect(sent.allSatisfy { !$0.verifyTLS })
        _ = try await runEvent(
            api: restAPIJSON(port: 9, methods: [methods[0]]), triggers: [triggerJSON("T", [restAction("default")])], sender: sender)
        #expect(sender.sent.withLock { $0.last?.verifyTLS } == true)
    }

    @Test("Conditions tab and check_not_empty: a failing condition makes no request and the outcome says which and why")
    func conditionsTab() async throws {
        try await ScriptedReceiver.with([:]) { receiver, port in
            let methods = [
                #"{"id":"bot","method":"POST","suburl":"/bot","conditions":[{"key":"{{args.chat.nick}}","success_condition":"","value":""},{"key":"{{args.chat.status}}","success_condition":"eq","value":"5"}]}"#,
                #"{"id":"closed","method":"POST","suburl":"/closed","conditions":[{"key":"{{args.chat.status}}","success_condition":"gte","value":"2"},{"key":"{{args.chat.nick}}","success_condition":"contains","value":"Ann, Bob"}]}"#,
                #"{"id":"missing","method":"POST","suburl":"/missing","conditions":[{"key":"{{args.chat.email}}","success_condition":"","value":""}]}"#,
                #"{"id":"notempty","method":"POST","suburl":"/notempty","check_not_empty":"{{args.chat.remarks}}"}"#,
            ]
            let trigger = triggerJSON("Cond", ["bot", "closed", "missing", "notempty"].map { restAction($0) })
            let response = try await runEvent(api: restAPIJSON(port: port, methods: methods), triggers: [trigger])
            let reports = actionReports(response)
            #expect(reports.map { $0["status"]?.stringValue ?? "" } == ["skipped", "sent", "skipped", "skipped"])
            #expect(reports[0]["code"] == "conditions_not_met")
            #expect(reports[0]["condition"] == 1)
            #expect(reports[0]["error"]?.stringValue?.contains("does not satisfy eq '5'") == true)
            #expect(reports[2]["error"]?.stringValue?.contains("is not set") == true)
            #expect(reports[3]["code"] == "empty_variable")
            #expect(receiver.requests.map(\.path) == ["/closed"])
        }
    }

    @Test("response rules pick content by path and chain into the output trigger with {content_1..6} and {http_code}")
    func outputRulesChain() async throws {
        let answer = #"""
            {"choices":[{"message":{"content":"Hello Ann"}}],"links":[{"type":"a","url":"/a"},{"type":"forms","url":"/f"}],
             "text":"{\"summary\":\"short\"}","list":[{"type":"first"},{"type":"last"}],"scores":[3,9,4],"status":"ok"}
            """#
        try await ScriptedReceiver.with(["/ask": .init(body: answer)]) { receiver, port in
            let rules = #"""
                [{"id":"never","success_header":"500","success_location":"choices"},
                 {"id":"bad","success_location":"status","success_condition":"eq","success_compare_value":"failed"},
                 {"id":"good","success_header":"200,201","success_location":"choices:0:message:content","success_location_2":"links:[type=forms]:url",
                  "success_location_3":"text___json_text:summary","success_location_4":"list___array_pop:type","success_location_5":"__max__scores",
                  "success_location_6":"__all__","success_condition":"like","success_compare_value":"hello",
                  "success_condition_2":"notempty","success_preg_replace":"Hello==>Hi"}]
                """#
            let methods = [
                #"{"id":"ask","method":"POST","suburl":"/ask","output":\#(rules)}"#,
                #"{"id":"tell","method":"POST","suburl":"/tell","body_request_type":"raw","body_request_type_content":"json","body_raw":"{\"answer\": \"{content_1}\", \"url\": \"{content_2}\", \"summary\": \"{content_3}\", \"last\": \"{content_4}\", \"max\": {content_5}, \"code\": {http_code}, \"chat\": {{args.chat.id}}}"}"#,
            ]
            let first = triggerJSON("Ask", [restAction("ask", extra: #","rest_api_method_output":{"good":2,"bad":3}"#)])
            let second = triggerJSON("Tell", [restAction("tell")])
            let third = triggerJSON("Bad", [restAction("tell")])
            let response = try await runEvent(api: restAPIJSON(port: port, methods: methods), triggers: [first, second, third]) { _ in
                try await eventually { !receiver.requests(to: "/tell").isEmpty }
            }
            let report = try #require(actionReports(response).first)
            #expect(report["output_rule"] == "good", "\(report)")
            #expect(report["content_1"] == "Hi Ann")
            #expect(report["output_trigger"]?["id"] == 2)
            // The output trigger's own call is recorded with the first call's outcome and made by the delivery workers.
            #expect(report["output_trigger"]?["actions"]?.arrayValue?.first?["status"] == "queued")
            let told = try #require(receiver.requests(to: "/tell").first)
            let body = try JSONValue(parsing: told.body)
            #expect(body["answer"] == "Hi Ann")
            #expect(body["url"] == "/f")
            #expect(body["summary"] == "short")
            #expect(body["last"] == "last")
            #expect(body["max"] == 9)
            #expect(body["code"] == 200)
            #expect(body["chat"] == 7)
            #expect(receiver.requests.count == 2)
        }
    }

    @Test("no rule matches: default_trigger runs with the raw body as {content_1}; XML bodies are read with format xml")
    func defaultTriggerAndXML() async throws {
        // As in the reference (PHP's SimpleXML through JSON), an element with text keeps only its text; attributes are
        // read from elements without text.
        let xml = #"<response><status code="1"/><items><item><id>4</id></item><item><id>5</id></item></items></response>"#
        try await ScriptedReceiver.with([
            "/xml": .init(contentType: "application/xml", body: xml), "/plain": .init(status: 404, contentType: "text/plain", body: "nothing here"),
        ]) { receiver, port in
            let methods = [
                #"{"id":"xml","method":"GET","suburl":"/xml","output":[{"id":"x","format":"xml","success_location":"items:item:1:id","success_location_2":"status:@attributes:code"}]}"#,
                #"{"id":"plain","method":"GET","suburl":"/plain","output":[{"id":"ok","success_header":"200"}]}"#,
                #"{"id":"echo","method":"POST","suburl":"/echo","body_request_type":"raw","body_request_type_content":"text","body_raw":"{content_1}|{content_2}|{http_code}"}"#,
            ]
            let first = triggerJSON(
                "Read",
                [
                    restAction("xml", extra: #","rest_api_method_output":{"x":2}"#),
                    restAction("plain", extra: #","rest_api_method_output":{"ok":2,"default_trigger":2}"#),
                ])
            let response = try await runEvent(
                api: restAPIJSON(port: port, methods: methods), triggers: [first, triggerJSON("Echo", [restAction("echo")])]
            ) { _ in try await eventually { receiver.requests(to: "/echo").count >= 2 } }
            let reports = actionReports(response)
            #expect(reports.first?["output_rule"] == "x")
            #expect(reports.last?["output_rule"] == .null)
            #expect(reports.last?["default_trigger"]?["id"] == 2)
            #expect(receiver.requests(to: "/echo").map(\.body).sorted() == ["5|1|200", "nothing here||404"])
        }
    }

    @Test("a response is not written into the chat unless the action asks (save_response)")
    func saveResponse() async throws {
        try await ScriptedReceiver.with(["/ask": .init(contentType: "text/plain", body: "Your order shipped")]) { _, port in
            let methods = [#"{"id":"ask","method":"GET","suburl":"/ask"}"#]
            let trigger = triggerJSON("Ask", [restAction("ask"), restAction("ask", extra: #","attr_options":{"save_response":true}"#)])
            let response = try await runEvent(api: restAPIJSON(port: port, methods: methods), triggers: [trigger])
            let reports = actionReports(response)
            #expect(reports.first?["saved_message"] == nil)
            #expect(reports.last?["saved_message"]?["status"] == "done")
            #expect(reports.last?["saved_message"]?["message"]?["msg"] == "Your order shipped")
            #expect(reports.last?["saved_message"]?["message"]?["user_id"] == -2)
        }
    }

    @Test("a Rest API whose output trigger is its own trigger stops at the loop guard; default_trigger_alt runs beside default_trigger")
    func outputLoopGuard() async throws {
        try await ScriptedReceiver.with(["/again": .init(body: #"{"n":1}"#)]) { receiver, port in
            let methods = [
                #"{"id":"again","method":"GET","suburl":"/again","output":[{"id":"any","success_location":"n"}]}"#,
                #"{"id":"miss","method":"GET","suburl":"/miss","output":[{"id":"never","success_header":"500"}]}"#,
                #"{"id":"side","method":"GET","suburl":"/side"}"#,
            ]
            let looping = triggerJSON("Loop", [restAction("again", extra: #","rest_api_method_output":{"any":1}"#)])
            let stopped = Mutex(false)
            _ = try await runEvent(api: restAPIJSON(port: port, methods: methods), triggers: [looping]) { client in
                try await eventually { receiver.requests(to: "/again").count >= 1 + RaisedEvents.maxDepth }
                // The last call's output trigger is where the loop guard stopped: its attempt log says so.
                let deadline = ContinuousClock.now + .seconds(10)
                while !stopped.withLock({ $0 }), ContinuousClock.now < deadline {
                    let list = try await client.call(.get, "/api/v1/deliveries?limit=1").body
                    if let id = list["deliveries"]?.arrayValue?.first?["id"]?.intValue {
                        let detail = try await client.call(.get, "/api/v1/deliveries/\(id)").body
                        if detail.jsonText().contains(#""stopped":"loop_guard""#) { stopped.withLock { $0 = true } }
                    }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            #expect(receiver.requests(to: "/again").count == 1 + RaisedEvents.maxDepth)
            #expect(stopped.withLock { $0 })
        }
        try await ScriptedReceiver.with([:]) { receiver, port in
            let methods = [
                #"{"id":"miss","method":"GET","suburl":"/miss","output":[{"id":"never","success_header":"500"}]}"#,
                #"{"id":"side","method":"GET","suburl":"/side"}"#, #"{"id":"main","method":"GET","suburl":"/main"}"#,
            ]
            let first = triggerJSON("Miss", [restAction("miss", extra: #","rest_api_method_output":{"default_trigger":2,"default_trigger_alt":3}"#)])
            let response = try await runEvent(
                api: restAPIJSON(port: port, methods: methods),
                triggers: [first, triggerJSON("Main", [restAction("main")]), triggerJSON("Side", [restAction("side")])]
            ) { _ in try await eventually { receiver.requests.count >= 3 } }
            let report = try #require(actionReports(response).first)
            #expect(report["default_trigger"]?["id"] == 2)
            #expect(report["default_trigger_alt"]?["id"] == 3)
            #expect(receiver.requests.map(\.path).sorted() == ["/main", "/miss", "/side"])
            #expect(receiver.requests.first?.path == "/miss")
        }
    }
}
