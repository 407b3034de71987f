import HookworkCore
public import HookworkEngine
import HookworkStore

/// Reconciliation (README, "Chatwoot", "Reconciliation"): Chatwoot's account webhooks are sent once and never
/// retried, so the open conversations are read through the API now and then and stored as state, the way a
/// conversation webhook's snapshot is, without raising events.
extension ChatwootAdapter {
    /// Chatwoot's page size for conversation lists.
    public static let syncPageSize = 25

    public func syncPage(_ page: Int, sender: any HTTPSender, state: any PlatformStateReader) async throws -> PlatformSyncPage {
        let filter = JSONObject([
            (
                "payload",
                .array([
                    .object(
                        JSONObject([
                            ("attribute_key", "status"), ("filter_operator", "equal_to"), ("values", ["open", "pending", "snoozed"]),
                            ("query_operator", .null),
                        ]))
                ])
            )
        ])
        let request = connection.request(
            "POST", "/api/v1/accounts/\(connection.accountID)/conversations/filter?page=\(page)", token: connection.apiAccessToken,
            body: Array(JSONValue.object(filter).jsonText().utf8), timeoutSeconds: 30)
        let response: OutboundResponse
        do { response = try await sender.send(request) } catch {
            return PlatformSyncPage(intakes: [], listed: 0, last: true, error: "the conversation list could not be read: \(error)")
        }
        guard (200..<300).contains(response.status) else {
            let said = (try? JSONValue(parsing: response.body))?["error"]?.stringValue.map { ": \($0.prefix(300))" } ?? ""
            return PlatformSyncPage(intakes: [], listed: 0, last: true, error: "Chatwoot answered \(response.status) to the conversation list\(said)")
        }
        guard response.body.count <= 16 * 1024 * 1024, case .object(let answer)? = try? JSONValue(parsing: response.body) else {
            return PlatformSyncPage(
                intakes: [], listed: 0, last: true,
                error: "the conversation list is not a JSON object (or is larger than the answer size Hookwork reads, 1 MiB)")
        }
        guard case .array(let items)? = answer["payload"] else {
            return PlatformSyncPage(intakes: [], listed: 0, last: true, error: "the conversation list has no payload list of conversations")
        }
        // At most a few pages' worth is read from one answer, whatever it holds.
        let conversations = items.compactMap(\.objectValue).prefix(Self.syncPageSize * 4)
        var intakes: [PlatformIntake] = []
        for conversation in conversations {
            guard let id = conversation["id"]?.intValue, id > 0 else { continue }
            let stored = try await state.record(.chat, id: id)
            guard !ChatwootMapping.isStale(conversation, stored: stored), !Self.sameSnapshot(conversation, stored: stored),
                let chat = ChatwootMapping.chat(from: conversation, connection: connection, stored: stored)
            else { continue }
            var intake = PlatformIntake(platformEvent: "sync", chat: chat)
            if let user = conversation["meta"]?["assignee"]?.objectValue, let record = ChatwootMapping.operatorRecord(user) {
                intake.records.append(record)
            }
            // The list carries the conversation's latest message: stored (as an event's `args.msg` is, moving the
            // chat's last-message columns), so that rules about the last message apply to conversations that were
            // waiting before Hookwork was connected.
            if case .object(let message)? = conversation["messages"]?.arrayValue?.last, let messageID = message["id"]?.intValue,
                try await state.record(.message, id: messageID) == nil
            {
                intake.message = ChatwootMapping.message(message, chatID: id, nested: message)
            }
            intakes.append(intake)
        }
        var result = PlatformSyncPage(intakes: intakes, listed: conversations.count, last: conversations.count < Self.syncPageSize)
        result.listedIDs = conversations.compactMap { $0["id"]?.intValue }
        return result
    }

    public func syncConversation(_ id: Int, sender: any HTTPSender, state: any PlatformStateReader) async throws -> PlatformIntake? {
        let request = connection.request(
            "GET", "/api/v1/accounts/\(connection.accountID)/conversations/\(id)", token: connection.apiAccessToken, timeoutSeconds: 30)
        let response: OutboundResponse
        do { response = try await sender.send(request) } catch {
            throw PlatformRefusal.invalid("conversation \(id) could not be read: \(error)")
        }
        guard response.status == 200, response.body.count <= 4 * 1024 * 1024, case .object(let conversation)? = try? JSONValue(parsing: response.body)
        else { throw PlatformRefusal.invalid("Chatwoot answered \(response.status) for conversation \(id)") }
        let stored = try await state.record(.chat, id: id)
        guard !ChatwootMapping.isStale(conversation, stored: stored), !Self.sameSnapshot(conversation, stored: stored),
            let chat = ChatwootMapping.chat(from: conversation, connection: connection, stored: stored)
        else { return nil }
        return PlatformIntake(platformEvent: "sync", chat: chat)
    }

    /// Whether the stored chat was last updated from this very snapshot (the same `updated_at`).
    static func sameSnapshot(_ conversation: JSONObject, stored: JSONObject?) -> Bool {
        guard let stored, let seen = ChatwootMapping.variables(of: stored)["cw_updated_at"]?.doubleValue,
            let updated = conversation["updated_at"]?.doubleValue
        else { return false }
        return seen == updated
    }
}
