import HookworkCore

/// The members of a document that the store copies into indexed columns at write time, so that lists and scans
/// filter in SQL without parsing JSON there (the same code runs on both engines, whose JSON functions differ).
struct IndexedColumns: Sendable {
    /// `status`; a record without one counts as status 0, as a chat without a status is a pending chat.
    var status: Int
    var chatID: Int?
    var conversationID: Int?
    var departmentID: Int?
    var userID: Int?
    /// Webhooks only: 0 hook, 1 continuous.
    var type: Int?
    /// Webhooks only: the event a hook webhook listens to.
    var event: String?
    /// Webhooks only: 1 when switched off.
    var disabled: Int?

    /// The columns of `document`, a record of `kind`.
    init(kind: EntityKind, document: JSONObject) {
        status = Self.integer(document["status"]) ?? 0
        chatID = Self.integer(document["chat_id"])
        conversationID = Self.integer(document["conversation_id"])
        departmentID = Self.integer(document["dep_id"])
        userID = Self.integer(document["user_id"])
        if kind == .webhook {
            type = Self.integer(document["type"]) ?? 0
            event = document["event"]?.stringValue
            disabled = Self.integer(document["disabled"]) ?? 0
        }
    }

    /// An integer from a member that the chat platform may send as a number, a numeric string or a boolean
    /// (PHP platforms send `"5"` as often as `5`): Core's one loose reader.
    static func integer(_ value: JSONValue?) -> Int? { value?.looseInt }
}
