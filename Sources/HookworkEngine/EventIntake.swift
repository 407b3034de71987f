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

    /// Applies the event's state to the store.
    public func apply(args: JSONObject) async throws -> Changes {
        var changes = Changes()
        if case .object(let chat)? = args["chat"], let id = chat["id"]?.looseInt, id > 0 {
            try await upsert(.chat, id: id, document: chat)
            changes.chatID = id
        }
        if case .object(var message)? = args["msg"], let chatID = message["chat_id"]?.looseInt, chatID > 0 {
            if let id = message["id"]?.looseInt, id > 0 {
                try await upsert(.message, id: id, document: message)
                changes.messageID = id
            } else {
                message["id"] = nil
                changes.messageID = try await store.insert(.message, document: message)
            }
        }
        if case .object(let conversation)? = args["conversation"], let id = conversation["id"]?.looseInt, id > 0 {
            try await upsert(.mailConversation, id: id, document: conversation)
            changes.conversationID = id
        }
        if case .object(let mail)? = args["mail"], let id = mail["id"]?.looseInt, id > 0 {
            try await upsert(.mailMessage, id: id, document: mail)
            changes.mailMessageID = id
        }
        return changes
    }

    /// Merges `document` into the stored record, or creates it.
    func upsert(_ kind: EntityKind, id: Int, document: JSONObject) async throws {
        var document = document
        document["id"] = .int(id)
        if try await store.patch(kind, id: id, with: document) == nil {
            try await store.put(kind, id: id, document: document)
        }
    }
}
