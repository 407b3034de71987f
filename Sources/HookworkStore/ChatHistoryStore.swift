public import HookworkCore

/// One entry of the chat history: the state of an open chat as a continuous pass saw it at second `at` (nil: it
/// closed or went away then).
public struct ChatHistoryEntry: Sendable, Equatable {
    /// The chat.
    public var chatID: Int
    /// The pass's second (unix seconds).
    public var at: Int
    /// `{"chat": the assembled chat, "messages": [[id, user_id, text], ...]}` (newest last), or nil.
    public var state: JSONValue?

    /// An entry.
    public init(chatID: Int, at: Int, state: JSONValue?) {
        self.chatID = chatID
        self.at = at
        self.state = state
    }
}

/// The append-only history of open chats (`HOOKWORK_HISTORY_DAYS`), which backtests replay: each continuous pass
/// appends the chats whose state changed since the pass before, with the pass's second.
public protocol ChatHistoryStore: Sendable {
    /// Appends entries, in one transaction.
    func appendChatHistory(_ entries: [ChatHistoryEntry]) async throws
    /// The state of every chat as of `at` (its latest entry at or before it), closed ones left out.
    func chatStates(at: Int) async throws -> [ChatHistoryEntry]
    /// One chat's state as of `at`, or nil (no entry, or it was closed then).
    func chatState(chatID: Int, at: Int) async throws -> JSONValue?
    /// The entries in `since...until`, oldest first (by second, then as appended), at most `limit`.
    func chatHistory(since: Int, until: Int, limit: Int) async throws -> [ChatHistoryEntry]
    /// Deletes entries older than `before`, except each chat's latest one while it is open (a chat unchanged for
    /// longer than the retention still has a state); returns how many went.
    func purgeChatHistory(before: Int) async throws -> Int
    /// The entries kept and the bytes their states take (for the benchmark and `/metrics`).
    func chatHistorySize() async throws -> (entries: Int, bytes: Int)
}
