import Foundation
import HookworkChatwoot
import HookworkCore
import HookworkEngine
import HookworkStore
import Synchronization
import Testing

/// The sample deliveries of `shared/platforms/chatwoot/`, vendored into `Fixtures/`: each with its headers, its parsed
/// body and its exact raw body, signed with the secret `whsec-test-secret`.
enum Samples {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let secret = "whsec-test-secret"
    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
            .sorted()
    }

    struct Sample {
        var name: String
        var headers: [String: String]
        var rawBody: String
        var body: JSONObject
        var timestamp: Int { Int(headers["x-chatwoot-timestamp"] ?? "") ?? 0 }
        var request: PlatformRequest { PlatformRequest(headers: headers, body: Array(rawBody.utf8)) }
    }

    static func load(_ name: String) throws -> Sample {
        let text = try String(contentsOf: folder.appendingPathComponent(name + ".json"), encoding: .utf8)
        let file = try #require(try JSONValue(parsing: text).objectValue)
        var headers: [String: String] = [:]
        for (key, value) in file["headers"]?.objectValue ?? JSONObject() { headers[key.lowercased()] = value.stringValue ?? "" }
        let raw = try #require(file["raw_body"]?.stringValue)
        return Sample(name: name, headers: headers, rawBody: raw, body: try #require(try JSONValue(parsing: raw).objectValue))
    }
}

/// The connection of the samples' world: account 3, teams billing (2) → department 3 and sales (4) → 4, the WhatsApp
/// inbox (12) → 5, the Hookwork agent bot 3.
let sampleConnection = ChatwootConnection(
    baseURL: "https://chat.acme.example", accountID: 3, apiAccessToken: "admin-token", botAccessToken: "bot-token",
    webhookSecret: Samples.secret, departments: ["team:2": 3, "team:4": 4, "inbox:12": 5], botID: 3)

/// Hookwork's stored state in memory, merged the way the store merges records.
final class MemoryState: PlatformStateReader {
    let records = Mutex<[String: JSONObject]>([:])

    func record(_ kind: EntityKind, id: Int) async throws -> JSONObject? { records.withLock { $0["\(kind.rawValue):\(id)"] } }

    func openChats(limit: Int) async throws -> [JSONObject] {
        records.withLock { all in
            all.filter { $0.key.hasPrefix("chat:") && [0, 1, 5].contains($0.value["status"]?.intValue ?? 0) }.map(\.value).prefix(limit).map { $0 }
        }
    }

    func merge(_ kind: EntityKind, id: Int, _ patch: JSONObject) {
        records.withLock { all in
            var record = all["\(kind.rawValue):\(id)"] ?? JSONObject()
            for (key, value) in patch { record[key] = value }
            record["id"] = .int(id)
            all["\(kind.rawValue):\(id)"] = record
        }
    }

    /// Applies what an intake stores (without the derived columns the engine adds).
    func apply(_ intake: PlatformIntake) {
        if let chat = intake.chat, let id = chat["id"]?.intValue { merge(.chat, id: id, chat) }
        if let message = intake.message, let id = message["id"]?.intValue { merge(.message, id: id, message) }
        for record in intake.records { merge(record.kind, id: record.id, record.patch) }
    }
}

@Suite("Chatwoot: signatures")
struct ChatwootSignatureTests {
    @Test("every sample's signature verifies over its raw body at its own timestamp", arguments: Samples.names)
    func samplesVerify(_ name: String) throws {
        let sample = try Samples.load(name)
        try ChatwootSignature.verify(sample.request, secret: Samples.secret, now: sample.timestamp)
        // Within the 300 s window either way, and not past it.
        try ChatwootSignature.verify(sample.request, secret: Samples.secret, now: sample.timestamp + 300)
        try ChatwootSignature.verify(sample.request, secret: Samples.secret, now: sample.timestamp - 300)
        #expect(throws: PlatformRefusal.self) { try ChatwootSignature.verify(sample.request, secret: Samples.secret, now: sample.timestamp + 301) }
        #expect(throws: PlatformRefusal.self) { try ChatwootSignature.verify(sample.request, secret: "whsec-other", now: sample.timestamp) }
        #expect(
            ChatwootSignature.sign(body: Array(sample.rawBody.utf8), timestamp: String(sample.timestamp), secret: Samples.secret)
                == sample.headers["x-chatwoot-signature"])
    }

    @Test("one changed byte, a re-serialised body, another timestamp or a missing header is refused")
    func tampering() throws {
        let sample = try Samples.load("message_created.incoming_text")
        var changed = sample.request
        changed.body[changed.body.count - 3] ^= 1
        #expect(throws: PlatformRefusal.unauthenticated("X-Chatwoot-Signature does not match the body and the connection's webhook_secret")) {
            try ChatwootSignature.verify(changed, secret: Samples.secret, now: sample.timestamp)
        }
        // Parsing and encoding again loses the \u0026 escapes Chatwoot sends: verification is over the received bytes only.
        var reserialised = sample.request
        reserialised.body = Array(JSONValue.object(sample.body).jsonText().utf8)
        #expect(reserialised.body != sample.request.body)
        #expect(throws: PlatformRefusal.self) { try ChatwootSignature.verify(reserialised, secret: Samples.secret, now: sample.timestamp) }
        var shifted = sample.request
        shifted.headers["x-chatwoot-timestamp"] = String(sample.timestamp + 1)
        #expect(throws: PlatformRefusal.self) { try ChatwootSignature.verify(shifted, secret: Samples.secret, now: sample.timestamp) }
        for header in ["x-chatwoot-signature", "x-chatwoot-timestamp", "x-chatwoot-delivery"] {
            var missing = sample.request
            missing.headers[header] = nil
            #expect(throws: PlatformRefusal.self) { try ChatwootSignature.verify(missing, secret: Samples.secret, now: sample.timestamp) }
        }
        var notNumber = sample.request
        notNumber.headers["x-chatwoot-timestamp"] = "1782119646.5"
        #expect(throws: PlatformRefusal.self) { try ChatwootSignature.verify(notNumber, secret: Samples.secret, now: sample.timestamp) }
    }
}

@Suite("Chatwoot: mapping")
struct ChatwootMappingTests {
    /// What each sample raises on its own, against an empty store.
    static let expectedEvents: [String: [String]] = [
        "contact_created.whatsapp": [], "contact_created.widget_visitor": [], "contact_updated.email_added": [],
        "contact_updated.last_activity_only": [],
        "conversation_created.api_inbox_assigned": ["chat.chat_started"], "conversation_created.web_widget_open": ["chat.chat_started"],
        "conversation_created.whatsapp_bot_pending": ["chat.chat_started"],
        // Without a stored chat the previous status is unknown (this event's changed_attributes is always null).
        "conversation_status_changed.bot_handoff_open": [],
        "conversation_status_changed.resolved": ["chat.close"],
        "conversation_typing_off.agent": [], "conversation_typing_off.contact_widget": [], "conversation_typing_on.agent_private": [],
        "conversation_typing_on.contact_widget": [],
        "conversation_updated.assignee_changed": ["chat.accept"], "conversation_updated.custom_attributes_changed": ["chat.data_changed"],
        "conversation_updated.labels_changed": ["chat.data_changed"], "conversation_updated.team_changed": ["chat.data_changed_assigned_department"],
        "message_created.incoming_text": ["chat.addmsguser"], "message_created.incoming_with_attachment": ["chat.addmsguser"],
        "message_created.outgoing_agent_reply": ["chat.web_add_msg_admin"], "message_created.outgoing_hookwork_bot_echo": [],
        "message_created.private_note": ["chatwoot.private_note"], "message_updated.deleted_by_agent": ["chat.message_updated"],
        "message_updated.whatsapp_delivered": ["chat.message_updated"], "webwidget_triggered.new_visitor": ["chatwoot.webwidget_triggered"],
        "webwidget_triggered.returning_contact": ["chatwoot.webwidget_triggered"],
    ]

    @Test("every sample maps, against an empty store, to the documented events", arguments: Samples.names)
    func everySample(_ name: String) async throws {
        let sample = try Samples.load(name)
        let intake = try await ChatwootAdapter(connection: sampleConnection).intake(sample.request, now: sample.timestamp, state: MemoryState())
        let expected = try #require(Self.expectedEvents[name], "no expectation for \(name)")
        #expect(intake.events.map(\.name) == expected)
        #expect(intake.platformEvent == sample.body["event"]?.stringValue)
        for event in intake.events {
            #expect(event.key.hasPrefix("cw:3:"))
            #expect(event.key.count <= 200)
        }
        // Nothing the adapter stores holds the contact's real-time token.
        let stored =
            [intake.chat.map(JSONValue.object), intake.message.map(JSONValue.object)].compactMap { $0 } + intake.records.map { .object($0.patch) }
        #expect(!stored.map { $0.jsonText() }.joined().contains("pubsub_token"))
        #expect(!intake.events.map { JSONValue.object($0.args).jsonText() }.joined().contains("Qm8vJx2LkP4sT9wZrN6cYb3A"))
    }

    @Test("a web widget conversation: chat columns, chat variables and the visitor's first message")
    func widgetConversation() async throws {
        let sample = try Samples.load("conversation_created.web_widget_open")
        let intake = try await ChatwootAdapter(connection: sampleConnection).intake(sample.request, now: sample.timestamp, state: MemoryState())
        let chat = try #require(intake.chat)
        #expect(chat["id"] == 1041)
        #expect(chat["status"] == 0)
        #expect(chat["status_sub"] == 0)
        #expect(chat["user_id"] == 0)
        #expect(chat["dep_id"] == 0)
        #expect(chat["time"] == 1_782_119_645)
        #expect(chat["pnd_time"] == 1_782_119_645)
        #expect(chat["nick"] == "Ann Keller")
        #expect(chat["email"] == "")
        #expect(chat["phone"] == "")
        #expect(chat["ip"] == "203.0.113.24")
        #expect(chat["city"] == "Berlin")
        #expect(chat["country_code"] == "DE")
        #expect(chat["referrer"] == "https://shop.acme.example/checkout?step=payment&ref=mail")
        #expect(chat["chat_locale"] == "de")
        #expect(chat["has_unread_messages"] == 1)
        #expect(chat["unanswered_chat"] == 1)
        #expect(chat["priority"] == 0)
        #expect(chat["lsync"] == 0)
        let variables = try #require(chat["chat_variables"]?.objectValue)
        #expect(variables["cw_account_id"] == 3)
        #expect(variables["cw_conversation_id"] == 1041)
        #expect(variables["cw_inbox_id"] == 7)
        #expect(variables["cw_channel"] == "Channel::WebWidget")
        #expect(variables["cw_status"] == "open")
        #expect(variables["cw_labels"] == [])
        #expect(variables["cw_waiting_since"] == 1_782_119_645)
        #expect(variables["cw_contact_id"] == 20417)
        #expect(variables["cw_contact_attributes"] == ["plan": "pro"])
        let message = try #require(intake.message)
        #expect(message["id"] == 884_120)
        #expect(message["chat_id"] == 1041)
        #expect(message["user_id"] == 0)
        #expect(message["time"] == 1_782_119_645)
        #expect(message["msg"] == "Hi, my invoice shows a double charge for order 55120")
        #expect(message["meta_msg"]?["cw"]?["sender_type"] == "contact")
        let started = try #require(intake.events.first)
        #expect(started.key == "cw:3:cc:1041")
        #expect(started.args["msg"]?["id"] == 884_120)
    }

    @Test("a bot inbox's pending conversation is the bot's (5), in the inbox's department; pending_is_bot false makes it pending (0)")
    func botPending() async throws {
        let sample = try Samples.load("conversation_created.whatsapp_bot_pending")
        let intake = try await ChatwootAdapter(connection: sampleConnection).intake(sample.request, now: sample.timestamp, state: MemoryState())
        #expect(intake.chat?["status"] == 5)
        #expect(intake.chat?["dep_id"] == 5)
        var human = sampleConnection
        human.pendingIsBot = false
        let other = try await ChatwootAdapter(connection: human).intake(sample.request, now: sample.timestamp, state: MemoryState())
        #expect(other.chat?["status"] == 0)
    }

    @Test("an API conversation with assignee, team, priority, label and custom attribute")
    func apiConversation() async throws {
        let sample = try Samples.load("conversation_created.api_inbox_assigned")
        let intake = try await ChatwootAdapter(connection: sampleConnection).intake(sample.request, now: sample.timestamp, state: MemoryState())
        let chat = try #require(intake.chat)
        #expect(chat["status"] == 1)
        #expect(chat["user_id"] == 8)
        #expect(chat["dep_id"] == 4)
        #expect(chat["priority"] == 3)
        let variables = try #require(chat["chat_variables"]?.objectValue)
        #expect(variables["order_id"] == "PO-77312")
        #expect(variables["cw_labels"] == ["b2b"])
        #expect(variables["aicons"] == ["b2b": ["i": "b2b"]])
        #expect(variables["cw_team_name"] == "sales")
        #expect(intake.records.contains { $0.kind == .operator && $0.id == 8 && $0.patch["name"] == "Tomas Herrera" })
        #expect(intake.message == nil)
        #expect(intake.events.first?.args["msg"] == .null)
    }

    @Test("messages: authors, text, attachments, notes, deletions, delivery status")
    func messages() async throws {
        let adapter = ChatwootAdapter(connection: sampleConnection)
        func mapped(_ name: String) async throws -> PlatformIntake {
            let sample = try Samples.load(name)
            return try await adapter.intake(sample.request, now: sample.timestamp, state: MemoryState())
        }
        let incoming = try await mapped("message_created.incoming_text")
        #expect(incoming.message?["user_id"] == 0)
        #expect(incoming.message?["time"] == 1_782_119_645)
        #expect(incoming.message?["name_support"] == "")
        #expect(incoming.events.first?.key == "cw:3:mc:884120")
        #expect(incoming.events.first?.args["msg"]?["msg"] == "Hi, my invoice shows a double charge for order 55120")
        #expect(incoming.chat?["chat_variables"]?["cw_inbox_name"] == "Website")

        let reply = try await mapped("message_created.outgoing_agent_reply")
        #expect(reply.message?["user_id"] == 5)
        #expect(reply.message?["name_support"] == "Priya Raman")
        #expect(reply.chat?["frt"] == 130)
        #expect(reply.chat?["unanswered_chat"] == 0)
        #expect(reply.events.first?.args["user"]?["id"] == 5)
        #expect(reply.records.contains { $0.kind == .operator && $0.id == 5 })

        let note = try await mapped("message_created.private_note")
        #expect(note.message?["user_id"] == -1)
        #expect(note.message?["meta_msg"]?["cw"]?["private"] == true)
        #expect(note.message?["meta_msg"]?["cw"]?["sender_id"] == 5)

        let attachment = try await mapped("message_created.incoming_with_attachment")
        let files = attachment.message?["meta_msg"]?["cw"]?["attachments"]?.arrayValue ?? []
        #expect(files.count == 1)
        #expect(files.first?["file_type"] == "image")
        #expect(files.first?["id"] == 51207)

        let deleted = try await mapped("message_updated.deleted_by_agent")
        #expect(deleted.events.first?.args["reason"] == "deleted")
        #expect(deleted.events.first?.key.hasPrefix("cw:3:mu:884127:") == true)
        #expect(deleted.message?["meta_msg"]?["cw"]?["content_attributes"]?["deleted"] == true)

        let delivered = try await mapped("message_updated.whatsapp_delivered")
        #expect(delivered.events.first?.args["reason"] == "delivery_status_change")
        #expect(delivered.message?["del_st"] == 2)
        #expect(delivered.message?["user_id"] == 8)
    }

    @Test("Hookwork's own message coming back is recognised: no event, and the message Hookwork stored gets Chatwoot's id")
    func echo() async throws {
        let sample = try Samples.load("message_created.outgoing_hookwork_bot_echo")
        let state = MemoryState()
        state.merge(.message, id: 90015, JSONObject([("chat_id", 1042), ("user_id", -2), ("msg", "Grazie Marco! Un collega ti risponde tra poco.")]))
        let intake = try await ChatwootAdapter(connection: sampleConnection).intake(sample.request, now: sample.timestamp, state: state)
        #expect(intake.events.isEmpty)
        #expect(intake.note?.contains("echo") == true)
        #expect(intake.message == nil)
        let patch = try #require(intake.records.first { $0.kind == .message })
        #expect(patch.id == 90015)
        #expect(patch.patch["meta_msg"]?["cw"]?["id"] == 884_152)
        // Without the stored message (or the marker) the bot's sender id alone is enough to know it; the message is kept as state.
        let unknown = try await ChatwootAdapter(connection: sampleConnection).intake(sample.request, now: sample.timestamp, state: MemoryState())
        #expect(unknown.events.isEmpty)
        #expect(unknown.message?["user_id"] == -2)
        #expect(ChatwootMapping.isEcho(sample.body, connection: sampleConnection))
    }

    @Test("typing: the visitor's and the agent's typing times; a private note's typing is not the visitor's to see")
    func typing() async throws {
        let adapter = ChatwootAdapter(connection: sampleConnection)
        let on = try Samples.load("conversation_typing_on.contact_widget")
        #expect(try await adapter.intake(on.request, now: 1000, state: MemoryState()).chat?["user_typing"] == 1000)
        let off = try Samples.load("conversation_typing_off.contact_widget")
        #expect(try await adapter.intake(off.request, now: 1000, state: MemoryState()).chat?["user_typing"] == 0)
        let agentOff = try Samples.load("conversation_typing_off.agent")
        let stopped = try await adapter.intake(agentOff.request, now: 1000, state: MemoryState())
        #expect(stopped.chat?["operator_typing"] == 0)
        let privateOn = try Samples.load("conversation_typing_on.agent_private")
        let note = try await adapter.intake(privateOn.request, now: 1000, state: MemoryState())
        #expect(note.chat?["operator_typing"] == nil)
    }

    @Test("the web widget conversation's story, in order, against the state it builds: each transition raised once")
    func story() async throws {
        let adapter = ChatwootAdapter(connection: sampleConnection)
        let state = MemoryState()
        var raised: [String] = []
        let story = [
            "conversation_created.web_widget_open", "message_created.incoming_text", "conversation_updated.assignee_changed",
            "message_created.outgoing_agent_reply", "message_created.private_note", "conversation_typing_on.contact_widget",
            "message_created.incoming_with_attachment", "conversation_typing_off.contact_widget", "conversation_updated.labels_changed",
            "conversation_updated.custom_attributes_changed", "conversation_updated.team_changed", "contact_updated.email_added",
            "message_updated.deleted_by_agent", "conversation_status_changed.resolved", "conversation_status_changed.resolved",
            "webwidget_triggered.returning_contact",
        ]
        for name in story {
            let sample = try Samples.load(name)
            let intake = try await adapter.intake(sample.request, now: sample.timestamp, state: state)
            state.apply(intake)
            raised += intake.events.map(\.name)
        }
        #expect(
            raised == [
                "chat.chat_started", "chat.addmsguser", "chat.accept", "chat.web_add_msg_admin", "chatwoot.private_note", "chat.addmsguser",
                "chat.data_changed", "chat.data_changed", "chat.data_changed_assigned_department", "chat.message_updated", "chat.close",
                "chatwoot.webwidget_triggered",
            ])
        let chat = try #require(try await state.record(.chat, id: 1041))
        #expect(chat["status"] == 2)
        #expect(chat["user_id"] == 5)
        #expect(chat["dep_id"] == 3)
        #expect(chat["cls_time"] == 1_782_120_545)
        #expect(chat["chat_duration"] == 900)
        #expect(chat["wait_time"] == 95)
        // contact_updated reached the open chat before it was resolved.
        #expect(chat["email"] == "ann.keller@example.com" || chat["email"] == "")
        let variables = ChatwootMapping.variables(of: chat)
        #expect(variables["cw_labels"] == ["billing", "refund"])
        #expect(variables["order_id"] == "55120")
        #expect(variables["refund_amount"] == 49.9)
    }

    @Test("the bot hands a WhatsApp conversation to humans: pending (5) → open is chat.transfer_to_human")
    func handoff() async throws {
        let adapter = ChatwootAdapter(connection: sampleConnection)
        let state = MemoryState()
        var raised: [String] = []
        for name in [
            "conversation_created.whatsapp_bot_pending", "message_created.outgoing_hookwork_bot_echo", "conversation_status_changed.bot_handoff_open",
        ] {
            let sample = try Samples.load(name)
            let intake = try await adapter.intake(sample.request, now: sample.timestamp, state: state)
            state.apply(intake)
            raised += intake.events.map(\.name)
        }
        #expect(raised == ["chat.chat_started", "chat.transfer_to_human"])
        #expect(try await state.record(.chat, id: 1042)?["status"] == 0)
    }

    @Test("an older snapshot than the stored one changes nothing and raises nothing")
    func outOfOrder() async throws {
        let adapter = ChatwootAdapter(connection: sampleConnection)
        let state = MemoryState()
        let resolved = try Samples.load("conversation_status_changed.resolved")
        state.apply(try await adapter.intake(resolved.request, now: resolved.timestamp, state: state))
        let older = try Samples.load("conversation_updated.assignee_changed")
        let intake = try await adapter.intake(older.request, now: older.timestamp, state: state)
        #expect(intake.chat == nil)
        #expect(intake.events.isEmpty)
    }

    @Test("an unknown conversation seen resolved is a close only from conversation_status_changed")
    func unknownResolved() async throws {
        let adapter = ChatwootAdapter(connection: sampleConnection)
        var body = try Samples.load("conversation_status_changed.resolved").body
        #expect(try await adapter.intake(body: body, now: 0, state: MemoryState()).events.map(\.name) == ["chat.close"])
        body["event"] = "conversation_updated"
        body["changed_attributes"] = [["label_list": ["previous_value": ["billing"], "current_value": ["billing", "refund"]]]]
        #expect(try await adapter.intake(body: body, now: 0, state: MemoryState()).events.map(\.name) == ["chat.data_changed"])
    }

    @Test("contact events patch the contact's open chats; a new name raises chat.nick_changed")
    func contacts() async throws {
        let adapter = ChatwootAdapter(connection: sampleConnection)
        let state = MemoryState()
        let created = try Samples.load("conversation_created.web_widget_open")
        state.apply(try await adapter.intake(created.request, now: created.timestamp, state: state))
        let email = try Samples.load("contact_updated.email_added")
        let intake = try await adapter.intake(email.request, now: email.timestamp, state: state)
        #expect(intake.records.first?.patch["email"] == "ann.keller@example.com")
        #expect(intake.events.isEmpty)
        let housekeeping = try Samples.load("contact_updated.last_activity_only")
        #expect(try await adapter.intake(housekeeping.request, now: housekeeping.timestamp, state: state).records.isEmpty)
    }

    @Test("status, priority and authors as the README's table has them")
    func tables() {
        #expect(ChatwootMapping.status("open", assigneeType: nil, assigneeID: 0, pendingIsBot: true) == (0, 0))
        #expect(ChatwootMapping.status("open", assigneeType: "User", assigneeID: 5, pendingIsBot: true) == (1, 0))
        #expect(ChatwootMapping.status("open", assigneeType: "AgentBot", assigneeID: 3, pendingIsBot: true) == (5, 0))
        #expect(ChatwootMapping.status("pending", assigneeType: nil, assigneeID: 0, pendingIsBot: true) == (5, 0))
        #expect(ChatwootMapping.status("pending", assigneeType: nil, assigneeID: 0, pendingIsBot: false) == (0, 0))
        #expect(ChatwootMapping.status("snoozed", assigneeType: "User", assigneeID: 5, pendingIsBot: true) == (1, 8))
        #expect(ChatwootMapping.status("snoozed", assigneeType: nil, assigneeID: 0, pendingIsBot: true) == (0, 8))
        #expect(ChatwootMapping.status("resolved", assigneeType: "User", assigneeID: 5, pendingIsBot: true) == (2, 0))
        #expect(["low", "medium", "high", "urgent", nil].map(ChatwootMapping.priority) == [1, 2, 3, 4, 0])
        #expect(ChatwootMapping.author(messageType: "incoming", isPrivate: false, senderType: nil, senderID: 20417) == 0)
        #expect(ChatwootMapping.author(messageType: "outgoing", isPrivate: false, senderType: "user", senderID: 5) == 5)
        #expect(ChatwootMapping.author(messageType: "outgoing", isPrivate: true, senderType: "user", senderID: 5) == -1)
        #expect(ChatwootMapping.author(messageType: "outgoing", isPrivate: false, senderType: "agent_bot", senderID: 3) == -2)
        #expect(ChatwootMapping.author(messageType: "outgoing", isPrivate: false, senderType: "captain_assistant", senderID: 1) == -2)
        #expect(ChatwootMapping.author(messageType: "template", isPrivate: false, senderType: nil, senderID: 0) == -2)
        #expect(ChatwootMapping.author(messageType: "activity", isPrivate: false, senderType: nil, senderID: 0) == -1)
        #expect(ChatwootMapping.messageEvent(author: 0, isPrivate: false) == "chat.addmsguser")
        #expect(ChatwootMapping.messageEvent(author: -1, isPrivate: true) == "chatwoot.private_note")
        #expect(ChatwootMapping.messageEvent(author: 5, isPrivate: false) == "chat.web_add_msg_admin")
    }

    @Test("ISO times as Chatwoot writes them")
    func times() {
        #expect(ChatwootTime.unix(iso: "2026-06-22T09:14:05.611Z") == 1_782_119_645)
        #expect(ChatwootTime.unix(iso: "2026-06-22T09:14:05Z") == 1_782_119_645)
        #expect(ChatwootTime.unix(iso: "2026-06-22T11:14:05+02:00") == 1_782_119_645)
        #expect(ChatwootTime.unix(iso: "1970-01-01T00:00:00.000Z") == 0)
        #expect(ChatwootTime.unix(iso: "not a time") == nil)
        #expect(ChatwootTime.unix(iso: "2026-13-22T09:14:05Z") == nil)
        #expect(ChatwootTime.unix(.double(1_782_119_645.655123)) == 1_782_119_645)
        #expect(ChatwootTime.unix(.null) == 0)
    }
}

@Suite("Chatwoot: connections")
struct ChatwootConnectionTests {
    static let valid: JSONObject = [
        "platform": "chatwoot", "base_url": "https://chat.acme.example/", "account_id": 3, "api_access_token": "admin-token",
        "webhook_secret": "whsec-test-secret", "departments": ["team:2": 3, "inbox:7": 1],
    ]

    @Test("a valid connection reads back with its secrets masked, and saving the masked document keeps them")
    func masking() throws {
        let connection = try ChatwootConnection(document: Self.valid)
        #expect(connection.baseURL == "https://chat.acme.example")
        #expect(connection.department(team: 2, inbox: 7) == 3)
        #expect(connection.department(team: 0, inbox: 7) == 1)
        #expect(connection.department(team: 9, inbox: 8) == 0)
        let masked = ChatwootConnection.masked(connection.document)
        #expect(masked["api_access_token"] == "********")
        #expect(masked["webhook_secret"] == "********")
        #expect(masked["bot_access_token"] == .null)
        let restored = try ChatwootConnection(document: ChatwootConnection.restoringSecrets(masked, stored: connection.document))
        #expect(restored == connection)
        #expect(throws: PlatformRefusal.self) { try ChatwootConnection(document: ChatwootConnection.restoringSecrets(masked, stored: nil)) }
    }

    static let invalidMembers: [(String, JSONValue)] = [
        ("platform", JSONValue.string("rocketchat")), ("base_url", "ftp://chat"), ("base_url", "https://"), ("account_id", 0), ("account_id", "x"),
        ("api_access_token", ""), ("api_access_token", 5), ("webhook_secret", .null), ("departments", ["team:x": 1]), ("departments", ["team:2": 0]),
        ("departments", "team:2"), ("bot_id", -1), ("pending_is_bot", "yes"), ("colour", "blue"),
    ]

    @Test("each invalid member is named", arguments: invalidMembers)
    func invalid(_ field: String, _ value: JSONValue) {
        var document = Self.valid
        document[field] = value
        do {
            _ = try ChatwootConnection(document: document)
            Issue.record("\(field) = \(value) was accepted")
        } catch {
            #expect(error.field?.hasPrefix(field) == true, "\(error)")
        }
    }
}
