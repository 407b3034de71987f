import Foundation
public import HookworkCore
public import HookworkStore

/// Builds the objects conditions and templates see: a stored chat or mail message with the derived attributes of
/// spec §10.3 (`department`, `user`, `last_msg`, `chat_variables_array`, ...), read from the store.
public struct ChatAssembler: Sendable {
    let store: any RecordStore
    /// How many of a chat's newest messages are loaded for `last_msg_text` and "Visitor message contains".
    public var messageWindow: Int

    /// An assembler over `store`.
    public init(store: any RecordStore, messageWindow: Int = 50) {
        self.store = store
        self.messageWindow = messageWindow
    }

    /// A chat with its derived attributes and its newest messages (newest first).
    public struct AssembledChat: Sendable {
        /// The chat object, as `args.chat` sees it.
        public var chat: JSONObject
        /// The chat's newest messages, newest first.
        public var messages: [JSONObject]
    }

    /// The placeholder chat the reference uses when an event carries none (spec §1.3 step 2.1).
    public static var placeholderChat: JSONObject { JSONObject([("id", .int(-1))]) }

    /// The stored chat `id` with its derived attributes, or nil when there is none.
    public func chat(id: Int, now: Int) async throws -> AssembledChat? {
        guard let stored = try await store.get(.chat, id: id) else { return nil }
        return try await assemble(chat: stored, now: now)
    }

    /// The chat `id` as a decision that has not committed yet sees it: the stored chat and messages with `effects`'
    /// pending changes over them (a chat-changing action's patch, the message it adds), so that later actions and
    /// events raised inline read the change before it is written.
    public func chat(id: Int, now: Int, pending effects: Effects) async throws -> AssembledChat? {
        guard let current = effects.pending(.chat, id: id, over: try await store.get(.chat, id: id)) else { return nil }
        let added = effects.pendingRecords(.message).filter { $0["chat_id"]?.looseInt == id }
        return try await assemble(chat: current, now: now, adding: added)
    }

    /// Adds the derived attributes to `stored`.
    public func assemble(chat stored: JSONObject, now: Int) async throws -> AssembledChat {
        try await assemble(chat: stored, now: now, adding: [])
    }

    /// Adds the derived attributes to `stored`, counting `added` (messages not stored yet) among its messages.
    func assemble(chat stored: JSONObject, now: Int, adding added: [JSONObject]) async throws -> AssembledChat {
        let chatID = stored["id"]?.looseInt ?? 0
        let department = try await department(id: stored["dep_id"]?.looseInt ?? 0)
        let user = try await operatorObject(id: stored["user_id"]?.looseInt ?? 0)
        var messages = chatID > 0 ? try await store.list(.message, query: EntityQuery(chatID: chatID, newestFirst: true, limit: messageWindow)) : []
        if !added.isEmpty {
            let addedIDs = Set(added.compactMap { $0["id"]?.looseInt })
            messages.removeAll { addedIDs.contains($0["id"]?.looseInt ?? 0) }
            messages = Array((added + messages).sorted { ($0["id"]?.looseInt ?? 0) > ($1["id"]?.looseInt ?? 0) }.prefix(messageWindow))
        }
        let lastMessageID = stored["last_msg_id"]?.looseInt ?? 0
        var lastMessage: JSONObject?
        if lastMessageID > 0, !messages.contains(where: { $0["id"]?.looseInt == lastMessageID }),
            let fetched = try await store.get(.message, id: lastMessageID), fetched["chat_id"]?.looseInt == chatID
        {
            lastMessage = fetched
        }
        return Self.derive(chat: stored, department: department, user: user, messages: messages, lastMessage: lastMessage, now: now)
    }

    /// Adds the derived attributes to `stored` from records already read: its department and operator (as
    /// `department(id:)` and `operatorObject(id:)` decorate them), its newest messages (newest first) and, when
    /// `last_msg_id` is not among them, that message. No store reads: a continuous pass assembles every open chat
    /// from batched reads with it.
    public static func derive(
        chat stored: JSONObject, department: JSONObject?, user: JSONObject?, messages: [JSONObject], lastMessage fetched: JSONObject?, now: Int
    ) -> AssembledChat {
        var chat = stored
        if let department {
            chat["department"] = .object(department)
        } else if chat["department"] == nil {
            chat["department"] = .bool(false)
        }
        if let user {
            chat["user"] = .object(user)
        } else if chat["user"] == nil {
            chat["user"] = .bool(false)
        }
        let lastMessageID = stored["last_msg_id"]?.looseInt ?? 0
        var lastMessage: JSONObject?
        if lastMessageID > 0 {
            lastMessage = messages.first { $0["id"]?.looseInt == lastMessageID } ?? fetched
        }
        lastMessage = lastMessage ?? messages.first
        chat["last_msg"] = lastMessage.map(JSONValue.object) ?? .bool(false)
        // The newest message that is not a system message and has text (spec §10.3).
        let lastText = messages.first { message in
            message["user_id"]?.looseInt != -1 && !(message["msg"]?.stringValue ?? "").isEmpty
        }
        chat["last_msg_text"] = lastText.map(JSONValue.object) ?? .bool(false)
        let lastUser = stored["last_user_msg_time"]?.looseInt ?? 0
        let lastOperator = stored["last_op_msg_time"]?.looseInt ?? 0
        chat["last_msg_time"] = .int(max(lastUser, lastOperator))

        let variables = Self.decodedJSON(stored["chat_variables"])
        chat["chat_variables_array"] = variables
        chat["additional_data_array"] = Self.decodedJSON(stored["additional_data"])
        if chat["aicons"] == nil {
            chat["aicons"] = variables["aicons"] ?? .array([])
        }
        let started = max(stored["time"]?.looseInt ?? 0, stored["pnd_time"]?.looseInt ?? 0)
        chat["wait_time_seconds"] = .int(now - started)
        if chat["incoming_chat"] == nil { chat["incoming_chat"] = .bool(false) }
        return AssembledChat(chat: chat, messages: messages)
    }

    /// The stored mail message `id` with `conversation` (with `mail_variables_array`), `department` and `user`.
    public func mailMessage(id: Int) async throws -> JSONObject? {
        guard let stored = try await store.get(.mailMessage, id: id) else { return nil }
        return try await assemble(mail: stored)
    }

    /// Adds the derived attributes of a mail message.
    public func assemble(mail stored: JSONObject) async throws -> JSONObject {
        Self.derive(
            mail: stored, conversation: try await conversation(id: stored["conversation_id"]?.looseInt ?? 0),
            department: try await department(id: stored["dep_id"]?.looseInt ?? 0),
            user: try await operatorObject(id: stored["user_id"]?.looseInt ?? 0))
    }

    /// Adds the derived attributes of a mail message from records already read (decorated as `conversation(id:)`,
    /// `department(id:)` and `operatorObject(id:)` do): no store reads.
    public static func derive(mail stored: JSONObject, conversation: JSONObject?, department: JSONObject?, user: JSONObject?) -> JSONObject {
        var mail = stored
        if let conversation {
            mail["conversation"] = .object(conversation)
        } else if mail["conversation"] == nil {
            mail["conversation"] = .bool(false)
        }
        if let department {
            mail["department"] = .object(department)
        } else if mail["department"] == nil {
            mail["department"] = .bool(false)
        }
        if let user {
            mail["user"] = .object(user)
        } else if mail["user"] == nil {
            mail["user"] = .bool(false)
        }
        return mail
    }

    /// The stored conversation `id` with `mail_variables_array`.
    public func conversation(id: Int) async throws -> JSONObject? {
        guard id > 0, let conversation = try await store.get(.mailConversation, id: id) else { return nil }
        return Self.decorate(conversation: conversation)
    }

    /// A stored conversation with `mail_variables_array`.
    public static func decorate(conversation stored: JSONObject) -> JSONObject {
        var conversation = stored
        conversation["mail_variables_array"] = Self.decodedJSON(conversation["mail_variables"])
        return conversation
    }

    /// The department `id` with `stats.stats_array` (from the department statistics), or nil.
    public func department(id: Int) async throws -> JSONObject? {
        guard id > 0, let department = try await store.get(.department, id: id) else { return nil }
        return Self.decorate(department: department, stats: try await store.get(.departmentStats, id: id))
    }

    /// A stored department with `stats.stats_array` from its statistics record, if any.
    public static func decorate(department stored: JSONObject, stats: JSONObject?) -> JSONObject {
        var department = stored
        if let stats {
            department["stats"] = .object(JSONObject([("stats_array", .object(stats))]))
        } else if department["stats"] == nil {
            department["stats"] = .object(JSONObject([("stats_array", .array([]))]))
        }
        return department
    }

    /// The operator `id` with `name_official` and `name_support` (spec §10.3), or nil.
    public func operatorObject(id: Int) async throws -> JSONObject? {
        guard id > 0, let user = try await store.get(.operator, id: id) else { return nil }
        return Self.decorate(operator: user)
    }

    /// A stored operator with `name_official` and `name_support`.
    public static func decorate(operator stored: JSONObject) -> JSONObject {
        var user = stored
        let nickname = user["chat_nickname"]?.stringValue ?? ""
        let fullName = [user["name"]?.stringValue ?? "", user["surname"]?.stringValue ?? ""].joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        let official = fullName.isEmpty ? nickname : fullName
        user["name_official"] = .string(official)
        user["name_support"] = .string(nickname.isEmpty ? official : nickname)
        return user
    }

    /// A JSON text column decoded (an object or list given as such is kept); anything else becomes an empty list, as
    /// PHP's `json_decode` failure falls back to `[]`.
    static func decodedJSON(_ value: JSONValue?) -> JSONValue {
        switch value {
        case .object?, .array?: return value!
        case .string(let text)?:
            guard let parsed = try? JSONValue(parsing: text) else { return .array([]) }
            switch parsed {
            case .object, .array: return parsed
            default: return .array([])
            }
        default: return .array([])
        }
    }
}
