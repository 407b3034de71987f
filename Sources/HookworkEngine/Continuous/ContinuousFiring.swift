public import HookworkCore
public import HookworkStore
public import Logging

/// Every trigger run of the continuous scheduler goes through here, in one order: claim the ledger slot with one
/// atomic conditional write, then run the trigger. A caller that loses the claim (another process, or a restart that
/// already fired this episode) runs nothing.
public struct ContinuousFiring: Sendable {
    let store: any Store
    let executor: TriggerExecutor
    let logger: Logger

    /// Firing through `executor`, claiming in `store`'s ledgers.
    public init(store: any Store, executor: TriggerExecutor, logger: Logger) {
        self.store = store
        self.executor = executor
        self.logger = logger
    }

    /// The statuses a continuous chat webhook acts on: pending, active, bot (spec §5.2).
    public static let openStatuses = [0, 1, 5]

    /// What one firing attempt came to.
    public enum Result: Sendable {
        /// The claim was won and the trigger ran.
        case fired(TriggerExecutor.TriggerReport)
        /// Another process, or an earlier pass, already fired this slot.
        case alreadyClaimed
        /// The chat was closed or deleted after the snapshot (spec §5.3 re-check).
        case chatClosed
    }

    /// Fires `branch` of chat webhook `webhookID` for `chatID`: re-checks that the chat is still open, claims the
    /// slot under `policy`, then runs `triggerID` with `{chat}` as its arguments (spec §5.3).
    public func fire(
        webhookID: Int, chatID: Int, branch: FiringBranch, policy: FiringPolicy, triggerID: Int, chat: JSONObject, now: Int
    ) async throws -> Result {
        guard let current = try await store.get(.chat, id: chatID), Self.openStatuses.contains(current["status"]?.looseInt ?? 0) else {
            return .chatClosed
        }
        guard try await store.claimFiring(webhookID: webhookID, chatID: chatID, branch: branch, everySeconds: policy.claimInterval, now: now) else {
            return .alreadyClaimed
        }
        let args = JSONValue.object(JSONObject([("chat", .object(chat))]))
        let report = try await executor.run(triggerID: triggerID, args: args, rootKind: .argsWithChat, now: now)
        logger.info(
            "continuous.fired",
            metadata: [
                "webhook.id": "\(webhookID)", "chat.id": "\(chatID)", "firing.branch": "\(branch.rawValue)", "trigger.id": "\(triggerID)",
                "trigger.succeeded": "\(report.succeeded)",
            ])
        return .fired(report)
    }

    /// Fires mail webhook `webhookID` for mail message `mail` once: records the (webhook, message) pair, and runs the
    /// trigger only when the pair is new (spec §6.1), with `{conversation, mail, chat: mail}`.
    public func fireMail(webhookID: Int, triggerID: Int, mail: JSONObject, now: Int) async throws -> Result {
        let messageID = mail["id"]?.looseInt ?? 0
        guard try await store.claimMail(webhookID: webhookID, messageID: messageID, now: now) else { return .alreadyClaimed }
        let args = JSONValue.object(JSONObject([("conversation", mail["conversation"] ?? .bool(false)), ("mail", .object(mail)), ("chat", .object(mail))]))
        let report = try await executor.run(triggerID: triggerID, args: args, rootKind: .argsWithMail, now: now)
        logger.info(
            "continuous.mail_fired",
            metadata: ["webhook.id": "\(webhookID)", "mail.id": "\(messageID)", "trigger.id": "\(triggerID)", "trigger.succeeded": "\(report.succeeded)"])
        return .fired(report)
    }
}
