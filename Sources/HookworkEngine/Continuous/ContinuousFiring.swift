public import HookworkCore
public import HookworkStore
public import Logging

/// Every trigger run of the continuous scheduler goes through here: the trigger runs, and its calls are committed in
/// one transaction that first claims the ledger slot with an atomic conditional write. A caller that loses the claim
/// (another process, or a restart that already fired this episode) writes nothing; a crash before the commit leaves
/// the slot free for the next pass, so a firing is neither repeated nor forgotten. A chat-changing action's update of
/// the stored chat is part of the same unit of work, so a lost claim leaves the chat unchanged too.
public struct ContinuousFiring: Sendable {
    let store: any Store
    let executor: TriggerExecutor
    let logger: Logger
    /// Told the ids of the deliveries a firing committed, so that they can be attempted at once rather than at the
    /// delivery workers' next poll; nil leaves them to the workers.
    let deliverNow: (@Sendable ([Int]) -> Void)?

    /// Firing through `executor`, claiming in `store`'s ledgers.
    public init(store: any Store, executor: TriggerExecutor, logger: Logger, deliverNow: (@Sendable ([Int]) -> Void)? = nil) {
        self.store = store
        self.executor = executor
        self.logger = logger
        self.deliverNow = deliverNow
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
        /// The webhook is in shadow mode: the claim was won and the firing recorded; no trigger ran.
        case shadowed

        /// Whether the claim was won (a live or a shadow firing).
        public var won: Bool {
            switch self {
            case .fired, .shadowed: true
            case .alreadyClaimed, .chatClosed: false
            }
        }
    }

    /// Fires `branch` of chat webhook `webhookID` for `chatID`: re-checks that the chat is still open, claims the
    /// slot under `policy`, then runs `triggerID` with `{chat}` as its arguments (spec §5.3).
    public func fire(
        webhookID: Int, chatID: Int, branch: FiringBranch, policy: FiringPolicy, triggerID: Int, chat: JSONObject, now: Int
    ) async throws -> Result {
        try await fire(
            webhookID: webhookID, chatID: chatID, branch: branch, triggerID: triggerID, chat: chat, now: now,
            claim: .firing(webhookID: webhookID, chatID: chatID, branch: branch, everySeconds: policy.claimInterval, maxFirings: policy.maxFirings))
    }

    /// Fires as above, winning `claim` (a bounded repeat, the trigger after the last one, or a ladder's step).
    public func fire(
        webhookID: Int, chatID: Int, branch: FiringBranch, triggerID: Int, chat: JSONObject, now: Int, claim: LedgerClaim
    ) async throws -> Result {
        guard let current = try await store.get(.chat, id: chatID), Self.openStatuses.contains(current["status"]?.looseInt ?? 0) else {
            return .chatClosed
        }
        let snapshot = try await executor.catalog.snapshot()
        if snapshot.webhooks[webhookID]?.webhook.isShadow == true {
            return try await shadow(
                ShadowFiring(
                    source: .continuousChat, webhookID: webhookID, subjectID: chatID, firedAt: now, branch: branch.rawValue, triggerID: triggerID,
                    trace: .null),
                chatID: chatID, claim: claim, now: now)
        }
        // A trigger's texts may read business time even when the webhook's conditions do not.
        let clocks = snapshot.triggerClocks
        let args = JSONValue.object(JSONObject([("chat", .object(clocks?.annotated(chat: chat, now: now) ?? chat))]))
        let effects = Effects(keyPrefix: "f\(webhookID)_\(chatID)_\(branch.rawValue)_\(now)", webhookID: webhookID, branch: branch.rawValue)
        let report = try await executor.run(triggerID: triggerID, args: args, rootKind: .argsWithChat, now: now, effects: effects)
        effects.fired(
            FiringLogEntry(
                source: .continuousChat, webhookID: webhookID, triggerID: triggerID, firedAt: now, effective: report.changedSomething, chatID: chatID)
        )
        var work = effects.unitOfWork()
        work.claims = [claim]
        guard try await commit(work, now: now) else { return .alreadyClaimed }
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
        if try await executor.catalog.snapshot().webhooks[webhookID]?.webhook.isShadow == true {
            return try await shadow(
                ShadowFiring(
                    source: .continuousMail, webhookID: webhookID, subjectID: messageID, firedAt: now, branch: "trigger", triggerID: triggerID,
                    trace: .null),
                mailID: messageID, claim: .mail(webhookID: webhookID, messageID: messageID), now: now)
        }
        let args = JSONValue.object(
            JSONObject([("conversation", mail["conversation"] ?? .bool(false)), ("mail", .object(mail)), ("chat", .object(mail))]))
        let effects = Effects(keyPrefix: "m\(webhookID)_\(messageID)_\(now)", webhookID: webhookID, branch: "trigger")
        let report = try await executor.run(triggerID: triggerID, args: args, rootKind: .argsWithMail, now: now, effects: effects)
        effects.fired(
            FiringLogEntry(
                source: .continuousMail, webhookID: webhookID, triggerID: triggerID, firedAt: now, effective: report.changedSomething,
                chatID: messageID))
        var work = effects.unitOfWork()
        work.claims = [.mail(webhookID: webhookID, messageID: messageID)]
        guard try await commit(work, now: now) else { return .alreadyClaimed }
        logger.info(
            "continuous.mail_fired",
            metadata: [
                "webhook.id": "\(webhookID)", "mail.id": "\(messageID)", "trigger.id": "\(triggerID)", "trigger.succeeded": "\(report.succeeded)",
            ])
        return .fired(report)
    }

    /// Records a shadow webhook's firing, with the trace of its conditions at this moment, under the same claim a live
    /// firing would win: its firing policy and ledger work as a live webhook's do, and no trigger runs.
    func shadow(_ firing: ShadowFiring, chatID: Int? = nil, mailID: Int? = nil, claim: LedgerClaim, now: Int) async throws -> Result {
        var firing = firing
        let test = try? await WebhookInspector(store: store).test(webhookID: firing.webhookID, chatID: chatID, messageID: mailID, now: now)
        firing.trace = test?["trace"] ?? .array([])
        var work = UnitOfWork()
        work.claims = [claim]
        work.shadowFirings = [firing]
        guard try await commit(work, now: now) else { return .alreadyClaimed }
        logger.info(
            "continuous.shadow_fired",
            metadata: [
                "webhook.id": "\(firing.webhookID)", "subject.id": "\(firing.subjectID)", "firing.branch": "\(firing.branch)",
                "trigger.id": "\(firing.triggerID)",
            ])
        return .shadowed
    }

    /// Commits `work`; false when its ledger claim was lost (nothing was written).
    func commit(_ work: UnitOfWork, now: Int) async throws -> Bool {
        do {
            let ids = try await store.commit(work, now: now)
            if !ids.isEmpty { deliverNow?(ids) }
            return true
        } catch let error as StoreError where error.code == "claim_lost" {
            return false
        }
    }
}
