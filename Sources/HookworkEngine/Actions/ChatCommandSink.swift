public import HookworkCore

/// Receives the commands of actions that change a chat, for the chat platform to apply (DESIGN §5 "Host callback").
///
/// A command is `{"command":"…","chat_id":N,"changes":{…},"webhook_id":N,"trigger_id":N,"message":{…}?}`. When the
/// action wrote a message, `message` carries it with the id Hookwork gave it (the next free message id), so the
/// platform can store it under the same id.
public protocol ChatCommandSink: Sendable {
    /// Delivers `command`; returns the receiver's HTTP status; throws when it could not be delivered.
    func deliver(_ command: JSONObject) async throws -> Int
}
