public import HookworkCore

/// What the continuous scheduler was doing with a chat or mail message when its process stopped.
public enum ContinuousFaultPhase: String, Sendable, CaseIterable {
    /// Evaluating a webhook's conditions.
    case evaluating
    /// Running a webhook's trigger.
    case firing
}

/// What a continuous pass scans: an open chat or a mail message.
public enum ContinuousSubject: String, Sendable, CaseIterable {
    /// An open chat (continuous chat webhooks, type 1).
    case chat
    /// A mail message (continuous mail webhooks, type 2).
    case mailMessage = "mail_message"
}

/// A chat or mail message that was in flight when a continuous pass's process stopped without finishing it.
public struct ContinuousCrash: Sendable, Hashable {
    /// What it is.
    public var subject: ContinuousSubject
    /// The chat's or mail message's id.
    public var id: Int
    /// The webhook it was being evaluated against or fired for.
    public var webhookID: Int
    /// What was being done.
    public var phase: ContinuousFaultPhase

    /// A crash record.
    public init(subject: ContinuousSubject, id: Int, webhookID: Int, phase: ContinuousFaultPhase) {
        self.subject = subject
        self.id = id
        self.webhookID = webhookID
        self.phase = phase
    }
}

/// A chat or mail message under suspicion (it was in flight at a crash) or parked (at too many).
public struct ContinuousFault: Sendable, Equatable {
    /// What it is.
    public var subject: ContinuousSubject
    /// The chat's or mail message's id.
    public var id: Int
    /// The webhook of the last crash.
    public var webhookID: Int
    /// What was being done at the last crash.
    public var phase: ContinuousFaultPhase
    /// Crashes it was in flight at, since it was last resumed.
    public var crashes: Int
    /// The first and the last of them (unix seconds, when the next process started).
    public var firstAt: Int
    /// See `firstAt`.
    public var lastAt: Int
    /// When it was parked; nil while it is only suspected.
    public var parkedAt: Int?

    /// A fault record.
    public init(
        subject: ContinuousSubject, id: Int, webhookID: Int, phase: ContinuousFaultPhase, crashes: Int, firstAt: Int, lastAt: Int,
        parkedAt: Int?
    ) {
        self.subject = subject
        self.id = id
        self.webhookID = webhookID
        self.phase = phase
        self.crashes = crashes
        self.firstAt = firstAt
        self.lastAt = lastAt
        self.parkedAt = parkedAt
    }

    /// Why it is set aside, in words.
    public var reason: String {
        let what = subject == .chat ? "chat" : "mail message"
        let doing = phase == .evaluating ? "evaluating webhook \(webhookID)'s conditions on" : "running webhook \(webhookID)'s trigger for"
        return "the process stopped \(crashes == 1 ? "once" : "\(crashes) times") while \(doing) this \(what)"
    }
}

/// Poison containment for continuous passes: a chat or mail message in flight when a process stopped is suspected;
/// one in flight at `parkAfter` stops is parked, skipped by every pass until an operator resumes it.
public protocol ContinuousFaultStore: Sendable {
    /// Counts one more crash for each of `crashes` (one per subject), parks those that reached `parkAfter`, and
    /// returns the ones parked by this call.
    func recordContinuousCrashes(_ crashes: [ContinuousCrash], parkAfter: Int, now: Int) async throws -> [ContinuousFault]
    /// Forgets the suspects that are not parked: a pass went through them without a crash.
    func clearContinuousSuspects() async throws
    /// Every suspect and parked chat and mail message, parked first, then by id.
    func continuousFaults() async throws -> [ContinuousFault]
    /// The parked ids of one subject, which passes skip.
    func parkedContinuousIDs(_ subject: ContinuousSubject) async throws -> Set<Int>
    /// Forgets a chat's or mail message's record, so that passes evaluate it again; false when there was none.
    func resumeContinuous(_ subject: ContinuousSubject, id: Int) async throws -> Bool
}

extension ContinuousFault {
    /// The record as the API and the CLI list it.
    public var json: JSONValue {
        var object = JSONObject([("subject", .string(subject.rawValue)), ("id", .int(id)), ("webhook_id", .int(webhookID))])
        object["phase"] = .string(phase.rawValue)
        object["crashes"] = .int(crashes)
        object["first_at"] = .int(firstAt)
        object["last_at"] = .int(lastAt)
        object["parked_at"] = parkedAt.map(JSONValue.int) ?? .null
        object["status"] = .string(parkedAt == nil ? "suspected" : "parked")
        object["reason"] = .string(reason)
        return .object(object)
    }
}
