import Foundation
import HookworkCore
import HookworkStore
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import HookworkServer

/// The package's root folder, found from this file's path (Tests/HookworkServerTests/AdminPageTests.swift).
private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite("Admin page: static files")
struct AdminPageAssetTests {
    @Test("GET / answers the page's HTML without a token, and every file it loads is served with its type")
    func pageAndAssets() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: page.body)
            #expect(html.contains(#"<script type="module" src="/admin.js"></script>"#))
            #expect(html.contains(#"<link rel="stylesheet" href="/admin.css">"#))

            let css = try await client.execute(uri: "/admin.css", method: .get)
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")

            // Follow the ES module imports from admin.js: each must be served as JavaScript.
            var pending = ["admin.js"]
            var seen: Set<String> = []
            while let name = pending.popLast() {
                guard seen.insert(name).inserted else { continue }
                let response = try await client.execute(uri: "/" + name, method: .get)
                #expect(response.status == .ok, "\(name)")
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8", "\(name)")
                let source = String(buffer: response.body)
                for line in source.split(separator: "\n") where line.hasPrefix("import ") {
                    guard let start = line.range(of: "from \"./")?.upperBound, let end = line[start...].firstIndex(of: "\"") else { continue }
                    pending.append(String(line[start..<end]))
                }
            }
            #expect(
                seen.isSuperset(of: [
                    "admin.js", "api.js", "ui.js", "webhooks.js", "configuration.js", "deliveries.js", "explorer.js", "dashboard.js",
                ]))

            // The page is public; the API it calls is not.
            #expect(try await client.call(.get, "/api/v1/webhooks", token: nil).status == 401)
            #expect(try await client.execute(uri: "/missing.js", method: .get).status == .notFound)
        }
    }
}

/// Where the browser tests leave their screenshots (ignored by git, like all of `.build`).
let screenshotFolder = packageRoot.appendingPathComponent(".build/screenshots")

/// Starts the real server on a free loopback port, lets `setup` store what the scenario needs, then runs
/// `Tests/Browser/admin_flow.py --scenario NAME` in headless Chromium and expects it to succeed, showing its output otherwise.
func runBrowserScenario(
    _ scenario: String, arguments: [String] = [], setup: @Sendable (any TestClientProtocol) async throws -> [String] = { _ in [] },
    prepare: @Sendable (any Store) async throws -> Void = { _ in }
) async throws {
    let database = temporaryDatabaseURL()
    defer { try? FileManager.default.removeItem(at: database.folder) }
    let prepared = try await makeStore(url: database.url, logger: testLogger)
    try await prepared.migrate()
    try await prepare(prepared)
    try await prepared.shutdown()
    var configuration = testConfiguration(databaseURL: database.url)
    configuration.host = "127.0.0.1"
    let app = try await makeApp(configuration)
    try await app.test(.live) { client in
        let port = try #require(client.port)
        let extra = try await setup(client)
        let output = database.folder.appendingPathComponent("browser-\(scenario).txt")
        let status = try await runPython(
            script: packageRoot.appendingPathComponent("Tests/Browser/admin_flow.py").path,
            arguments: [
                "--base-url", "http://127.0.0.1:\(port)", "--token", adminToken, "--screenshots", screenshotFolder.path, "--scenario", scenario,
            ]
                + arguments + extra,
            output: output
        )
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(status == 0, "admin_flow.py --scenario \(scenario) exited with \(status):\n\(text)")
    }
}

/// Runs `python3 script arguments...` with standard output and error in `output`; returns its exit status.
func runPython(script: String, arguments: [String], output: URL) async throws -> Int32 {
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    let handle = try FileHandle(forWritingTo: output)
    defer { try? handle.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script] + arguments
    process.standardOutput = handle
    process.standardError = handle
    return try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
        do {
            try process.run()
        } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
        }
    }
}

/// The seed's "bot not responding for 60 s" continuous chat webhook (seed/webhooks.txt), as JSON conditions.
let botNotRespondingConditions = """
    [{"type":"3","attr":"{args.chat.status}","condition":"eq","value":"5","logic":"and"},
     {"type":"3","attr":"{args.chat.last_user_msg_time}","condition":"lt","value":"{time}-60","logic":"or"},
     {"type":"3","attr":"{args.chat.last_msg.time}","condition":"lt","value":"{time}-60","logic":"and"},
     {"type":"3","attr":"{args.chat.status_sub}","condition":"neq","value":"3","logic":"and"},
     {"type":"3","attr":"{args.chat.lsync}","condition":"gt","value":"{time}-120","logic":"and"},
     {"type":"3","attr":"{args.chat.last_msg.user_id}","condition":"eq","value":"0","logic":"and"}]
    """

/// Stores chat 42: a bot chat (status 5) of the Support department whose visitor wrote two minutes ago and is still online.
func storeSilentBotChat(_ client: some TestClientProtocol) async throws {
    let now = Int(Date().timeIntervalSince1970)
    #expect(try await client.call(.put, "/api/v1/departments/4", token: ingestToken, json: #"{"name":"Support"}"#).status == 200)
    let chat = try await client.call(
        .put, "/api/v1/chats/42", token: ingestToken,
        json: #"{"nick":"Ann","status":5,"status_sub":0,"dep_id":4,"last_user_msg_time":\#(now - 120),"lsync":\#(now - 10),"last_msg_id":420}"#
    )
    #expect(chat.status == 200, "\(chat.body)")
    let message = try await client.call(
        .put, "/api/v1/messages/420", token: ingestToken, json: #"{"chat_id":42,"user_id":0,"msg":"hello, are you there?","time":\#(now - 120)}"#
    )
    #expect(message.status == 200, "\(message.body)")
}

/// A Rest API calling `port`, a trigger using it and a `chat.close` hook webhook; then one close event, which the
/// `http` worker runs at once, so that one delivery exists.
func configureOneDelivery(_ client: some TestClientProtocol, port: Int) async throws {
    let api = #"""
        {"name":"Receiver","configuration":{"host":"http://127.0.0.1:\#(port)","parameters":[{"id":"notify","name":"Bot did not answer",
         "method":"POST","suburl":"/bot-silent/{{args.chat.id}}","body_request_type":"raw","body_request_type_content":"json",
         "body_raw":"{\"chat_id\": {{args.chat.id}}}"}]}}
        """#
    #expect(try await client.call(.post, "/api/v1/rest_apis", json: api).status == 201)
    #expect(
        try await client.call(
            .post, "/api/v1/triggers",
            json: #"{"name":"Tell the receiver","actions":[{"type":"restapi","content":{"rest_api":1,"rest_api_method":"notify"}}]}"#
        ).status == 201)
    #expect(
        try await client.call(.post, "/api/v1/webhooks", json: #"{"name":"On close","event":"chat.close","type":0,"trigger_id":1}"#).status == 201)
    let event = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "close-42", chat: 42, department: 4))
    #expect(event.status == 200, "\(event.body)")
}

@Suite("Admin page in headless Chromium", .serialized)
struct AdminPageBrowserTests {
    @Test(
        "sign in and out; Rest API, trigger and the seed's bot-not-responding webhook through the forms; a malformed condition's error beside its field; enable, disable, delete"
    )
    func configurationForms() async throws {
        try await runBrowserScenario("core")
    }

    /// Needs `POST /api/v1/webhooks/{id}/test`.
    @Test("the test box runs the webhook against a stored chat and shows the verdict and the per-condition trace")
    func testBox() async throws {
        try await runBrowserScenario("test-box", arguments: ["--chat-id", "42", "--webhook-id", "1"]) { client in
            #expect(try await client.call(.post, "/api/v1/triggers", json: #"{"name":"Nudge","actions":[]}"#).status == 201)
            let webhook = try await client.call(
                .post, "/api/v1/webhooks",
                json: #"{"name":"Bot not responding for 60 s","type":1,"trigger_id":1,"configuration":\#(botNotRespondingConditions)}"#)
            #expect(webhook.status == 201, "\(webhook.body)")
            try await storeSilentBotChat(client)
            return []
        }
    }

    /// Needs `GET /api/v1/chats/{id}/explore` and `/extract`.
    @Test("the chat explorer lists every {args.chat.*} attribute of a stored chat, extracts one, and asks why a webhook fires or not for it")
    func chatExplorer() async throws {
        try await runBrowserScenario("explorer", arguments: ["--chat-id", "42"]) { client in
            try await storeSilentBotChat(client)
            #expect(try await client.call(.post, "/api/v1/triggers", json: #"{"name":"Nudge","actions":[]}"#).status == 201)
            let webhook = try await client.call(
                .post, "/api/v1/webhooks",
                json: #"{"name":"Bot not responding for 60 s","type":1,"trigger_id":1,"configuration":\#(botNotRespondingConditions)}"#)
            #expect(webhook.status == 201, "\(webhook.body)")
            return []
        }
    }

    /// Needs the delivery log, delivery replay and `GET /api/v1/breakers`.
    @Test("the delivery log shows the call an event caused, its request and response, replays it, and lists the host's breaker")
    func deliveries() async throws {
        try await Receiver.with { _, port in
            try await runBrowserScenario("deliveries", arguments: ["--receiver-url", "http://127.0.0.1:\(port)"]) { client in
                try await configureOneDelivery(client, port: port)
                return []
            }
        }
    }

    /// Needs parked events, tokens and the enabling of a disabled host.
    @Test("an operator replays a parked event, creates, rotates and revokes a token, and enables a host a 410 disabled")
    func operations() async throws {
        try await Receiver.with(respond: { request in (request.path.contains("/bot-silent/42") ? 410 : 200, []) }) { receiver, port in
            try await runBrowserScenario(
                "operations",
                setup: { client in
                    // Chat 42's call is answered 410 Gone, which disables the receiver's host.
                    try await configureOneDelivery(client, port: port)
                    let host = "127.0.0.1:\(port)"
                    #expect(try await client.call(.get, "/api/v1/breakers").body["hosts"]?.arrayValue?.first?["host"] == .string(host))
                    var parked = 0
                    for _ in 0..<250 where parked == 0 {
                        parked = try await client.call(.get, "/api/v1/events/parked").body["total"]?.intValue ?? 0
                        if parked == 0 { try await Task.sleep(for: .milliseconds(20)) }
                    }
                    #expect(parked == 1)
                    return ["--host", host]
                },
                prepare: { store in
                    // What a worker that crashed three times on one event leaves: three claims whose leases ended.
                    let args = try JSONValue(parsing: Fixture.closeEvent(id: "poison", chat: 43, department: 4))["args"] ?? .null
                    // The chat the event carried, as the intake stored it when the event arrived.
                    try await store.put(.chat, id: 43, document: args["chat"]?.objectValue ?? JSONObject())
                    _ = try await store.enqueueEvent(key: "poison", name: "chat.close", args: args, receivedAt: 1_000, runAt: 1_000)
                    for claim in 0..<3 { _ = try await store.claimEvents(limit: 1, now: 1_000 + claim * 10, worker: "crashed", leaseSeconds: 1) }
                    // What two starts that found chat 43 in flight in the crash sentinel leave: a parked chat.
                    for start in 0..<2 {
                        _ = try await store.recordContinuousCrashes(
                            [ContinuousCrash(subject: .chat, id: 43, webhookID: 1, phase: .evaluating)], parkAfter: 2, now: 1_100 + start)
                    }
                }
            )
            // The replayed event ran: its call went (the host was enabled first in the scenario).
            let arrived = try await receiver.waitFor(2)
            #expect(arrived.contains { $0.path == "/bot-silent/43" }, "\(arrived.map(\.path))")
        }
    }

    /// Needs the connections API, its health and sync; Chatwoot is the loopback stand-in (it cannot run here).
    @Test("an administrator creates a Chatwoot connection through the form, sees the intake URL and the health, and syncs it")
    func connections() async throws {
        try await ChatwootStandIn.with { standIn, port in
            let template = try ChatwootPayload.sample("conversation_created.web_widget_open")
            standIn.state.withLock { state in
                state.open = [3001, 3002].map { id in
                    var conversation = template
                    conversation["id"] = .int(id)
                    return conversation
                }
            }
            try await runBrowserScenario("connections", arguments: ["--receiver-url", "http://127.0.0.1:\(port)"]) { _ in [] }
            let listed = standIn.requests.filter { $0.path.contains("/conversations/filter") }
            #expect(listed.count == 1)
            #expect(listed.first?.headers["api_access_token"] == "admin-token")
        }
    }

    /// Needs `GET /api/v1/events` and `POST /api/v1/events` with the admin token.
    @Test("the event log lists events; a test event sent from the page runs its webhook and leads to its delivery; a repeated id is not run")
    func eventLog() async throws {
        try await Receiver.with { receiver, port in
            try await runBrowserScenario("events") { client in
                try await configureOneDelivery(client, port: port)
                return []
            }
            #expect(receiver.requests.map(\.path).filter { $0.hasPrefix("/bot-silent/77") }.count == 1)
        }
    }

    /// Needs `PUT /api/v1/calendars/{id}`.
    @Test("a calendar is made through its form: a wrong time zone and an inverted interval are named beside their fields")
    func calendars() async throws {
        try await runBrowserScenario("calendars") { _ in [] }
    }

    /// Needs the version routes of triggers.
    @Test(
        "a trigger's history shows who changed which member; a restore, and a deleted trigger restored from its history; a shadow webhook lists its would-be firing"
    )
    func history() async throws {
        try await runBrowserScenario("history") { (client: any TestClientProtocol) async throws -> [String] in
            #expect(try await client.call(.post, "/api/v1/triggers", json: #"{"name":"Greeting","actions":[]}"#).status == 201)
            #expect(try await client.call(.patch, "/api/v1/triggers/1", json: #"{"name":"Greeting, renamed"}"#).status == 200)
            #expect(try await client.call(.post, "/api/v1/triggers", json: #"{"name":"Old greeting","actions":[]}"#).status == 201)
            #expect(try await client.call(.delete, "/api/v1/triggers/2").status == 204)
            // A hook webhook in shadow mode, and one event it records a firing for.
            let shadow = #"{"name":"Trial","event":"chat.close","type":0,"trigger_id":1,"mode":"shadow","configuration":[]}"#
            #expect(try await client.call(.post, "/api/v1/webhooks", json: shadow).status == 201)
            let sent = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "shadow-1", chat: 41))
            #expect(sent.status == 200, "\(sent.body)")
            return []
        }
    }

    /// Needs `GET /api/v1/activity`.
    @Test("the dashboard charts the last hour and day and counts the event and its delivery")
    func dashboard() async throws {
        try await Receiver.with { _, port in
            try await runBrowserScenario("dashboard") { client in
                try await configureOneDelivery(client, port: port)
                return []
            }
        }
    }
}
