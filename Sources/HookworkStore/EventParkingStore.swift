public import HookworkCore

/// An event set aside because it kept failing or crashing the process that ran it.
public struct ParkedEvent: Sendable, Equatable {
    /// The event as it was stored.
    public var event: StoredEvent
    /// When it was parked (unix seconds).
    public var parkedAt: Int
    /// Why: the error, or that its claims never completed.
    public var reason: String
}

/// What replaying an event came to.
public enum EventReplayResult: Sendable, Equatable {
    /// Queued again, due now, with its attempts reset.
    case replayed
    /// The event is not parked (it is queued, running or done); nothing changed.
    case notParked
    /// There is no such event.
    case notFound
}

/// Poison containment for the event queue: an event that failed or crashed its worker too often is parked with its
/// reason, listed for operators and replayed on request.
public protocol EventParkingStore: Sendable {
    /// Completes event `sequence` as parked: its outcome is `{"status":"parked","reason":…,"attempts":…}`.
    func parkEvent(sequence: Int, reason: String, attempts: Int, now: Int) async throws
    /// Parked events, oldest first, after `afterSequence`, at most `limit`.
    func parkedEvents(afterSequence: Int, limit: Int) async throws -> [ParkedEvent]
    /// How many events are parked.
    func parkedEventCount() async throws -> Int
    /// Queues a parked event again, due at `now`, with its attempts reset.
    func replayEvent(sequence: Int, now: Int) async throws -> EventReplayResult
}

extension ParkedEvent {
    /// The outcome a parked event is completed with.
    public static func outcome(reason: String, attempts: Int) -> JSONValue {
        .object(JSONObject([("status", .string("parked")), ("reason", .string(reason)), ("attempts", .int(attempts))]))
    }

    /// The parked event as the API and the CLI list it.
    public var json: JSONValue {
        var object = JSONObject([("event_id", .int(event.sequence)), ("event", .string(event.name))])
        object["id"] = event.key.map(JSONValue.string) ?? .null
        object["received_at"] = .int(event.receivedAt)
        object["parked_at"] = .int(parkedAt)
        object["attempts"] = .int(event.attempts)
        object["reason"] = .string(reason)
        object["args"] = event.args
        return .object(object)
    }
}
