public import HookworkCore
public import HookworkStore
public import Logging

/// Runs the hook webhooks of one event, inline (`http` worker) or from the queue (`queue` worker).
public struct EventRunner: Sendable {
    let store: any Store
    let dispatcher: Dispatcher
    let logger: Logger

    /// Key prefix of the follow-up queue entries that carry delayed webhooks; clients may not use it.
    public static let reservedKeyPrefix = "hookwork:"

    /// A runner over `store` and `dispatcher`.
    public init(store: any Store, dispatcher: Dispatcher, logger: Logger) {
        self.store = store
        self.dispatcher = dispatcher
        self.logger = logger
    }

    /// The `http` worker: every matching webhook now, `delay` ignored (spec §1.3 item 3). The calls go into `effects`.
    public func runInline(event: String, args: JSONObject, now: Int, effects: Effects) async throws -> Dispatcher.Report {
        let webhooks = try await dispatcher.webhooks(for: event)
        return try await dispatcher.run(event: event, args: args, webhooks: webhooks, now: now, queued: false, effects: effects)
    }

    /// The `queue` worker: runs a claimed event. The first run handles the webhooks without a delay and schedules
    /// one follow-up entry per distinct delay (due at arrival + delay), so a delay is a `runAt`, never a sleep.
    /// Follow-up keys are derived from the event, so a crash and a second claim schedule nothing twice. The follow-up
    /// entries and the calls go into `effects`, for the caller to commit with the event's completion.
    public func runQueued(_ event: StoredEvent, now: Int, effects: Effects) async throws -> JSONValue {
        let group = Self.delayGroup(of: event)
        let webhooks = try await dispatcher.webhooks(for: event.name)
        var scheduled: [JSONValue] = []
        var runs: [JSONValue] = []
        if group == nil {
            let delays = Set(webhooks.map(\.webhook.delay)).filter { $0 > 0 }.sorted()
            for delay in delays {
                let key = Self.delayKey(of: event.sequence, delay: delay)
                effects.raise(NewEvent(key: key, name: event.name, args: event.args, receivedAt: event.receivedAt, runAt: event.receivedAt + delay))
                scheduled.append(.int(delay))
                runs.append(.object(JSONObject([("delay", .int(delay)), ("id", .string(key)), ("run_at", .int(event.receivedAt + delay))])))
            }
        }
        let selected = webhooks.filter { $0.webhook.delay == (group ?? 0) }
        let report = try await dispatcher.run(
            event: event.name, args: event.args.objectValue ?? JSONObject(), webhooks: selected, now: now, queued: true, effects: effects
        )
        guard case .object(var outcome) = report.json else { return report.json }
        outcome["delay"] = .int(group ?? 0)
        if !scheduled.isEmpty {
            outcome["scheduled_delays"] = .array(scheduled)
            // Where each delayed run's outcome will be: `GET /api/v1/events/{id}` shows its event_id and outcome.
            outcome["delayed_runs"] = .array(runs)
        }
        if group != nil, let original = Self.originalSequence(of: event) { outcome["delayed_from"] = .int(original) }
        return .object(outcome)
    }

    /// The key of event `sequence`'s follow-up entry for the webhooks delayed by `delay` seconds.
    public static func delayKey(of sequence: Int, delay: Int) -> String { "\(reservedKeyPrefix)delay:\(sequence):\(delay)" }

    /// The event a follow-up entry was scheduled by.
    static func originalSequence(of event: StoredEvent) -> Int? {
        guard let key = event.key, key.hasPrefix(reservedKeyPrefix + "delay:") else { return nil }
        let parts = key.split(separator: ":")
        return parts.count == 4 ? Int(parts[2]) : nil
    }

    /// The delay a follow-up entry carries, or nil for an event as the client sent it.
    static func delayGroup(of event: StoredEvent) -> Int? {
        guard let key = event.key, key.hasPrefix(reservedKeyPrefix + "delay:") else { return nil }
        return key.split(separator: ":").last.flatMap { Int($0) }
    }
}
