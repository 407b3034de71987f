import Foundation
import HTTPTypes
import HookworkCore
import HookworkEngine
import HookworkStore
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HookworkServer

/// The sample deliveries of `shared/platforms/chatwoot/`, as vendored for the HookworkChatwoot tests.
enum ChatwootSample {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("HookworkChatwootTests/Fixtures")
    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
            .sorted()
    }

    struct Delivery {
        var headers: [(String, String)]
        var raw: String
        var timestamp: Int
        var deliveryID: String
    }

    static func load(_ name: String) throws -> Delivery {
        let text = try String(contentsOf: folder.appendingPathComponent(name + ".json"), encoding: .utf8)
        let file = try #require(try JSONValue(parsing: text).objectValue)
        let headers = (file["headers"]?.objectValue ?? JSONObject()).map { ($0.key, $0.value.stringValue ?? "") }
        let timestamp = Int(headers.first { $0.0 == "X-Chatwoot-Timestamp" }?.1 ?? "") ?? 0
        let id = headers.first { $0.0 == "X-Chatwoot-Delivery" }?.1 ?? ""
        return Delivery(headers: headers, raw: try #require(file["raw_body"]?.stringValue), timestamp: timestamp, deliveryID: id)
    }

    /// The samples' connection: account 3, billing (team 2) → department 3, sales (team 4) → 4, the WhatsApp inbox → 5.
    static let connection = """
        {"platform":"chatwoot","base_url":"https://chat.acme.example","account_id":3,"api_access_token":"admin-token",
         "bot_access_token":"bot-token","webhook_secret":"whsec-test-secret","bot_id":3,
         "departments":{"team:2":3,"team:4":4,"inbox:12":5}}
        """
}

extension TestClientProtocol {
    /// Posts a Chatwoot delivery as Chatwoot sends it: its headers and raw bytes, no bearer token.
    func deliver(_ delivery: ChatwootSample.Delivery, connection: Int = 1, change: (inout [(String, String)]) -> Void = { _ in }) async throws -> (
        status: Int, body: JSONValue
    ) {
        var headers = delivery.headers
        change(&headers)
        var fields = HTTPFields()
        for (name, value) in headers { if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) } }
        let response = try await execute(
            uri: "/api/v1/connections/\(connection)/webhook", method: .post, headers: fields, body: ByteBuffer(string: delivery.raw))
        let text = String(buffer: response.body)
        return (Int(response.status.code), text.isEmpty ? .null : ((try? JSONValue(parsing: text)) ?? .string(text)))
    }
}

@Suite("Chatwoot intake: POST /api/v1/connections/{id}/webhook")
struct ChatwootIntakeTests {
    /// The app at the samples' time (June 2026), so that their timestamps are fresh; webhooks run in the request.
    static func withApp(
        clock: ManualClock = ManualClock(1_782_119_646), _ body: @Sendable (any TestClientProtocol, ManualClock) async throws -> Void
    ) async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        var configuration = testConfiguration(worker: .http, databaseURL: database.url)
        configuration.continuousEnabled = false
        configuration.maxBodyBytes = 1 << 20
        let store = try await makeStore(url: configuration.databaseURL, logger: testLogger)
        let app = try await buildApplication(
            configuration: configuration,
            dependencies: ServerDependencies(store: store, clock: clock, logger: testLogger, announceAdminToken: { _ in }))
        try await app.test(.router) { client in
            #expect(try await client.call(.put, "/api/v1/connections/1", json: ChatwootSample.connection).status == 200)
            try await body(client, clock)
        }
    }

    @Test("connections: saved, read back masked, a masked secret saved back kept, invalid members named, deleted")
    func connections() async throws {
        try await Self.withApp { client, _ in
            let read = try await client.call(.get, "/api/v1/connections/1")
            #expect(read.status == 200)
            #expect(read.body["api_access_token"] == "********")
            #expect(read.body["bot_access_token"] == "********")
            #expect(read.body["webhook_secret"] == "********")
            #expect(read.body["account_id"] == 3)
            #expect(read.body["departments"]?["team:2"] == 3)
            // Saving what was read keeps the secrets: a signed sample still verifies.
            let saved = try await client.call(.put, "/api/v1/connections/1", json: read.body.jsonText())
            #expect(saved.status == 200, "\(saved.body)")
            let sample = try ChatwootSample.load("message_created.incoming_text")
            #expect(try await client.deliver(sample).status == 200)
            #expect(try await client.call(.get, "/api/v1/connections").body["items"]?.arrayValue?.count == 1)
            // Invalid members are named.
            let bad = try await client.call(
                .put, "/api/v1/connections/2", json: #"{"platform":"chatwoot","base_url":"https://x.example","account_id":3,"api_access_token":"t"}"#)
            #expect(bad.status == 422)
            #expect(bad.body["error"]?["field"] == "webhook_secret")
            let masked = try await client.call(
                .put, "/api/v1/connections/2",
                json: #"{"platform":"chatwoot","base_url":"https://x.example","account_id":3,"api_access_token":"t","webhook_secret":"********"}"#)
            #expect(masked.status == 422)
            #expect(masked.body["error"]?["field"] == "webhook_secret")
            let other = try await client.call(
                .put, "/api/v1/connections/2",
                json: #"{"platform":"chatwoot","base_url":"https://x.example","account_id":4,"api_access_token":"t","webhook_secret":"s"}"#)
            #expect(other.status == 409)
            #expect(try await client.call(.get, "/api/v1/connections/1", token: ingestToken).status == 403)
            #expect(try await client.call(.delete, "/api/v1/connections/1").status == 204)
            #expect(try await client.call(.get, "/api/v1/connections/1").status == 404)
            #expect(try await client.deliver(sample).status == 404)
        }
    }

    @Test("a bad signature, a stale or future timestamp and a missing header are refused with 401 and store nothing")
    func refused() async throws {
        try await Self.withApp { client, clock in
            let sample = try ChatwootSample.load("message_created.incoming_text")
            let forged = try await client.deliver(sample) { headers in
                headers = headers.map { $0.0 == "X-Chatwoot-Signature" ? ($0.0, "sha256=" + String(repeating: "0", count: 64)) : $0 }
            }
            #expect(forged.status == 401)
            #expect(forged.body["error"]?["code"] == "invalid_signature")
            var tampered = sample
            tampered.raw = tampered.raw.replacingOccurrences(of: "double charge", with: "triple charge")
            #expect(try await client.deliver(tampered).status == 401)
            let unsigned = try await client.deliver(sample) { headers in headers.removeAll { $0.0 == "X-Chatwoot-Signature" } }
            #expect(unsigned.status == 401)
            clock.set(sample.timestamp + 301)
            let stale = try await client.deliver(sample)
            #expect(stale.status == 401)
            #expect(stale.body["error"]?["message"]?.stringValue?.contains("stale") == true)
            clock.set(sample.timestamp - 301)
            #expect(try await client.deliver(sample).status == 401)
            // Nothing was stored: no chat, no message, no event.
            #expect(try await client.call(.get, "/api/v1/chats/1041", token: ingestToken).status == 404)
            #expect(try await client.call(.get, "/api/v1/messages/884120", token: ingestToken).status == 404)
            #expect(try await client.call(.get, "/api/v1/events/1", token: ingestToken).status == 404)
            // In the window it is taken.
            clock.set(sample.timestamp + 299)
            #expect(try await client.deliver(sample).status == 200)
        }
    }

    @Test("every sample through the route: 200, state stored, the mapped events recorded", arguments: ChatwootSample.names)
    func everySample(_ name: String) async throws {
        let sample = try ChatwootSample.load(name)
        try await Self.withApp(clock: ManualClock(sample.timestamp)) { client, _ in
            let answer = try await client.deliver(sample)
            #expect(answer.status == 200, "\(answer.body)")
            #expect(answer.body["duplicate"] == false)
            #expect(answer.body["delivery"]?.stringValue == sample.deliveryID)
            let events = answer.body["events"]?.arrayValue ?? []
            let expected = Self.expected[name] ?? []
            #expect(events.compactMap { $0["event"]?.stringValue } == expected, "\(answer.body)")
            for event in events {
                let id = try #require(event["event_id"]?.intValue)
                let stored = try await client.call(.get, "/api/v1/events/\(id)", token: ingestToken)
                #expect(stored.body["event"] == event["event"])
                #expect(stored.body["id"] == event["id"])
            }
            if let chat = Self.chats[name] {
                let stored = try await client.call(.get, "/api/v1/chats/\(chat.id)", token: ingestToken)
                #expect(stored.status == 200)
                #expect(stored.body["status"]?.intValue == chat.status, "\(stored.body)")
                #expect(stored.body["chat_variables"]?["cw_conversation_id"]?.intValue == chat.id)
                #expect(!stored.body.jsonText().contains("pubsub_token"))
            }
            if let message = Self.messages[name] {
                let stored = try await client.call(.get, "/api/v1/messages/\(message.id)", token: ingestToken)
                #expect(stored.status == 200)
                #expect(stored.body["user_id"]?.intValue == message.author, "\(stored.body)")
                #expect(stored.body["chat_id"]?.intValue == message.chat)
            }
            // The same delivery again: ignored.
            let again = try await client.deliver(sample)
            #expect(again.status == 200)
            #expect(again.body["duplicate"] == true)
            #expect(again.body["events"] == [])
        }
    }

    static let expected: [String: [String]] = [
        "conversation_created.api_inbox_assigned": ["chat.chat_started"], "conversation_created.web_widget_open": ["chat.chat_started"],
        "conversation_created.whatsapp_bot_pending": ["chat.chat_started"], "conversation_status_changed.resolved": ["chat.close"],
        "conversation_updated.assignee_changed": ["chat.accept"], "conversation_updated.custom_attributes_changed": ["chat.data_changed"],
        "conversation_updated.labels_changed": ["chat.data_changed"], "conversation_updated.team_changed": ["chat.data_changed_assigned_department"],
        "message_created.incoming_text": ["chat.addmsguser"], "message_created.incoming_with_attachment": ["chat.addmsguser"],
        "message_created.outgoing_agent_reply": ["chat.web_add_msg_admin"], "message_created.private_note": ["chatwoot.private_note"],
        "message_updated.deleted_by_agent": ["chat.message_updated"], "message_updated.whatsapp_delivered": ["chat.message_updated"],
        "webwidget_triggered.new_visitor": ["chatwoot.webwidget_triggered"],
        "webwidget_triggered.returning_contact": ["chatwoot.webwidget_triggered"],
    ]

    static let chats: [String: (id: Int, status: Int)] = [
        "conversation_created.api_inbox_assigned": (1043, 1), "conversation_created.web_widget_open": (1041, 0),
        "conversation_created.whatsapp_bot_pending": (1042, 5), "conversation_status_changed.bot_handoff_open": (1042, 0),
        "conversation_status_changed.resolved": (1041, 2), "conversation_typing_on.contact_widget": (1041, 1),
        "conversation_updated.assignee_changed": (1041, 1), "conversation_updated.team_changed": (1041, 1),
        "message_created.incoming_text": (1041, 0), "message_created.outgoing_hookwork_bot_echo": (1042, 5),
        "message_updated.whatsapp_delivered": (1042, 1), "webwidget_triggered.returning_contact": (1041, 2),
    ]

    static let messages: [String: (id: Int, chat: Int, author: Int)] = [
        "conversation_created.web_widget_open": (884_120, 1041, 0), "message_created.incoming_text": (884_120, 1041, 0),
        "message_created.incoming_with_attachment": (884_131, 1041, 0), "message_created.outgoing_agent_reply": (884_127, 1041, 5),
        "message_created.private_note": (884_128, 1041, -1), "message_created.outgoing_hookwork_bot_echo": (884_152, 1042, -2),
        "message_updated.deleted_by_agent": (884_127, 1041, 5), "message_updated.whatsapp_delivered": (884_160, 1042, 8),
    ]

    @Test("a chat.close hook webhook runs once for a resolved conversation, however often Chatwoot says so")
    func closeRunsOnce() async throws {
        try await Receiver.with { receiver, port in
            try await Self.withApp { client, clock in
                try await configure(client, port: port)
                let created = try ChatwootSample.load("conversation_created.web_widget_open")
                #expect(try await client.deliver(created).status == 200)
                let resolved = try ChatwootSample.load("conversation_status_changed.resolved")
                clock.set(resolved.timestamp)
                let first = try await client.deliver(resolved)
                #expect(first.status == 200)
                let event = try #require(first.body["events"]?.arrayValue?.first)
                #expect(event["event"] == "chat.close")
                #expect(event["status"] == "done")
                #expect(event["outcome"]?["webhooks"]?.arrayValue?.first?["trigger"]?["actions"]?.arrayValue?.first?["status"] == "sent")
                // The same delivery (same id), and the same change delivered again under a new delivery id.
                #expect(try await client.deliver(resolved).body["duplicate"] == true)
                let repeated = try await client.deliver(resolved) { headers in
                    headers = headers.map { $0.0 == "X-Chatwoot-Delivery" ? ($0.0, "0f0f0f0f-aaaa-4bbb-8ccc-123456789abc") : $0 }
                }
                #expect(repeated.status == 200)
                #expect(repeated.body["duplicate"] == false)
                #expect(repeated.body["events"] == [])
                #expect(try await client.outbox().count == 1, "the repeats decided no second call")
                let chat = try await client.call(.get, "/api/v1/chats/1041", token: ingestToken)
                #expect(chat.body["status"] == 2)
                #expect(chat.body["cls_time"] == 1_782_120_545)
                #expect(chat.body["user_id"] == 5)
                #expect(chat.body["dep_id"] == 3)
            }
            let requests = try await receiver.waitFor(1)
            #expect(receiver.requests.count == 1)
            #expect(requests.first?.path == "/closed/1041?source=hookwork")
            #expect(requests.first?.headers["x-operator"] == "Priya Raman")
        }
    }

    @Test("a message delivered twice under new delivery ids is stored once and announced once")
    func repeatedMessage() async throws {
        try await Self.withApp { client, _ in
            let sample = try ChatwootSample.load("message_created.incoming_text")
            let first = try await client.deliver(sample)
            #expect(first.body["events"]?.arrayValue?.first?["duplicate"] == false)
            let again = try await client.deliver(sample) { headers in
                headers = headers.map { $0.0 == "X-Chatwoot-Delivery" ? ($0.0, "11111111-2222-4333-8444-555555555555") : $0 }
            }
            #expect(again.status == 200)
            #expect(again.body["duplicate"] == true)
            #expect(again.body["events"]?.arrayValue?.first?["event_id"] == first.body["events"]?.arrayValue?.first?["event_id"])
            let messages = try await client.call(.get, "/api/v1/messages?chat_id=1041", token: ingestToken)
            #expect(messages.body["items"]?.arrayValue?.count == 1)
            let chat = try await client.call(.get, "/api/v1/chats/1041", token: ingestToken)
            #expect(chat.body["last_msg_id"] == 884_120)
            #expect(chat.body["last_user_msg_time"] == 1_782_119_645)
        }
    }

    @Test("Hookwork's own message coming back raises nothing")
    func echo() async throws {
        try await Self.withApp { client, clock in
            let created = try ChatwootSample.load("conversation_created.whatsapp_bot_pending")
            clock.set(created.timestamp)
            #expect(try await client.deliver(created).status == 200)
            let echo = try ChatwootSample.load("message_created.outgoing_hookwork_bot_echo")
            clock.set(echo.timestamp)
            let answer = try await client.deliver(echo)
            #expect(answer.status == 200)
            #expect(answer.body["events"] == [])
            #expect(answer.body["note"]?.stringValue?.contains("echo") == true)
        }
    }
}
