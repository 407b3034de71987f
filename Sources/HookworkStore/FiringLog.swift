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

    /// An entry.
    public init(source: FiringSource, webhookID: Int?, triggerID: Int, firedAt: Int, effective: Bool = true) {
        self.effective = effective
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
}
