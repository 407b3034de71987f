import Foundation
import HTTPTypes
import HookworkChatwoot
import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkStore
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import HookworkServer

/// A stand-in for Chatwoot's Application API on loopback. Chatwoot itself cannot run on these machines (it needs
/// Rails, PostgreSQL, Redis and Sidekiq), so this server answers the calls of `shared/platforms/chatwoot/api-calls.md`
/// as that document shows them, keeps each conversation's labels, custom attributes, status and messages, checks the
/// token (a bot may not list messages or read a conversation), and can fail chosen calls.
final class ChatwootStandIn: Sendable {
    enum Failure: Sendable {
        /// Answer 500 without doing anything.
        case error
        /// Do it, then answer 500: the answer is lost, as after a timeout.
        case lostAnswer
    }

    struct State {
        var requests: [ReceivedRequest] = []
        var labels: [Int: [String]] = [:]
        var attributes: [Int: JSONObject] = [:]
        var status: [Int: String] = [:]
        var messages: [Int: [JSONObject]] = [:]
        var nextMessageID = 990_001
        /// The open conversations `POST …/conversations/filter` lists, 25 a page, in this order.
        var open: [JSONObject] = []
        /// Whole conversations `GET …/conversations/{id}` answers with (else a minimal one).
        var conversations: [Int: JSONObject] = [:]
        /// Failures still to make, by conversation, method and path suffix (`1041 POST messages`), in order.
        var failures: [String: [Failure]] = [:]
    }

    let state = Mutex(State())
    static let account = 3

    var requests: [ReceivedRequest] { state.withLock { $0.requests } }

    /// The requests about one conversation, as `METHOD suffix` (`POST messages`, `GET labels`, `GET conversation`).
    func calls(_ conversation: Int) -> [String] {
        requests.compactMap { request in
            guard let (id, suffix) = Self.route(request.path), id == conversation else { return nil }
            return "\(request.method) \(suffix)"
        }
    }

    func fail(_ conversation: Int, _ call: String, with failures: [Failure]) {
        state.withLock { $0.failures["\(conversation) \(call)", default: []] += failures }
    }

    /// Waits until the requests about `conversation` number at least `count` (or 10 s passed).
    func waitFor(_ conversation: Int, count: Int) async throws -> [String] {
        let deadline = ContinuousClock.now + .seconds(10)
        while calls(conversation).count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return calls(conversation)
    }

    /// The conversation id and what follows it (`messages`, `labels`, `conversation` for the conversation itself).
    static func route(_ path: String) -> (Int, String)? {
        let prefix = "/api/v1/accounts/\(account)/conversations/"
        guard path.hasPrefix(prefix) else { return nil }
        let rest = path.dropFirst(prefix.count).split(separator: "?").first ?? ""
        let parts = rest.split(separator: "/")
        guard let id = parts.first.flatMap({ Int($0) }) else { return nil }
        return (id, parts.count > 1 ? String(parts[1]) : "conversation")
    }

    func answer(_ request: ReceivedRequest) -> LoopbackAnswer {
        state.withLock { state in
            state.requests.append(request)
            if request.method == "POST", request.path.hasPrefix("/api/v1/accounts/\(Self.account)/conversations/filter?page=") {
                guard request.headers["api_access_token"] == "admin-token" else {
                    return Self.json(401, #"{"error":"Access to this endpoint is not authorized for bots"}"#)
                }
                let page = Int(request.path.split(separator: "=").last ?? "") ?? 1
                let items = state.open.dropFirst((page - 1) * 25).prefix(25).map(JSONValue.object)
                let meta = JSONObject([("all_count", .int(state.open.count))])
                return Self.json(200, JSONValue.object(JSONObject([("meta", .object(meta)), ("payload", .array(Array(items)))])).jsonText())
            }
            guard let (id, suffix) = Self.route(request.path) else { return Self.json(404, #"{"error":"Resource could not be found"}"#) }
            let token = request.headers["api_access_token"]
            guard token == "bot-token" || token == "admin-token" else { return Self.json(401, #"{"error":"Invalid Access Token"}"#) }
            let call = "\(request.method) \(suffix)"
            if token == "bot-token", call == "GET messages" || call == "GET conversation" {
                return Self.json(401, #"{"error":"Access to this endpoint is not authorized for bots"}"#)
            }
            var failure: Failure?
            if var planned = state.failures["\(id) \(call)"], !planned.isEmpty {
                failure = planned.removeFirst()
                state.failures["\(id) \(call)"] = planned
            }
            if failure == .error { return Self.json(500, #"{"error":"Internal Server Error"}"#) }
            let body = (try? JSONValue(parsing: request.body))?.objectValue ?? JSONObject()
            let answer: LoopbackAnswer
            switch call {
            case "POST messages":
                let messageID = state.nextMessageID
                state.nextMessageID += 1
                var message = JSONObject([("id", .int(messageID)), ("conversation_id", .int(id)), ("message_type", .int(1))])
                for key in ["content", "private", "content_type", "content_attributes"] { message[key] = body[key] ?? .null }
                message["sender"] = .object(JSONObject([("id", .int(3)), ("name", "Hookwork"), ("type", "agent_bot")]))
                state.messages[id, default: []].append(message)
                answer = Self.json(200, JSONValue.object(message).jsonText())
            case "GET messages":
                let payload = JSONValue.array((state.messages[id] ?? []).map(JSONValue.object))
                answer = Self.json(200, JSONValue.object(JSONObject([("meta", .object(JSONObject())), ("payload", payload)])).jsonText())
            case "GET labels":
                answer = Self.json(
                    200, JSONValue.object(JSONObject([("payload", .array((state.labels[id] ?? []).map(JSONValue.string)))])).jsonText())
            case "POST labels":
                state.labels[id] = (body["labels"]?.arrayValue ?? []).compactMap(\.stringValue)
                answer = Self.json(200, JSONValue.object(JSONObject([("payload", body["labels"] ?? .array([]))])).jsonText())
            case "GET conversation":
                if let whole = state.conversations[id] {
                    answer = Self.json(200, JSONValue.object(whole).jsonText())
                    break
                }
                let conversation = JSONObject([
                    ("id", .int(id)), ("custom_attributes", .object(state.attributes[id] ?? JSONObject())),
                    ("status", .string(state.status[id] ?? "open")),
                ])
                answer = Self.json(200, JSONValue.object(conversation).jsonText())
            case "POST custom_attributes":
                state.attributes[id] = body["custom_attributes"]?.objectValue ?? JSONObject()
                answer = Self.json(
                    200, JSONValue.object(JSONObject([("custom_attributes", .object(state.attributes[id] ?? JSONObject()))])).jsonText())
            case "POST toggle_status":
                let word = body["status"]?.stringValue ?? "open"
                state.status[id] = word
                answer = Self.json(
                    200, #"{"meta":{},"payload":{"success":true,"conversation_id":\#(id),"current_status":"\#(word)","snoozed_until":null}}"#)
            case "POST assignments":
                if let team = body["team_id"]?.intValue {
                    answer = Self.json(200, #"{"id":\#(team),"name":"team \#(team)","account_id":3}"#)
                } else if let user = body["assignee_id"]?.intValue {
                    answer = Self.json(200, #"{"id":\#(user),"account_id":3,"name":"Agent \#(user)","role":"agent"}"#)
                } else {
                    answer = Self.json(200, "null")
                }
            case "POST toggle_priority": answer = LoopbackAnswer(status: 200, headers: [], body: "")
            default: answer = Self.json(404, #"{"error":"Resource could not be found"}"#)
            }
            return failure == .lostAnswer ? Self.json(500, #"{"error":"Internal Server Error"}"#) : answer
        }
    }

    static func json(_ status: Int, _ body: String) -> LoopbackAnswer {
        LoopbackAnswer(status: status, headers: [("Content-Type", "application/json; charset=utf-8")], body: body)
    }

    static func with<T: Sendable>(_ body: @Sendable (ChatwootStandIn, Int) async throws -> T) async throws -> T {
        let standIn = ChatwootStandIn()
        return try await withLoopbackServer(answer: { standIn.answer($0) }, { port in try await body(standIn, port) })
    }
}

/// Chatwoot deliveries built from the samples, signed at the time a test chooses.
enum ChatwootPayload {
    static let secret = "whsec-test-secret"

    static func sample(_ name: String) throws -> JSONObject {
        try #require(try JSONValue(parsing: ChatwootSample.load(name).raw).objectValue)
    }

    /// The delivery of `body` as Chatwoot sends it at `time`.
    static func signed(_ body: JSONObject, at time: Int, delivery: String) -> ChatwootSample.Delivery {
        let raw = JSONValue.object(body).jsonText()
        let signature = ChatwootSignature.sign(body: Array(raw.utf8), timestamp: String(time), secret: secret)
        let headers = [
            ("Content-Type", "application/json"), ("X-Chatwoot-Signature", signature), ("X-Chatwoot-Timestamp", String(time)),
            ("X-Chatwoot-Delivery", delivery),
        ]
        return ChatwootSample.Delivery(headers: headers, raw: raw, timestamp: time, deliveryID: delivery)
    }

    /// `message_created` of a message in conversation `conversation` at `time`: the visitor's (the incoming sample)
    /// or an agent's reply (the outgoing sample).
    static func message(_ text: String, id: Int, conversation: Int, at time: Int, fromAgent: Bool = false) throws -> JSONObject {
        var body = try sample(fromAgent ? "message_created.outgoing_agent_reply" : "message_created.incoming_text")
        body["content"] = .string(text)
        body["id"] = .int(id)
        body["created_at"] = .int(time)
        var chat = try #require(body["conversation"]?.objectValue)
        chat["id"] = .int(conversation)
        chat["updated_at"] = .double(Double(time) + 0.5)
        chat["last_activity_at"] = .int(time)
        chat["timestamp"] = .int(time)
        chat["created_at"] = .int(time - 60)
        chat["labels"] = .array([])
        chat["custom_attributes"] = .object(JSONObject())
        if fromAgent {
            chat["first_reply_created_at"] = .int(time)
            chat["waiting_since"] = .null
        } else {
            chat["waiting_since"] = .int(time)
        }
        // The conversation's own message list holds this message only.
        if var first = chat["messages"]?.arrayValue?.first?.objectValue {
            first["id"] = .int(id)
            first["content"] = .string(text)
            first["conversation_id"] = .int(conversation)
            first["created_at"] = .int(time)
            chat["messages"] = .array([.object(first)])
        }
        body["conversation"] = .object(chat)
        return body
    }

    /// `conversation_updated` for a label change of `conversation` to `labels` at `time`.
    static func labelsChanged(conversation: Int, labels: [String], previous: [String], at time: Int) throws -> JSONObject {
        var body = try sample("conversation_updated.labels_changed")
        body["id"] = .int(conversation)
        body["labels"] = .array(labels.map(JSONValue.string))
        body["updated_at"] = .double(Double(time) + 0.7)
        // Nobody is assigned, as in the conversations the tests start.
        var meta = body["meta"]?.objectValue ?? JSONObject()
        meta["assignee"] = .null
        meta["assignee_type"] = .null
        body["meta"] = .object(meta)
        body["changed_attributes"] = .array([
            .object(
                JSONObject([
                    (
                        "label_list",
                        .object(
                            JSONObject([
                                ("previous_value", .array(previous.map(JSONValue.string))), ("current_value", .array(labels.map(JSONValue.string))),
                            ]))
                    )
                ]))
        ])
        return body
    }
}

@Suite("Chatwoot actions back: a trigger's changes become Chatwoot API calls through the outbox")
struct ChatwootActionsTests {
    static let t0 = 1_782_119_646

    /// The seed's "hello / are you there / hi, and no reply from an agent in 25 s" rule, whose trigger posts a message
    /// and adds the `no-reply` label.
    static let conditions =
        "[" + [contains("hello,are you there,hi"), compare("{args.chat.last_user_msg_time}", "lt", "{time}-25")].joined(separator: ",") + "]"
    static let trigger = triggerJSON(
        "Apologise",
        [
            #"{"type":"text","content":{"text":"Sorry for the wait, {args.chat.nick}: an agent is on the way."}}"#,
            #"{"type":"alert_icon","content":{"alert_icon":"no-reply"}}"#,
        ])

    struct Setup: Sendable {
        let client: any TestClientProtocol
        let clock: ManualClock
        let standIn: ChatwootStandIn
        let store: any Store
        let scheduler: ContinuousScheduler

        /// One continuous pass at `time`; the server's delivery worker (on the same clock) makes the calls it decided.
        func pass(at time: Int) async throws -> [[String: JSONValue]] {
            clock.set(time)
            let report = try await scheduler.runPass(now: time)
            return report.fired.map { ["webhook_id": .int($0.webhookID), "id": .int($0.id)] }
        }

        /// The statuses of a chat's deliveries once they are `statuses` (or as they are after 10 s).
        func statuses(chat: Int, becoming statuses: [String]) async throws -> [String] {
            let deadline = ContinuousClock.now + .seconds(10)
            var now: [String] = []
            repeat {
                now = try await deliveries(chat: chat).map { $0["status"]?.stringValue ?? "" }
                if now == statuses { break }
                try await Task.sleep(for: .milliseconds(20))
            } while ContinuousClock.now < deadline
            return now
        }

        /// The outbox's deliveries for a chat, oldest first.
        func deliveries(chat: Int) async throws -> [JSONValue] {
            let log = try await client.call(.get, "/api/v1/deliveries?chat_id=\(chat)").body
            return (log["deliveries"]?.arrayValue ?? []).reversed()
        }

        func deliver(_ body: JSONObject, delivery: String) async throws -> (status: Int, body: JSONValue) {
            try await client.deliver(ChatwootPayload.signed(body, at: clock.now(), delivery: delivery))
        }
    }

    /// The server (SQLite, the http worker, its delivery worker running on the manual clock) with a connection to the
    /// stand-in, the rule and its trigger saved; passes are run by the test.
    static func withSetup(_ body: @Sendable (Setup) async throws -> Void) async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await ChatwootStandIn.with { standIn, port in
            let clock = ManualClock(t0)
            var configuration = testConfiguration(worker: .http, databaseURL: database.url)
            configuration.continuousEnabled = false
            configuration.maxBodyBytes = 1 << 20
            configuration.retrySchedule = try RetrySchedule(text: "30,60,120")
            let store = try await makeStore(url: configuration.databaseURL, logger: testLogger)
            let app = try await buildApplication(
                configuration: configuration,
                dependencies: ServerDependencies(store: store, clock: clock, logger: testLogger, announceAdminToken: { _ in }))
            let sender = AsyncHTTPSender(logger: testLogger, addressPolicy: loopbackAllowed)
            do {
                let engine = makeCommandEngine(configuration: configuration, store: store, sender: sender, logger: testLogger)
                let scheduler = ContinuousScheduler(store: store, executor: engine.executor, clock: clock, logger: testLogger)
                try await app.test(.router) { client in
                    let connection = ChatwootSample.connection.replacingOccurrences(of: "https://chat.acme.example", with: "http://127.0.0.1:\(port)")
                    #expect(try await client.call(.put, "/api/v1/connections/1", json: connection).status == 200)
                    #expect(try await client.call(.post, "/api/v1/triggers", json: trigger).status == 201)
                    #expect(
                        try await client.call(.post, "/api/v1/webhooks", json: continuousWebhook(conditions, firing: #"{"policy":"once"}"#)).status
                            == 201)
                    try await body(
                        Setup(client: client, clock: clock, standIn: standIn, store: store, scheduler: scheduler))
                }
            } catch {
                try? await sender.shutdown()
                throw error
            }
            try await sender.shutdown()
        }
    }

    @Test("the seed's 25 s rule, fed by Chatwoot payloads only: the message and the label at the pass after 25 s, once; not after an agent replied")
    func noReplyRule() async throws {
        try await Self.withSetup { setup in
            let t0 = Self.t0
            // Conversation 1041: the visitor says hello and nobody answers. An agent had added `billing` in Chatwoot
            // a moment ago, which Hookwork has not heard of: it must survive the label change.
            setup.standIn.state.withLock { $0.labels[1041] = ["billing"] }
            #expect(
                try await setup.deliver(try ChatwootPayload.message("hello", id: 884120, conversation: 1041, at: t0), delivery: "d-1").status == 200)
            // Conversation 1042: the visitor says hi, an agent replies 10 s later.
            #expect(
                try await setup.deliver(try ChatwootPayload.message("hi there", id: 884130, conversation: 1042, at: t0), delivery: "d-2").status
                    == 200)
            setup.clock.set(t0 + 10)
            let reply = try ChatwootPayload.message("Hello, I am here", id: 884131, conversation: 1042, at: t0 + 10, fromAgent: true)
            #expect(try await setup.deliver(reply, delivery: "d-3").status == 200)

            let stored = try await setup.client.call(.get, "/api/v1/chats/1041", token: ingestToken).body
            #expect(stored["connection_id"] == 1)
            #expect(stored["last_user_msg_time"] == .int(t0))

            #expect(try await setup.pass(at: t0 + 25).isEmpty)
            #expect(setup.standIn.requests.isEmpty, "nothing is sent before the 25 s have passed")
            #expect(try await setup.pass(at: t0 + 26) == [["webhook_id": 1, "id": 1041]])
            // The commands reach Chatwoot in order: the message (bot token, with the marker), then the labels read and
            // written back with the agent's label kept.
            #expect(try await setup.statuses(chat: 1041, becoming: ["delivered", "delivered"]) == ["delivered", "delivered"])
            let calls = setup.standIn.calls(1041)
            #expect(calls == ["POST messages", "GET labels", "POST labels"])
            let requests = setup.standIn.requests
            let post = try #require(requests.first { $0.method == "POST" && $0.path.hasSuffix("/messages") })
            #expect(post.headers["api_access_token"] == "bot-token")
            let message = try JSONValue(parsing: post.body)
            #expect(message["content"] == "Sorry for the wait, Ann Keller: an agent is on the way.")
            #expect(message["message_type"] == "outgoing")
            #expect(message["private"] == false)
            let marker = try #require(message["content_attributes"]?["hookwork"])
            #expect(marker["command_id"]?.stringValue?.isEmpty == false)
            #expect(setup.standIn.state.withLock { $0.labels[1041] } == ["billing", "no-reply"])
            #expect(setup.standIn.calls(1042).isEmpty, "an agent replied in 1042: nothing is sent there")

            // Later passes decide nothing more: the outbox holds the two commands of the one firing, both applied.
            #expect(try await setup.pass(at: t0 + 27).isEmpty)
            #expect(try await setup.pass(at: t0 + 90).isEmpty)
            let items = try await setup.deliveries(chat: 1041)
            #expect(items.map { $0["url"] } == ["connection:1/text", "connection:1/alert_icon"], "\(items)")
            #expect(items.allSatisfy { $0["status"] == "delivered" && $0["kind"] == "callback" }, "\(items)")
            #expect(try await setup.deliveries(chat: 1042).isEmpty)
            #expect(setup.standIn.calls(1041).count == 3)
            let posted = try #require(setup.standIn.state.withLock { $0.messages[1041]?.first })
            let chatwootID = try #require(posted["id"]?.intValue)
            #expect(try await setup.client.call(.get, "/api/v1/messages/\(chatwootID)", token: ingestToken).body["user_id"] == -2)

            // Chatwoot's webhooks about Hookwork's own changes raise nothing: the bot message's echo and the label change.
            // The message's webhook was rendered when it was created: its conversation has the agent's label only.
            var echo = try ChatwootPayload.message(posted["content"]?.stringValue ?? "", id: chatwootID, conversation: 1041, at: t0 + 26)
            echo["message_type"] = "outgoing"
            echo["sender"] = .object(JSONObject([("id", .int(3)), ("name", "Hookwork"), ("type", "agent_bot")]))
            echo["content_attributes"] = posted["content_attributes"]
            var conversation = try #require(echo["conversation"]?.objectValue)
            conversation["labels"] = ["billing"]
            echo["conversation"] = .object(conversation)
            let echoed = try await setup.deliver(echo, delivery: "d-4")
            #expect(echoed.status == 200)
            #expect(echoed.body["events"] == [], "\(echoed.body)")
            let labels = try ChatwootPayload.labelsChanged(conversation: 1041, labels: ["billing", "no-reply"], previous: ["billing"], at: t0 + 26)
            let changed = try await setup.deliver(labels, delivery: "d-5")
            #expect(changed.status == 200)
            #expect(changed.body["events"] == [], "the label Hookwork added is not a change by someone else: \(changed.body)")
            let variables = ChatwootMapping.variables(
                of: try #require(try await setup.client.call(.get, "/api/v1/chats/1041", token: ingestToken).body.objectValue))
            #expect(variables["cw_labels"] == ["billing", "no-reply"])
            // An agent removing Hookwork's label is a change.
            setup.clock.set(t0 + 40)
            let removed = try ChatwootPayload.labelsChanged(conversation: 1041, labels: ["billing"], previous: ["billing", "no-reply"], at: t0 + 40)
            let events = try await setup.deliver(removed, delivery: "d-6").body["events"]?.arrayValue ?? []
            #expect(events.map { $0["event"] } == ["chat.data_changed"])
        }
    }

    @Test("a message whose first attempt fails, or whose answer is lost, is in Chatwoot once: the retry looks for its marker first")
    func retriedMessageOnce() async throws {
        try await Self.withSetup { setup in
            let t0 = Self.t0
            // 1041: Chatwoot fails the first post outright; 1043: it stores the message but the answer is lost.
            setup.standIn.fail(1041, "POST messages", with: [.error])
            setup.standIn.fail(1043, "POST messages", with: [.lostAnswer])
            #expect(
                try await setup.deliver(try ChatwootPayload.message("hello", id: 884120, conversation: 1041, at: t0), delivery: "d-1").status == 200)
            #expect(
                try await setup.deliver(try ChatwootPayload.message("are you there", id: 884140, conversation: 1043, at: t0 + 1), delivery: "d-2")
                    .status == 200)
            #expect(try await setup.pass(at: t0 + 27).count == 2)
            // The first attempts failed; the label commands wait behind their messages.
            #expect(try await setup.standIn.waitFor(1041, count: 1) == ["POST messages"])
            #expect(try await setup.standIn.waitFor(1043, count: 1) == ["POST messages"])
            #expect(setup.standIn.state.withLock { $0.messages[1041] } == nil)
            #expect(setup.standIn.state.withLock { $0.messages[1043]?.count } == 1)

            // Once both outcomes are stored, the retries fall due (30 s ± 20 %); the server's delivery worker makes them.
            for chat in [1041, 1043] { #expect(try await setup.statuses(chat: chat, becoming: ["failed", "pending"]) == ["failed", "pending"]) }
            setup.clock.set(t0 + 27 + 40)
            let first = try await setup.standIn.waitFor(1041, count: 5)
            #expect(first == ["POST messages", "GET messages", "POST messages", "GET labels", "POST labels"])
            let second = try await setup.standIn.waitFor(1043, count: 4)
            #expect(second == ["POST messages", "GET messages", "GET labels", "POST labels"], "the lost answer's message is found, not posted again")
            let lookup = try #require(setup.standIn.requests.first { $0.method == "GET" && $0.path.hasSuffix("/messages") })
            #expect(lookup.headers["api_access_token"] == "admin-token", "bots cannot list messages")
            #expect(setup.standIn.state.withLock { $0.messages[1041]?.count } == 1)
            #expect(setup.standIn.state.withLock { $0.messages[1043]?.count } == 1)
            for chat in [1041, 1043] {
                #expect(try await setup.statuses(chat: chat, becoming: ["delivered", "delivered"]) == ["delivered", "delivered"])
                #expect(try await setup.deliveries(chat: chat).first?["attempts"] == 2)
            }
        }
    }

    @Test(
        "each chat action of a hook webhook becomes its Chatwoot call, in order, with the right token; Chatwoot's webhooks about them raise nothing")
    func everyAction() async throws {
        try await Self.withSetup { setup in
            let t0 = Self.t0
            let actions = [
                #"{"type":"command","content":{"command":"chatvariable","payload":"{\"refund_status\":\"approved\"}"}}"#,
                #"{"type":"command","content":{"command":"setdepartment","payload":"4"}}"#,
                #"{"type":"command","content":{"command":"setchatattribute","payload":"user_id","payload_arg":"5"}}"#,
                #"{"type":"command","content":{"command":"setchatattribute","payload":"priority","payload_arg":"3"}}"#,
                #"{"type":"text","content":{"text":"Refund approved","attr_options":{"as_system":true}}}"#,
                #"{"type":"command","content":{"command":"closechat"}}"#,
            ]
            #expect(try await setup.client.call(.post, "/api/v1/triggers", json: triggerJSON("Refund", actions)).status == 201)
            let hook = #"{"name":"On a visitor message","event":"chat.addmsguser","type":0,"bot_id":1,"trigger_id":2,"configuration":"[]"}"#
            #expect(try await setup.client.call(.post, "/api/v1/webhooks", json: hook).status == 201)
            // An agent set an attribute in Chatwoot that Hookwork has not heard of yet: it is kept.
            setup.standIn.state.withLock { $0.attributes[1041] = ["order_id": "55120"] }
            let delivered = try await setup.deliver(
                try ChatwootPayload.message("refund please", id: 884120, conversation: 1041, at: t0), delivery: "d-1")
            #expect(delivered.body["events"]?.arrayValue?.map { $0["event"] } == ["chat.addmsguser"])
            let done = Array(repeating: "delivered", count: 6)
            #expect(try await setup.statuses(chat: 1041, becoming: done) == done)
            #expect(
                setup.standIn.calls(1041) == [
                    "GET conversation", "POST custom_attributes", "POST assignments", "POST assignments", "POST toggle_priority", "POST messages",
                    "POST toggle_status",
                ])
            let requests = setup.standIn.requests
            let bodies = try requests.map { $0.body.isEmpty ? JSONValue.null : try JSONValue(parsing: $0.body) }
            #expect(requests.map { $0.headers["api_access_token"] ?? "" } == ["admin-token"] + Array(repeating: "bot-token", count: 6))
            #expect(bodies[1] == ["custom_attributes": ["order_id": "55120", "refund_status": "approved"]])
            #expect(bodies[2] == ["team_id": 4])
            #expect(bodies[3] == ["assignee_id": 5])
            #expect(bodies[4] == ["priority": "high"])
            #expect(bodies[5]["private"] == true)
            #expect(bodies[5]["content"] == "Refund approved")
            #expect(bodies[6] == ["status": "resolved"])

            // Chatwoot's webhook once the conversation is resolved: every change in it is Hookwork's own.
            setup.clock.set(t0 + 2)
            var resolved = try ChatwootPayload.sample("conversation_status_changed.resolved")
            resolved["id"] = 1041
            resolved["labels"] = []
            resolved["custom_attributes"] = ["order_id": "55120", "refund_status": "approved"]
            resolved["priority"] = "high"
            resolved["updated_at"] = .double(Double(t0 + 2) + 0.1)
            var meta = try #require(resolved["meta"]?.objectValue)
            meta["team"] = ["id": 4, "name": "sales"]
            resolved["meta"] = .object(meta)
            let echo = try await setup.deliver(resolved, delivery: "d-2")
            #expect(echo.status == 200)
            #expect(echo.body["events"] == [], "\(echo.body)")
            let chat = try await setup.client.call(.get, "/api/v1/chats/1041", token: ingestToken).body
            #expect(chat["status"] == 2)
            #expect(chat["dep_id"] == 4)
            // An agent reopening it is a change by someone else.
            setup.clock.set(t0 + 5)
            resolved["status"] = "open"
            resolved["updated_at"] = .double(Double(t0 + 5) + 0.1)
            let reopened = try await setup.deliver(resolved, delivery: "d-3")
            #expect(reopened.body["events"]?.arrayValue?.map { $0["event"] } == ["chat.user_reopened"])
        }
    }

    @Test("a Chatwoot on an address the outbound policy refuses: the command ends exhausted at once, naming the cause, nothing sent")
    func blockedAddress() async throws {
        try await Self.withSetup { setup in
            let connection = ChatwootSample.connection.replacingOccurrences(of: "https://chat.acme.example", with: "http://10.20.30.40:3000")
            #expect(try await setup.client.call(.put, "/api/v1/connections/1", json: connection).status == 200)
            let hook = #"{"name":"Close","event":"chat.addmsguser","type":0,"bot_id":1,"trigger_id":2,"configuration":"[]"}"#
            #expect(
                try await setup.client.call(
                    .post, "/api/v1/triggers", json: triggerJSON("Close", [#"{"type":"command","content":{"command":"closechat"}}"#])
                ).status == 201)
            #expect(try await setup.client.call(.post, "/api/v1/webhooks", json: hook).status == 201)
            #expect(
                try await setup.deliver(try ChatwootPayload.message("hi", id: 884120, conversation: 1041, at: Self.t0), delivery: "d-1").status == 200
            )
            #expect(try await setup.statuses(chat: 1041, becoming: ["exhausted"]) == ["exhausted"])
            let id = try #require(try await setup.deliveries(chat: 1041).first?["id"]?.intValue)
            let delivery = try await setup.client.call(.get, "/api/v1/deliveries/\(id)").body
            #expect(delivery["attempts"] == 1)
            #expect(delivery["last_error"]?.stringValue?.contains("blocked_address") == true, "\(delivery)")
            #expect(setup.standIn.requests.isEmpty)
        }
    }

    @Test(
        "reconciliation stores the open conversations Chatwoot lists (two pages), without events; continuous rules then apply to those already waiting"
    )
    func reconciliation() async throws {
        try await Self.withSetup { setup in
            let t0 = Self.t0
            // 27 conversations that were waiting before Hookwork was connected: the visitor said hello 100 s ago.
            let template = try ChatwootPayload.sample("conversation_created.web_widget_open")
            let conversations = try (0..<27).map { index -> JSONObject in
                var conversation = template
                conversation["event"] = nil
                conversation["id"] = .int(2001 + index)
                conversation["updated_at"] = .double(Double(t0 - 100) + 0.25)
                conversation["waiting_since"] = .int(t0 - 100)
                var message = try #require(template["messages"]?.arrayValue?.first?.objectValue)
                message["id"] = .int(700_001 + index)
                message["conversation_id"] = .int(2001 + index)
                message["content"] = "hello"
                message["created_at"] = .int(t0 - 100)
                conversation["messages"] = [.object(message)]
                return conversation
            }
            setup.standIn.state.withLock { $0.open = conversations }
            let report = try await setup.client.call(.post, "/api/v1/connections/1/sync")
            #expect(report.status == 200)
            #expect(report.body["pages"] == 2)
            #expect(report.body["conversations"] == 27)
            #expect(report.body["updated"] == 27)
            #expect(report.body["error"] == .null)
            let chat = try await setup.client.call(.get, "/api/v1/chats/2027", token: ingestToken).body
            #expect(chat["connection_id"] == 1)
            #expect(chat["last_user_msg_time"] == .int(t0 - 100))
            #expect(chat["last_msg_id"] == 700_027)
            // State only: the sync raised no event (none is stored).
            #expect(try await setup.client.call(.get, "/api/v1/events/1", token: ingestToken).status == 404)
            // Nothing newer: a second sync stores nothing.
            #expect(try await setup.client.call(.post, "/api/v1/connections/1/sync").body["updated"] == 0)
            // Conversation 2005 is resolved in Chatwoot and its webhook was missed: the list no longer has it, so the
            // next sync reads it on its own.
            setup.standIn.state.withLock { state in
                var resolved = state.open.remove(at: 4)
                resolved["status"] = "resolved"
                resolved["updated_at"] = .double(Double(t0 - 50) + 0.5)
                state.conversations[2005] = resolved
            }
            let third = try await setup.client.call(.post, "/api/v1/connections/1/sync").body
            #expect(third["looked_up"] == 1)
            #expect(third["error"] == .null)
            #expect(try await setup.client.call(.get, "/api/v1/chats/2005", token: ingestToken).body["status"] == 2)
            #expect(try await setup.client.call(.get, "/api/v1/chats/2005", token: ingestToken).body["nick"] == "Ann Keller")

            // The seed's rule fires for each open one on the next pass.
            #expect(try await setup.pass(at: t0).count == 26)
            let health = try await setup.client.call(.get, "/api/v1/connections/1/health").body
            #expect(health["last_sync"]?["looked_up"] == 1)
            #expect(health["last_sync_at"] == .int(t0))
            #expect(health["last_webhook_at"] == .null)
            #expect(health["commands_exhausted_24h"]?["count"] == 0)
        }
    }

    @Test("health: the last webhook taken, and a connection's failing and exhausted commands with the last error")
    func health() async throws {
        try await Self.withSetup { setup in
            setup.standIn.fail(1041, "POST messages", with: [.error])
            #expect(
                try await setup.deliver(try ChatwootPayload.message("hello", id: 884120, conversation: 1041, at: Self.t0), delivery: "d-1").status
                    == 200)
            #expect(try await setup.pass(at: Self.t0 + 26).count == 1)
            #expect(try await setup.statuses(chat: 1041, becoming: ["failed", "pending"]) == ["failed", "pending"])
            let health = try await setup.client.call(.get, "/api/v1/connections/1/health").body
            #expect(health["last_webhook_at"] == .int(Self.t0))
            #expect(health["last_webhook_event"] == "message_created")
            #expect(health["webhooks_taken"] == 1)
            #expect(health["commands_failing"]?["count"] == 1)
            #expect(health["commands_failing"]?["last"]?["last_error"]?.stringValue?.contains("Chatwoot answered 500") == true, "\(health)")
            #expect(try await setup.client.call(.get, "/api/v1/connections/9/health").status == 404)
        }
    }

    @Test("the README's bot-silent rule on a conversation pending with the agent bot: handed to the agents with a note at 61 s, not at 60 s")
    func botSilentRule() async throws {
        try await Self.withSetup { setup in
            let t0 = Self.t0
            let trigger = triggerJSON(
                "To the agents",
                [
                    #"{"type":"command","content":{"command":"stopchat"}}"#,
                    #"{"type":"text","content":{"text":"The bot did not answer within a minute.","attr_options":{"as_system":true}}}"#,
                ])
            #expect(try await setup.client.call(.post, "/api/v1/triggers", json: trigger).status == 201)
            let webhook = """
                {"name": "Bot silent for 60 s", "type": 1, "bot_id": 1, "trigger_id": 2, "firing": {"policy": "once"}, "configuration": [
                  {"type": "3", "attr": "{args.chat.status}", "condition": "eq", "value": "5", "logic": "and"},
                  {"type": "3", "attr": "{args.chat.last_user_msg_time}", "condition": "lt", "value": "{time}-60", "logic": "and"},
                  {"type": "3", "attr": "{args.chat.last_msg.user_id}", "condition": "eq", "value": "0", "logic": "and"}]}
                """
            #expect(try await setup.client.call(.post, "/api/v1/webhooks", json: webhook).status == 201)
            var message = try ChatwootPayload.message("Refund please", id: 884150, conversation: 1050, at: t0)
            var conversation = try #require(message["conversation"]?.objectValue)
            conversation["status"] = "pending"
            message["conversation"] = .object(conversation)
            #expect(try await setup.deliver(message, delivery: "d-1").status == 200)
            #expect(try await setup.client.call(.get, "/api/v1/chats/1050", token: ingestToken).body["status"] == 5)
            #expect(try await setup.pass(at: t0 + 60).isEmpty)
            #expect(try await setup.pass(at: t0 + 61) == [["webhook_id": 2, "id": 1050]])
            #expect(try await setup.statuses(chat: 1050, becoming: ["delivered", "delivered"]) == ["delivered", "delivered"])
            #expect(setup.standIn.calls(1050) == ["POST toggle_status", "POST messages"])
            #expect(setup.standIn.state.withLock { $0.status[1050] } == "open")
            #expect(setup.standIn.state.withLock { $0.messages[1050]?.first?["private"] } == true)
            #expect(try await setup.pass(at: t0 + 200).isEmpty)
        }
    }
}
