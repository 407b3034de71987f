import HookworkCore
public import HookworkStore

/// The platform's id for a message Hookwork posted: when the platform's 2xx answer to a `text` command names its own
/// id (`{"message_id": N}`), the message moves to id N (kept as `hookwork_message_id`) in the same transaction as the
/// attempt's outcome, so that the platform's later syncs of N update that message instead of adding a second one.
public struct PlatformMessageLinks: DeliveryCompletionHandler {
    let store: any RecordStore

    /// Links over `store`.
    public init(store: any RecordStore) {
        self.store = store
    }

    /// Reads a delivered command's answer and moves its message to the platform's id.
    public func deliveryFinished(_ completion: DeliveryCompletion, effects: Effects) async throws {
        guard completion.kind == .callback, completion.status == .delivered, let ours = completion.origin.messageID,
            let platform = Self.platformID(in: completion.responseBody), platform != ours,
            let message = try await store.get(.message, id: ours)
        else { return }
        if try await store.get(.message, id: platform) != nil {
            // The platform synced it already under its id: that record stays, and names ours.
            effects.patch(RecordPatch(kind: .message, id: platform, members: JSONObject([("hookwork_message_id", .int(ours))])))
        } else {
            var moved = message
            moved["id"] = .int(platform)
            moved["hookwork_message_id"] = .int(ours)
            effects.put(RecordPut(kind: .message, id: platform, document: moved))
        }
        effects.delete(RecordKey(kind: .message, id: ours))
        if let chatID = message["chat_id"]?.looseInt, let chat = try await store.get(.chat, id: chatID), chat["last_msg_id"]?.looseInt == ours {
            effects.patch(RecordPatch(kind: .chat, id: chatID, members: JSONObject([("last_msg_id", .int(platform))])))
        }
        effects.note("linked_message", .object(JSONObject([("hookwork_id", .int(ours)), ("platform_id", .int(platform))])))
    }

    /// `message_id` of a JSON answer (an integer, or a string of digits), bounded to plain positive ids.
    static func platformID(in body: [UInt8]) -> Int? {
        guard body.count <= 64 * 1024, case .object(let answer)? = try? JSONValue(parsing: body), let id = answer["message_id"]?.looseInt,
            id > 0, id < RecordIDRange.hookworkBase
        else { return nil }
        return id
    }
}
