public import HookworkCore
public import HookworkEngine
import HookworkStore

/// The Chatwoot adapter of one connection: authenticates Chatwoot's account-webhook deliveries and turns each into
/// Hookwork state and events (README, "Chatwoot").
public struct ChatwootAdapter: PlatformAdapter {
    public static let platform = "chatwoot"
    /// The connection's settings.
    public let connection: ChatwootConnection
    /// At most this many open chats are looked through for a contact's chats.
    public static let contactChatScan = 500

    /// The adapter of `connection`.
    public init(connection: ChatwootConnection) {
        self.connection = connection
    }

    public func authenticate(_ request: PlatformRequest, now: Int) throws(PlatformRefusal) {
        try ChatwootSignature.verify(request, secret: connection.webhookSecret, now: now)
    }

    public func deliveryID(_ request: PlatformRequest) -> String? {
        guard let id = request.headers["x-chatwoot-delivery"], !id.isEmpty, id.utf8.count <= 100 else { return nil }
        return id
    }

    public func intake(_ request: PlatformRequest, now: Int, state: any PlatformStateReader) async throws -> PlatformIntake {
        let body: JSONObject
        do {
            guard case .object(let object) = try JSONValue(parsing: request.body) else {
                throw PlatformRefusal.invalid("the body must be a JSON object")
            }
            body = object
        } catch let error as JSONParseError {
            throw PlatformRefusal.invalid("the body is not valid JSON: \(error.description)")
        }
        return try await intake(body: body, now: now, state: state)
    }

    /// What one parsed payload changes.
    public func intake(body: JSONObject, now: Int, state: any PlatformStateReader) async throws -> PlatformIntake {
        guard let event = body["event"]?.stringValue, !event.isEmpty, event.count <= 100 else {
            throw PlatformRefusal.invalid("event must be Chatwoot's event name, such as \"message_created\"", field: "event")
        }
        if let account = (body["account"] ?? body["conversation"]?["account"])?["id"]?.intValue, account != connection.accountID {
            return PlatformIntake(platformEvent: event, note: "account \(account) is not this connection's account \(connection.accountID); ignored")
        }
        switch event {
        case "conversation_created", "conversation_updated", "conversation_status_changed":
            return try await conversationEvent(event, body: body, state: state)
        case "message_created", "message_updated":
            return try await messageEvent(event, body: body, state: state)
        case "conversation_typing_on", "conversation_typing_off":
            return try await typing(event, body: body, now: now, state: state)
        case "webwidget_triggered":
            return try await widget(body: body, state: state)
        case "contact_created", "contact_updated":
            return try await contact(event, body: body, state: state)
        default:
            return PlatformIntake(platformEvent: event, note: "\(event.prefix(100)) is not mapped; nothing changed")
        }
    }

    /// The chat patch, operator record and transition events of a conversation snapshot (none when it is stale).
    struct Snapshot {
        var chat: JSONObject?
        var records: [PlatformRecord] = []
        var events: [PlatformEvent] = []
        var stored: JSONObject?
        var assignee: JSONObject?
    }

    /// `embedded`: the conversation rides along a message or typing webhook. Chatwoot sends its own
    /// `conversation_updated` or `conversation_status_changed` for every change of status, assignee, team, labels,
    /// attributes and priority, and an embedded snapshot may be older than a change Hookwork has just made (it was
    /// rendered when the message was created), so for a chat already stored it updates only the rest (times, unread
    /// count, contact) and raises no transition.
    func snapshot(
        _ conversation: JSONObject, state: any PlatformStateReader, changed: JSONValue? = nil, inboxName: String? = nil, statusWebhook: Bool = false,
        embedded: Bool = false
    ) async throws -> Snapshot {
        guard let id = conversation["id"]?.intValue, id > 0 else { return Snapshot() }
        let stored = try await state.record(.chat, id: id)
        var result = Snapshot(stored: stored)
        guard !ChatwootMapping.isStale(conversation, stored: stored),
            var chat = ChatwootMapping.chat(from: conversation, connection: connection, stored: stored, inboxName: inboxName)
        else { return result }
        if embedded, let stored {
            chat = ChatwootMapping.withoutConversationState(chat, stored: stored)
            result.chat = chat
            return result
        }
        result.chat = chat
        if let user = conversation["meta"]?["assignee"]?.objectValue, let record = ChatwootMapping.operatorRecord(user) {
            result.records.append(record)
            result.assignee = record.patch
        }
        result.events = ChatwootMapping.transitionEvents(
            conversation: conversation, chat: chat, stored: stored, changed: ChatwootMapping.changes(changed), connection: connection,
            assignee: result.assignee, closesWithoutHistory: statusWebhook)
        return result
    }

    func conversationEvent(_ event: String, body: JSONObject, state: any PlatformStateReader) async throws -> PlatformIntake {
        let created = event == "conversation_created"
        let snapshot = try await snapshot(
            body, state: state, changed: body["changed_attributes"], statusWebhook: event == "conversation_status_changed")
        guard let chat = snapshot.chat, let id = chat["id"]?.intValue else {
            return PlatformIntake(platformEvent: event, note: "an older snapshot than the stored one (updated_at); state kept")
        }
        var intake = PlatformIntake(platformEvent: event, chat: chat, records: snapshot.records)
        if created {
            // A new conversation is `chat.chat_started` (with its first message when that is the visitor's), never a transition.
            var args = JSONObject([("chat", .object(chat))])
            if let first = body["messages"]?.arrayValue?.first?.objectValue, ChatwootMapping.messageTypeWord(first["message_type"]) == "incoming",
                let message = ChatwootMapping.message(first, chatID: id, nested: first)
            {
                intake.message = message
                args["msg"] = .object(message)
            } else {
                args["msg"] = .null
            }
            if snapshot.stored == nil {
                intake.events = [PlatformEvent(name: "chat.chat_started", key: "cw:\(connection.accountID):cc:\(id)", args: args)]
            } else {
                intake.events = snapshot.events
            }
            return intake
        }
        intake.events = snapshot.events
        if intake.events.isEmpty { intake.note = "no transition: state updated only" }
        return intake
    }

    func messageEvent(_ event: String, body: JSONObject, state: any PlatformStateReader) async throws -> PlatformIntake {
        guard let conversation = body["conversation"]?.objectValue, let chatID = conversation["id"]?.intValue, chatID > 0 else {
            throw PlatformRefusal.invalid("a message event carries its conversation with an id", field: "conversation.id")
        }
        guard let messageID = body["id"]?.intValue, messageID > 0 else {
            throw PlatformRefusal.invalid("a message event has a positive id", field: "id")
        }
        let nested = conversation["messages"]?.arrayValue?.compactMap(\.objectValue).first { $0["id"]?.intValue == messageID }
        guard var message = ChatwootMapping.message(body, chatID: chatID, nested: nested) else {
            throw PlatformRefusal.invalid("a message event has a positive id", field: "id")
        }
        let inboxName = body["inbox"]?["name"]?.stringValue
        let snapshot = try await snapshot(conversation, state: state, inboxName: inboxName, embedded: true)
        var intake = PlatformIntake(platformEvent: event, chat: snapshot.chat, records: snapshot.records, events: snapshot.events)
        if intake.chat == nil { intake.chat = JSONObject([("id", .int(chatID))]) }
        if let sender = body["sender"]?.objectValue, let record = ChatwootMapping.operatorRecord(sender) { intake.records.append(record) }
        let chatArg: JSONValue = .object(intake.chat ?? JSONObject([("id", .int(chatID))]))
        let stored = try await state.record(.message, id: messageID)

        if ChatwootMapping.isEcho(body, connection: connection) {
            // Hookwork's own message coming back: the message it stored gets Chatwoot's id; nothing is raised for it.
            if let own = ChatwootMapping.markerMessageID(body), var ownMessage = try await state.record(.message, id: own),
                ownMessage["chat_id"]?.intValue == chatID
            {
                var meta = ownMessage["meta_msg"]?.objectValue ?? JSONObject()
                var cw = meta["cw"]?.objectValue ?? JSONObject()
                cw["id"] = .int(messageID)
                meta["cw"] = .object(cw)
                ownMessage["meta_msg"] = .object(meta)
                intake.records.append(PlatformRecord(kind: .message, id: own, patch: JSONObject([("meta_msg", .object(meta))])))
            } else if event == "message_created" {
                intake.message = message
            }
            intake.note = "Hookwork's own message (echo); no event raised for it"
            return intake
        }

        intake.message = message
        let author = message["user_id"]?.intValue ?? 0
        let isPrivate = body["private"]?.boolValue ?? false
        if event == "message_created" {
            let name = ChatwootMapping.messageEvent(author: author, isPrivate: isPrivate)
            var args = JSONObject([("chat", chatArg), ("msg", .object(message))])
            if author > 0, let sender = body["sender"]?.objectValue, let record = ChatwootMapping.operatorRecord(sender) {
                args["user"] = .object(record.patch)
            }
            intake.events.insert(PlatformEvent(name: name, key: "cw:\(connection.accountID):mc:\(messageID)", args: args), at: 0)
        } else {
            let reason = ChatwootMapping.updateReason(body, stored: stored, mapped: message)
            if let stored {
                // An update keeps what Hookwork knew of the message and replaces what Chatwoot changed.
                var merged = stored
                for (key, value) in message { merged[key] = value }
                message = merged
                intake.message = message
            }
            let digest = ChatwootMapping.digest([body["content"] ?? .null, body["content_attributes"] ?? .null, nested?["status"] ?? .null])
            let args = JSONObject([("chat", chatArg), ("msg", .object(message)), ("reason", .string(reason))])
            intake.events.insert(
                PlatformEvent(name: "chat.message_updated", key: "cw:\(connection.accountID):mu:\(messageID):\(digest)", args: args), at: 0)
        }
        return intake
    }

    func typing(_ event: String, body: JSONObject, now: Int, state: any PlatformStateReader) async throws -> PlatformIntake {
        guard let conversation = body["conversation"]?.objectValue else {
            throw PlatformRefusal.invalid("a typing event carries its conversation", field: "conversation")
        }
        let snapshot = try await snapshot(conversation, state: state, embedded: true)
        guard var chat = snapshot.chat ?? conversation["id"]?.intValue.map({ JSONObject([("id", .int($0))]) }) else {
            throw PlatformRefusal.invalid("a typing event's conversation has an id", field: "conversation.id")
        }
        let on = event == "conversation_typing_on"
        let user = body["user"]?.objectValue ?? JSONObject()
        var note: String?
        switch user["type"]?.stringValue {
        case nil: chat["user_typing"] = .int(on ? now : 0)
        case "user"?:
            if body["is_private"]?.boolValue == true {
                note = "an agent typing a private note: not shown to the visitor"
            } else {
                chat["operator_typing"] = .int(on ? now : 0)
                chat["operator_typing_id"] = .int(on ? user["id"]?.intValue ?? 0 : 0)
            }
        default: note = "a bot typing: not recorded"
        }
        return PlatformIntake(platformEvent: event, chat: chat, records: snapshot.records, events: snapshot.events, note: note)
    }

    func widget(body: JSONObject, state: any PlatformStateReader) async throws -> PlatformIntake {
        var intake = PlatformIntake(platformEvent: "webwidget_triggered")
        var args = JSONObject()
        if let conversation = body["current_conversation"]?.objectValue {
            let snapshot = try await snapshot(conversation, state: state)
            intake.chat = snapshot.chat
            intake.records = snapshot.records
            intake.events = snapshot.events
            if let chat = snapshot.chat ?? conversation["id"]?.intValue.map({ JSONObject([("id", .int($0))]) }) { args["chat"] = .object(chat) }
        }
        args["contact"] = ChatwootMapping.bounded(.object(contactSummary(body["contact"]?.objectValue ?? JSONObject())))
        args["event_info"] = ChatwootMapping.bounded(body["event_info"] ?? .null)
        let contactInbox = body["id"]?.intValue ?? 0
        let started = body["event_info"]?["initiated_at"]?["timestamp"] ?? .null
        let key = "cw:\(connection.accountID):wt:\(contactInbox):\(ChatwootMapping.digest([started]))"
        intake.events.append(PlatformEvent(name: "chatwoot.webwidget_triggered", key: key, args: args))
        return intake
    }

    func contact(_ event: String, body: JSONObject, state: any PlatformStateReader) async throws -> PlatformIntake {
        var intake = PlatformIntake(platformEvent: event)
        guard let contactID = body["id"]?.intValue, contactID > 0 else {
            throw PlatformRefusal.invalid("a contact event has a positive id", field: "id")
        }
        let name = ChatwootMapping.short(body["name"]) ?? ""
        let email = ChatwootMapping.short(body["email"]) ?? ""
        let phone = ChatwootMapping.short(body["phone_number"]) ?? ""
        let digest = ChatwootMapping.digest([.string(name)])
        for chat in try await state.openChats(limit: Self.contactChatScan) {
            guard let id = chat["id"]?.intValue, ChatwootMapping.variables(of: chat)["cw_contact_id"]?.intValue == contactID else { continue }
            var patch = JSONObject([("id", .int(id))])
            if chat["nick"]?.stringValue != name { patch["nick"] = .string(name) }
            if chat["email"]?.stringValue != email { patch["email"] = .string(email) }
            if chat["phone"]?.stringValue != phone { patch["phone"] = .string(phone) }
            guard patch.count > 1 else { continue }
            intake.records.append(PlatformRecord(kind: .chat, id: id, patch: patch))
            if patch["nick"] != nil {
                let args = JSONObject([("chat", .object(patch)), ("previous_nick", chat["nick"] ?? .string(""))])
                intake.events.append(
                    PlatformEvent(name: "chat.nick_changed", key: "cw:\(connection.accountID):nick:\(contactID):\(id):\(digest)", args: args))
            }
        }
        if intake.records.isEmpty { intake.note = "no open chat of contact \(contactID) changed" }
        return intake
    }

    /// A contact's members worth passing on (never its avatar or tokens).
    func contactSummary(_ contact: JSONObject) -> JSONObject {
        var summary = JSONObject()
        for key in ["id", "name", "email", "phone_number", "identifier", "blocked", "additional_attributes", "custom_attributes"] {
            if let value = contact[key] { summary[key] = value }
        }
        return summary
    }
}
