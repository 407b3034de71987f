import Foundation
import HTTPTypes
import HookworkCore
import HookworkEngine
import HookworkStore
import HummingbirdTesting
import Testing

@testable import HookworkServer

/// The contract between Hookwork and the platform that drives it (README, "Platform integration"): derived chat
/// state, attribution of continuous firings, and an `http` worker that never keeps the platform waiting long.
@Suite("Platform contract: derived chat state, attribution, bounded waits")
struct PlatformContractTests {
    /// The seed's "bot does not respond for 60 s" conditions (example a).
    static let botNotResponding =
        "["
        + [
            compare("{args.chat.status}", "eq", "5"),
            compare("{args.chat.last_user_msg_time}", "lt", "{time}-60", logic: "or"),
            compare("{args.chat.last_msg.time}", "lt", "{time}-60"),
            compare("{args.chat.status_sub}", "neq", "3"),
            compare("{args.chat.last_msg.user_id}", "eq", "0"),
        ].joined(separator: ",") + "]"

    @Test("a new-message event with only args.msg moves the chat's last message and the visitor's time; the seed's rule then reads it")
    func messageMovesTheChat() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let clock = ManualClock()
        let t0 = clock.now()
        let app = try await makeDeliveryApp(testConfiguration(databaseURL: database.url), clock: clock)
        try await app.test(.router) { client in
            #expect(try await client.call(.post, "/api/v1/triggers", json: #"{"name":"Nothing","actions":[]}"#).status == 201)
            let webhook = try await client.call(.post, "/api/v1/webhooks", json: continuousWebhook(Self.botNotResponding))
            #expect(webhook.status == 201, "\(webhook.body)")
            let chat =
                #"{"event":"chat.started","args":{"chat":{"id":901,"status":5,"status_sub":0,"last_msg_id":9101}},"#
                + #""msg":{"id":9101,"chat_id":901,"user_id":0,"msg":"first","time":\#(t0 - 100)}}"#
            #expect(try await client.call(.post, "/api/v1/events", token: ingestToken, json: chat).status == 200)
            // The platform sends only the new message: no chat columns.
            let message = #"{"event":"chat.addmsguser","args":{"msg":{"id":9102,"chat_id":901,"user_id":0,"msg":"second hello","time":\#(t0)}}}"#
            #expect(try await client.call(.post, "/api/v1/events", token: ingestToken, json: message).status == 200)
            let attributes = try await client.call(.get, "/api/v1/chats/901/attributes", token: ingestToken).body
            #expect(attributes["last_msg_id"] == 9102)
            #expect(attributes["last_msg"]?["msg"] == "second hello")
            #expect(attributes["last_user_msg_time"] == .int(t0))

            func verdict() async throws -> JSONValue? {
                try await client.call(.post, "/api/v1/webhooks/1/test", json: #"{"chat_id":901}"#).body["valid"]
            }
            clock.set(t0 + 60)
            #expect(try await verdict() == false, "not yet: the visitor wrote 60 s ago")
            clock.set(t0 + 61)
            #expect(try await verdict() == true)
            // An operator answers (an older message synced late moves nothing back).
            let reply = #"{"event":"chat.web_add_msg_admin","args":{"msg":{"id":9103,"chat_id":901,"user_id":5,"msg":"here","time":\#(t0 + 61)}}}"#
            #expect(try await client.call(.post, "/api/v1/events", token: ingestToken, json: reply).status == 200)
            let late = #"{"event":"chat.addmsguser","args":{"msg":{"id":9050,"chat_id":901,"user_id":0,"msg":"old","time":\#(t0 - 500)}}}"#
            #expect(try await client.call(.post, "/api/v1/events", token: ingestToken, json: late).status == 200)
            let after = try await client.call(.get, "/api/v1/chats/901", token: ingestToken).body
            #expect(after["last_msg_id"] == 9103)
            #expect(after["last_op_msg_time"] == .int(t0 + 61))
            #expect(after["last_user_msg_time"] == .int(t0))
            #expect(try await verdict() == false, "the last message is the operator's")
        }
    }

    @Test("a chat closed by an event or by a closechat action gets cls_time and chat_duration, so statistics count it")
    func closedChatsGetDuration() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let clock = ManualClock()
        let t0 = clock.now()
        let app = try await makeDeliveryApp(testConfiguration(databaseURL: database.url), clock: clock)
        try await app.test(.router) { client in
            let opened = #"{"id":11,"status":1,"time":\#(t0 - 300)}"#
            #expect(try await client.call(.put, "/api/v1/chats/11", token: ingestToken, json: opened).status == 200)
            let close = #"{"event":"chat.close","args":{"chat":{"id":11,"status":2}}}"#
            #expect(try await client.call(.post, "/api/v1/events", token: ingestToken, json: close).status == 200)
            let closed = try await client.call(.get, "/api/v1/chats/11", token: ingestToken).body
            #expect(closed["cls_time"] == .int(t0))
            #expect(closed["chat_duration"] == 300)
            // The platform's own figures win.
            #expect(
                try await client.call(
                    .put, "/api/v1/chats/12", token: ingestToken, json: #"{"status":2,"time":\#(t0 - 50),"chat_duration":20,"cls_time":\#(t0 - 5)}"#
                ).status == 200)
            let own = try await client.call(.get, "/api/v1/chats/12", token: ingestToken).body
            #expect(own["chat_duration"] == 20)
            #expect(own["cls_time"] == .int(t0 - 5))

            // Hookwork's closechat sets them too.
            #expect(try await client.call(.put, "/api/v1/chats/13", token: ingestToken, json: #"{"status":1,"time":\#(t0 - 120)}"#).status == 200)
            #expect(
                try await client.call(
                    .post, "/api/v1/triggers", json: #"{"name":"Close","actions":[{"type":"command","content":{"command":"closechat"}}]}"#
                ).status == 201)
            #expect(
                try await client.call(.post, "/api/v1/webhooks", json: #"{"name":"close on ping","event":"chat.ping","type":0,"trigger_id":1}"#)
                    .status == 201)
            #expect(
                try await client.call(.post, "/api/v1/events", token: ingestToken, json: #"{"event":"chat.ping","args":{"chat":{"id":13}}}"#).status
                    == 200)
            let byHookwork = try await client.call(.get, "/api/v1/chats/13", token: ingestToken).body
            #expect(byHookwork["status"] == 2)
            #expect(byHookwork["chat_duration"] == 120)
        }
    }

    @Test("calls and commands of a continuous webhook name it: GET /api/v1/deliveries?webhook_id=N lists them")
    func continuousFiringsAreAttributed() async throws {
        try await ContinuousHarness.with { h in
            let id = try await h.webhook(continuousWebhook("[" + compare("{args.chat.status}", "eq", "1") + "]", firing: #"{"policy":"once"}"#))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            #expect(try await h.pass(at: continuousStart + 1) == ["/closed/7"])
            let calls = try await h.store.deliveries(DeliveryQuery(webhookID: id, limit: 10))
            #expect(calls.count == 1)
            #expect(calls.first?.webhookID == id)
            #expect(calls.first?.triggerID == 1)
            #expect(calls.first?.chatID == 7)
        }
    }

    @Test("with a receiver that hangs, the http worker answers within HOOKWORK_HTTP_WORKER_WAIT_MS, the call pending, and finishes it later")
    func boundedWait() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let released = Setting(false)
        try await Receiver.with(respond: { _ in
            while !released.current { try? await Task.sleep(for: .milliseconds(10)) }
            return (200, [])
        }) { receiver, port in
            var configuration = testConfiguration(worker: .http, databaseURL: database.url)
            configuration.httpWorkerWaitMilliseconds = 300
            let app = try await makeApp(configuration)
            try await app.test(.router) { client in
                try await configureDelivery(client, restAPI: DeliveryFixture.restAPI(port: port, timeout: 30))
                let started = ContinuousClock.now
                let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "slow", chat: 7))
                #expect(ContinuousClock.now - started < .seconds(5), "the answer did not wait for the hanging receiver")
                #expect(response.status == 200)
                let action = response.body["outcome"]?["webhooks"]?.arrayValue?.first?["trigger"]?["actions"]?.arrayValue?.first
                #expect(action?["status"] == "pending", "\(response.body)")
                let deliveryID = try #require(action?["delivery_id"]?.intValue)
                _ = try await receiver.waitFor(1)
                released.current = true
                let delivered = try await waitForDelivery(client, id: deliveryID) { $0["status"] == "delivered" }
                #expect(delivered["attempts"] == 1, "the first attempt went on after the answer; no second was made")
                let eventID = try #require(response.body["event_id"]?.intValue)
                var stored: JSONValue = .null
                for _ in 0..<250 {
                    stored = try await client.call(.get, "/api/v1/events/\(eventID)", token: ingestToken).body
                    if stored["outcome"]?["webhooks"]?.arrayValue?.first?["trigger"]?["actions"]?.arrayValue?.first?["status"] == "sent" { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(stored["outcome"]?["webhooks"]?.arrayValue?.first?["trigger"]?["actions"]?.arrayValue?.first?["http_code"] == 200)
            }
        }
    }

    /// `patch` applied to `target` as RFC 7396 says.
    static func merge(_ patch: JSONValue, into target: JSONValue?) -> JSONValue {
        guard case .object(let members) = patch else { return patch }
        var result = target?.objectValue ?? JSONObject()
        for (key, value) in members {
            if value == .null { result[key] = nil } else { result[key] = merge(value, into: result[key]) }
        }
        return .object(result)
    }

    /// A chat with its JSON-text columns decoded, as a platform applying merge patches keeps them.
    static func decoded(_ chat: JSONObject) -> JSONObject {
        var result = chat
        for key in ["chat_variables", "additional_data"] {
            if case .string(let text)? = chat[key] {
                result[key] = text.isEmpty ? .object(JSONObject()) : ((try? JSONValue(parsing: text)) ?? .string(text))
            }
        }
        return result
    }

    @Test("commands reach the platform in decision order with their sequence although every first attempt fails; applying them gives Hookwork's chat")
    func orderedCommandStream() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let seen = Setting<Set<String>>([])
        let acknowledged = Setting<[JSONValue]>([])
        let clock = ManualClock()
        try await Receiver.with(respond: { request in
            // Every command's first attempt fails; its retry is accepted.
            let id = request.headers["webhook-id"] ?? ""
            if !seen.current.contains(id) {
                seen.current.insert(id)
                return (500, [])
            }
            if let body = try? JSONValue(parsing: request.body) { acknowledged.current.append(body) }
            return (200, [])
        }) { _, port in
            var configuration = testConfiguration(databaseURL: database.url)
            configuration.callbackURL = "http://127.0.0.1:\(port)/commands"
            configuration.callbackSecrets = ["whsec_Y2FsbGJhY2stc2VjcmV0LW9mLTMyLWJ5dGVzLWxvbmc="]
            configuration.breakerThreshold = 1_000
            let app = try await makeDeliveryApp(configuration, clock: clock)
            try await app.test(.router) { client in
                let initial =
                    #"{"status":5,"nick":"Ann","dep_id":3,"time":\#(clock.now() - 60),"chat_variables":"{\"x\":\"1\"}","last_msg_id":98001}"#
                #expect(try await client.call(.put, "/api/v1/chats/7", token: ingestToken, json: initial).status == 200)
                #expect(
                    try await client.call(.put, "/api/v1/messages/98001", token: ingestToken, json: #"{"chat_id":7,"user_id":0,"msg":"hi"}"#).status
                        == 200)
                let platform = Self.decoded(try await client.call(.get, "/api/v1/chats/7", token: ingestToken).body.objectValue ?? JSONObject())
                let actions = [
                    #"{"type":"alert_icon","content":{"alert_icon":"star"}}"#,
                    #"{"type":"command","content":{"command":"chatvariable","payload":"{\"lang\":\"lt\",\"x\":null}"}}"#,
                    #"{"type":"text","content":{"text":"Hello {args.chat.nick}"}}"#,
                    #"{"type":"command","content":{"command":"closechat"}}"#,
                ]
                #expect(try await client.call(.post, "/api/v1/triggers", json: triggerJSON("Change the chat", actions)).status == 201)
                #expect(
                    try await client.call(.post, "/api/v1/webhooks", json: #"{"name":"on ping","event":"chat.ping","type":0,"trigger_id":1}"#).status
                        == 201)
                #expect(
                    try await client.call(.post, "/api/v1/events", token: ingestToken, json: #"{"event":"chat.ping","args":{"chat":{"id":7}}}"#)
                        .status == 200)
                // Each retry is due 5 s later: move the clock on until every command is acknowledged.
                for _ in 0..<40 where acknowledged.current.count < 4 {
                    clock.advance(6)
                    let before = acknowledged.current.count
                    for _ in 0..<100 where acknowledged.current.count == before { try await Task.sleep(for: .milliseconds(20)) }
                }
                let commands = acknowledged.current
                #expect(commands.compactMap { $0["command"]?.stringValue } == ["alert_icon", "chatvariable", "text", "closechat"])
                #expect(commands.compactMap { $0["sequence"]?.intValue } == [1, 2, 3, 4])
                // Deltas: the variables command names only what it set and removed.
                #expect(commands[1]["changes"]?["chat_variables"] == .object(JSONObject([("lang", "lt"), ("x", .null)])), "\(commands[1])")
                // Applying the acknowledged commands in sequence order gives Hookwork's chat.
                var copy = JSONValue.object(platform)
                for command in commands.sorted(by: { ($0["sequence"]?.intValue ?? 0) < ($1["sequence"]?.intValue ?? 0) }) {
                    copy = Self.merge(command["changes"] ?? .null, into: copy)
                }
                let stored = Self.decoded(try await client.call(.get, "/api/v1/chats/7", token: ingestToken).body.objectValue ?? JSONObject())
                #expect(copy == .object(stored), "platform copy \(copy.jsonText())\nHookwork's chat \(JSONValue.object(stored).jsonText())")

                // Hookwork's bot message has an id of its own range: the platform's next message does not replace it.
                let message = try #require(commands[2]["message"]?.objectValue)
                let botID = try #require(message["id"]?.intValue)
                #expect(botID > RecordIDRange.hookworkBase)
                #expect(
                    try await client.call(.put, "/api/v1/messages/98002", token: ingestToken, json: #"{"chat_id":7,"user_id":0,"msg":"next"}"#).status
                        == 200)
                let kept = try await client.call(.get, "/api/v1/messages/\(botID)", token: ingestToken).body
                #expect(kept["msg"] == "Hello Ann")
                // and, being newer, it is the chat's last message now.
                #expect(try await client.call(.get, "/api/v1/chats/7", token: ingestToken).body["last_msg_id"] == 98002)
            }
        }
    }

    @Test("configurations that cannot do what was meant are saved with warnings naming the member")
    func saveTimeWarnings() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            #expect(try await client.call(.post, "/api/v1/triggers", json: #"{"name":"One","actions":[]}"#).status == 201)
            #expect(try await client.call(.post, "/api/v1/triggers", json: #"{"name":"Two","actions":[]}"#).status == 201)
            func warnings(_ json: String) async throws -> [String: String] {
                let saved = try await client.call(.post, "/api/v1/webhooks", json: json)
                #expect(saved.status == 201, "\(saved.body)")
                var byField: [String: String] = [:]
                for warning in saved.body["warnings"]?.arrayValue ?? [] {
                    byField[warning["field"]?.stringValue ?? ""] = warning["reason"]?.stringValue ?? ""
                }
                return byField
            }
            let empty = try await warnings(#"{"name":"every chat","type":1,"trigger_id":1,"trigger_id_alt":2,"configuration":[]}"#)
            #expect(empty["configuration"]?.contains("true for every open chat") == true, "\(empty)")
            let mail = try await warnings(
                #"{"name":"mail","type":2,"trigger_id":1,"trigger_id_alt":2,"configuration":[\#(compare("{args.chat.status}", "eq", "0"))]}"#)
            #expect(mail["trigger_id_alt"]?.contains("never runs") == true, "\(mail)")
            let dialects = try await warnings(
                #"{"name":"dialects","type":1,"trigger_id":1,"configuration":[\#(compare("{{args.chat.status}}", "eq", "1")),\#(compare("{arg.chat.status}", "eq", "1"))]}"#
            )
            #expect(dialects["conditions[0].attr"]?.contains("Rest API template syntax") == true, "\(dialects)")
            #expect(dialects["conditions[1].attr"]?.contains("did you mean `{args.`") == true, "\(dialects)")
            // A well-formed continuous webhook has none.
            let fine = try await warnings(#"{"name":"fine","type":1,"trigger_id":1,"configuration":[\#(compare("{args.chat.status}", "eq", "1"))]}"#)
            #expect(fine.isEmpty)
        }
    }

    @Test("a department without closed chats has no average; a rule reading one is warned, and with the guard it does not fire there")
    func noHistoryNoAverage() async throws {
        try await ContinuousHarness.with { h in
            let t0 = continuousStart
            let average = "{args.chat.department.stats.stats_array.avg_chat_duration}"
            let unguarded = [
                compare("{args.chat.status}", "eq", "1"),
                compare("{time}-({args.chat.pnd_time}+{args.chat.wait_time})", "gt", "1.5*\(average)"),
            ]
            // Saved, with a warning that names the guard.
            let document = try await ConfigurationValidator(store: h.store).webhook(
                try object(continuousWebhook("[" + unguarded.joined(separator: ",") + "]")))
            let warning = document["warnings"]?.arrayValue?.first { $0["field"] == "conditions[1]" }
            #expect(warning?["reason"]?.stringValue?.contains("\(average) gt 0") == true, "\(document)")
            let conditions = "[" + (unguarded + [compare(average, "gt", "0")]).joined(separator: ",") + "]"
            try await h.store.put(.department, id: 4, document: ["name": "New"])
            try await h.store.put(.chat, id: 1, document: ["status": 2, "dep_id": 3, "user_id": 5, "chat_duration": 400, "time": .int(t0 - 3_600)])
            let averages = try await DepartmentStatistics(store: h.store, logger: testLogger).run(now: t0)
            #expect(averages[3]?.avgChatDuration == 400)
            #expect(averages[4]?.avgChatDuration == nil)
            let stored = try await h.store.get(.departmentStats, id: 4)
            #expect(stored?["avg_chat_duration"] == nil, "no closed chats: the member is left out, not 0")
            try await h.webhook(continuousWebhook(conditions, firing: #"{"policy":"once"}"#))
            try await h.store.put(.chat, id: 8, document: ["status": 1, "dep_id": 4, "user_id": 5, "pnd_time": .int(t0), "wait_time": 30])
            try await h.store.put(.chat, id: 9, document: ["status": 1, "dep_id": 3, "user_id": 5, "pnd_time": .int(t0), "wait_time": 30])
            // 1.5 x 400 = 600: department 3's chat fires after 630 s; department 4's never does.
            let fired = try await h.pass(at: t0 + 700)
            #expect(fired == ["/closed/9"], "\(fired)")
            #expect(try await h.pass(at: t0 + 5_000) == [])
        }
    }

    @Test("the platform's answer to a text command names its own message id: Hookwork's message moves to it, and later syncs update it")
    func platformMessageIDLinked() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await ScriptedReceiver.with(["/commands": .init(body: #"{"message_id":555}"#)]) { receiver, port in
            var configuration = testConfiguration(databaseURL: database.url)
            configuration.callbackURL = "http://127.0.0.1:\(port)/commands"
            let app = try await makeApp(configuration)
            try await app.test(.router) { client in
                #expect(try await client.call(.put, "/api/v1/chats/7", token: ingestToken, json: #"{"status":5,"nick":"Ann"}"#).status == 200)
                #expect(
                    try await client.call(
                        .post, "/api/v1/triggers", json: triggerJSON("Greet", [#"{"type":"text","content":{"text":"Hello {args.chat.nick}"}}"#])
                    ).status == 201)
                #expect(
                    try await client.call(.post, "/api/v1/webhooks", json: #"{"name":"on ping","event":"chat.ping","type":0,"trigger_id":1}"#).status
                        == 201)
                let response = try await client.call(
                    .post, "/api/v1/events", token: ingestToken, json: #"{"event":"chat.ping","args":{"chat":{"id":7}}}"#)
                let action = response.body["outcome"]?["webhooks"]?.arrayValue?.first?["trigger"]?["actions"]?.arrayValue?.first
                let ours = try #require(action?["message"]?["id"]?.intValue)
                #expect(receiver.requests.count == 1)
                let linked = try await client.call(.get, "/api/v1/messages/555", token: ingestToken).body
                #expect(linked["msg"] == "Hello Ann")
                #expect(linked["hookwork_message_id"] == .int(ours))
                #expect(try await client.call(.get, "/api/v1/messages/\(ours)", token: ingestToken).status == 404)
                #expect(try await client.call(.get, "/api/v1/chats/7", token: ingestToken).body["last_msg_id"] == 555)
                // The platform's later sync of its message updates the one message.
                #expect(try await client.call(.patch, "/api/v1/messages/555", token: ingestToken, json: #"{"msg":"Hello Ann!"}"#).status == 200)
                let messages = try await client.call(.get, "/api/v1/messages?chat_id=7", token: ingestToken).body["items"]?.arrayValue ?? []
                #expect(messages.count == 1)
                #expect(messages.first?["msg"] == "Hello Ann!")
            }
        }
    }
}
