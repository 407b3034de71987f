public import HookworkCore

/// What ran a trigger, as the firing log records it.
public enum FiringSource: String, Sendable, CaseIterable, Codable {
    /// A hook webhook's trigger or alternative trigger, run for an event (also one raised inline by a trigger).
    case hook
    /// A continuous chat webhook's firing.
    case continuousChat = "continuous_chat"
    /// A continuous mail webhook's firing.
    case continuousMail = "continuous_mail"
}

/// One trigger a decision ran, recorded in its unit of work (`hw_firings`).
public struct FiringLogEntry: Sendable, Equatable {
    /// What ran it.
    public var source: FiringSource
    /// The webhook, if any.
    public var webhookID: Int?
    /// The trigger.
    public var triggerID: Int
    /// When it ran (unix seconds).
    public var firedAt: Int
    /// Whether the run changed something (an action did its work or failed trying); false when every action was
    /// `unchanged`, `skipped` or `unsupported`, or the trigger does not exist.
    public var effective: Bool
    /// The chat (or mail message, for a continuous mail webhook) it ran for, if any.
    public var chatID: Int?

    /// An entry.
    public init(source: FiringSource, webhookID: Int?, triggerID: Int, firedAt: Int, effective: Bool = true, chatID: Int? = nil) {
        self.effective = effective
        self.chatID = chatID
        self.source = source
        self.webhookID = webhookID
        self.triggerID = triggerID
        self.firedAt = firedAt
    }
}

/// Upkeep of the firing log, which only the activity view reads.
public protocol FiringLogStore: Sendable {
    /// Deletes firing-log rows older than `before`; how many were deleted.
    func purgeFirings(before: Int) async throws -> Int
    /// A webhook's logged firings in `since..<until`, oldest first, at most `limit`.
    func firings(webhookID: Int, since: Int, until: Int, limit: Int) async throws -> [FiringLogEntry]
}

/// A firing a webhook in shadow mode would have made: evaluated like a live one (its own firing policy and ledger),
/// recorded instead of running its trigger.
public struct ShadowFiring: Sendable, Equatable {
    /// What would have run it.
    public var source: FiringSource
    /// The webhook.
    public var webhookID: Int
    /// The chat (hook and continuous chat webhooks) or mail message (continuous mail webhooks).
    public var subjectID: Int
    /// When (unix seconds).
    public var firedAt: Int
    /// `trigger` or `alternative`.
    public var branch: String
    /// The trigger that would have run.
    public var triggerID: Int
    /// The conditions' trace at that moment.
    public var trace: JSONValue

    /// A shadow firing.
    public init(source: FiringSource, webhookID: Int, subjectID: Int, firedAt: Int, branch: String, triggerID: Int, trace: JSONValue) {
        self.source = source
        self.webhookID = webhookID
        self.subjectID = subjectID
        self.firedAt = firedAt
        self.branch = branch
        self.triggerID = triggerID
        self.trace = trace
    }
}

/// The would-be firings of webhooks in shadow mode, written in the unit of work of the decision (`UnitOfWork`).
public protocol ShadowFiringStore: Sendable {
    /// A webhook's shadow firings in `since..<until`, newest first, at most `limit`.
    func shadowFirings(webhookID: Int, since: Int, until: Int, limit: Int) async throws -> [ShadowFiring]
    /// How many shadow firings a webhook made per hour in `since..<until`: (the hour's start, the count), oldest first,
    /// hours without one left out.
    func shadowFiringsPerHour(webhookID: Int, since: Int, until: Int) async throws -> [(hour: Int, count: Int)]
    /// Deletes shadow firings older than `before`; how many.
    func purgeShadowFirings(before: Int) async throws -> Int
}
