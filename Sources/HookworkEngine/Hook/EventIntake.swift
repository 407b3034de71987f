public import HookworkCore
public import HookworkStore

/// The state-carrying rules of an event (DESIGN §4, spec §1.3 and §2.2): an `args.chat` with an id updates the
/// stored chat, an `args.msg` with a `chat_id` adds the message, `args.mail` and `args.conversation` with ids update
/// the stored mail message and conversation.
public struct EventIntake: Sendable {
    let store: any Store

    /// Intake over `store`.
    public init(store: any Store) {
        self.store = store
    }

    /// What the event changed in the store.
    public struct Changes: Sendable, Equatable {
        /// The chat id that was created or updated, if any.
        public var chatID: Int?
        /// The message id that was added, if any.
        public var messageID: Int?
        /// The mail message id that was created or updated, if any.
        public var mailMessageID: Int?
        /// The conversation id that was created or updated, if any.
        public var conversationID: Int?
    }

    /// Applies the event's state to the store at `now`, in one transaction: the records of `plan`, after a message
    /// sent without an id has been given one.
    public func apply(args: JSONObject, now: Int) async throws -> Changes {
        var args = args
        if case .object(var message)? = args["msg"], (message["chat_id"]?.looseInt ?? 0) > 0, (message["id"]?.looseInt ?? 0) <= 0 {
            message["id"] = nil
            message["id"] = .int(try await store.insert(.message, document: message))
            args["msg"] = .object(message)
        }
        _ = try await store.commit(UnitOfWork(patches: try await plan(args: args, now: now)), now: now)
        // The id of each record the event carried (a message counts when it names its chat).
        func id(_ member: String, requiring key: String = "id") -> Int? {
            guard let object = args[member]?.objectValue, (object[key]?.looseInt ?? 0) > 0, let id = object["id"]?.looseInt, id > 0 else {
                return nil
            }
            return id
        }
        return Changes(chatID: id("chat"), messageID: id("msg", requiring: "chat_id"), mailMessageID: id("mail"), conversationID: id("conversation"))
    }

    /// The event's state as patches for one unit of work, so that a caller can commit them (with the events they raise,
    /// for a platform adapter) in one transaction: an `args.chat` with an id merged into the stored chat (created if
    /// new), with its close time and duration when it closes; an `args.msg` with an id and a `chat_id` merged into
    /// the stored message, with what it moves in its chat; `args.conversation` and `args.mail` merged likewise. The
    /// derived columns are computed against the stored records merged with what the event sent. A message without an
    /// id is left out (`apply` gives it one from the store first).
    public func plan(args: JSONObject, now: Int) async throws -> [RecordPatch] {
        var patches: [RecordPatch] = []
        let sentChat = args["chat"]?.objectValue
        var merged: (id: Int, chat: JSONObject)?
        if var chat = sentChat, let id = chat["id"]?.looseInt, id > 0 {
            chat["id"] = .int(id)
            patches.append(RecordPatch(kind: .chat, id: id, members: chat, createIfMissing: true))
            var view = try await store.get(.chat, id: id) ?? JSONObject()
            for (key, value) in chat { view[key] = value }
            let closing = Self.closingPatch(chat: view, sent: chat, now: now)
            if !closing.isEmpty {
                patches.append(RecordPatch(kind: .chat, id: id, members: closing))
                for (key, value) in closing { view[key] = value }
            }
            merged = (id, view)
        }
        if case .object(var message)? = args["msg"], let chatID = message["chat_id"]?.looseInt, chatID > 0, let id = message["id"]?.looseInt, id > 0 {
            message["id"] = .int(id)
            patches.append(RecordPatch(kind: .message, id: id, members: message, createIfMissing: true))
            let chat = merged?.id == chatID ? merged?.chat : try await store.get(.chat, id: chatID)
            if let chat {
                var last: JSONObject?
                if let lastID = chat["last_msg_id"]?.looseInt, lastID > 0, lastID != id { last = try await store.get(.message, id: lastID) }
                let sent = sentChat?["id"]?.looseInt == chatID ? sentChat ?? JSONObject() : JSONObject()
                let effects = Self.messageEffects(message, id: id, chat: chat, last: last, sent: sent, now: now)
                if !effects.isEmpty { patches.append(RecordPatch(kind: .chat, id: chatID, members: effects)) }
            }
        }
        if case .object(var conversation)? = args["conversation"], let id = conversation["id"]?.looseInt, id > 0 {
            conversation["id"] = .int(id)
            patches.append(RecordPatch(kind: .mailConversation, id: id, members: conversation, createIfMissing: true))
        }
        if case .object(var mail)? = args["mail"], let id = mail["id"]?.looseInt, id > 0 {
            mail["id"] = .int(id)
            patches.append(RecordPatch(kind: .mailMessage, id: id, members: mail, createIfMissing: true))
        }
        return patches
    }

    /// What a stored message moves in its chat (spec §10.2), as the reference keeps it: `last_msg_id` (also for system
    /// messages), and by the author `last_user_msg_time` (visitor, `user_id` 0) or `last_op_msg_time` (operator,
    /// `user_id` > 0). Columns only move forward, and a column the platform sent with the same event is left as sent.
    public func messageStored(_ message: JSONObject, id: Int, chatID: Int, sentChat: JSONObject?, now: Int) async throws {
        guard let chat = try await store.get(.chat, id: chatID) else { return }
        var last: JSONObject?
        if let lastID = chat["last_msg_id"]?.looseInt, lastID > 0, lastID != id { last = try await store.get(.message, id: lastID) }
        let patch = Self.messageEffects(message, id: id, chat: chat, last: last, sent: sentChat ?? JSONObject(), now: now)
        if !patch.isEmpty { _ = try await store.patch(.chat, id: chatID, with: patch) }
    }

    /// The chat members a message moves; see `messageStored`. `last` is the chat's current last message. The last
    /// message moves to one that is not older than it (by `time`; Hookwork's own messages have ids of their own range,
    /// so ids do not tell which is newer).
    static func messageEffects(_ message: JSONObject, id: Int, chat: JSONObject, last: JSONObject?, sent: JSONObject, now: Int) -> JSONObject {
        var patch = JSONObject()
        let time = message["time"]?.looseInt ?? now
        func advance(_ key: String, to value: Int) {
            guard sent[key] == nil, value > (chat[key]?.looseInt ?? 0) else { return }
            patch[key] = .int(value)
        }
        let lastTime = last.flatMap { $0["time"]?.looseInt }
        if sent["last_msg_id"] == nil, chat["last_msg_id"]?.looseInt != id, lastTime.map({ time >= $0 }) ?? true {
            patch["last_msg_id"] = .int(id)
        }
        let author = message["user_id"]?.looseInt ?? 0
        if author == 0 { advance("last_user_msg_time", to: time) }
        if author > 0 { advance("last_op_msg_time", to: time) }
        return patch
    }

    /// What a record written through the state API moves: a message its chat's columns, a closed chat its close time
    /// and duration. `sent` is what the platform sent (the whole record, or the patch).
    public func stored(_ kind: EntityKind, id: Int, record: JSONObject, sent: JSONObject, now: Int) async throws {
        switch kind {
        case .message:
            guard let chatID = record["chat_id"]?.looseInt, chatID > 0 else { return }
            try await messageStored(record, id: id, chatID: chatID, sentChat: nil, now: now)
        case .chat: try await closing(chatID: id, sent: sent, now: now)
        default: return
        }
    }

    /// A chat that the event closed (status 2) gets `cls_time` and `chat_duration` when the platform sent neither
    /// and the stored chat has none, so that department statistics count it.
    func closing(chatID: Int, sent: JSONObject, now: Int) async throws {
        guard sent["status"]?.looseInt == 2, let chat = try await store.get(.chat, id: chatID) else { return }
        let patch = Self.closingPatch(chat: chat, sent: sent, now: now)
        if !patch.isEmpty { _ = try await store.patch(.chat, id: chatID, with: patch) }
    }

    /// The close time and duration a chat closed by `sent` gets (none when `sent` does not close it, or it has both).
    static func closingPatch(chat: JSONObject, sent: JSONObject, now: Int) -> JSONObject {
        guard sent["status"]?.looseInt == 2 else { return JSONObject() }
        var patch = JSONObject()
        let closedAt = chat["cls_time"]?.looseInt.flatMap { $0 > 0 ? $0 : nil } ?? now
        if (chat["cls_time"]?.looseInt ?? 0) <= 0 { patch["cls_time"] = .int(closedAt) }
        if (chat["chat_duration"]?.looseInt ?? 0) <= 0 { patch["chat_duration"] = .int(Self.duration(of: chat, closedAt: closedAt)) }
        return patch
    }

    /// Seconds a chat lasted when it closed at `closedAt`: from its start (`time`) to the close, as the reference's
    /// `ChatDuration` counts it when no message timing is known; 0 when the start is unknown.
    public static func duration(of chat: JSONObject, closedAt: Int) -> Int {
        guard let start = chat["time"]?.looseInt, start > 0 else { return 0 }
        return max(0, closedAt - start)
    }
}
