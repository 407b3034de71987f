public import HookworkCore
public import HookworkEngine
public import HookworkStore
public import Logging
import Synchronization

/// The `http` worker's path for one stored event: run its webhooks, commit the decision with its calls (the outbox),
/// and make the calls' first attempts at once, so that the answer can report them. The controller only encodes the
/// answer.
public struct InlineEventDelivery: Sendable {
    let store: any Store
    let runner: EventRunner
    let attempter: DeliveryAttempter
    let breakers: BreakerRegistry
    let background: BackgroundWork
    let clock: any EngineClock
    let logger: Logger
    /// The name under which this process holds the deliveries it attempts inline.
    let worker: String
    /// How long the answer waits for the first attempts (`HOOKWORK_HTTP_WORKER_WAIT_MS`).
    let waitMilliseconds: Int

    /// The inline path over these parts.
    public init(
        store: any Store, runner: EventRunner, attempter: DeliveryAttempter, breakers: BreakerRegistry, background: BackgroundWork,
        clock: any EngineClock, logger: Logger, worker: String, waitMilliseconds: Int
    ) {
        self.store = store
        self.runner = runner
        self.attempter = attempter
        self.breakers = breakers
        self.background = background
        self.clock = clock
        self.logger = logger
        self.worker = worker
        self.waitMilliseconds = waitMilliseconds
    }

    /// The `http` worker: runs the webhooks, commits the event's completion with its calls (the outbox), then makes
    /// each call's first attempt at once so that the answer reports it; failures are retried by the delivery workers.
    /// The calls are held by this process while it attempts them: if it dies first, a delivery worker takes them over
    /// when the hold ends, with the same message ids.
    public func run(sequence: Int, name: String, args: JSONObject, now: Int) async throws -> JSONValue {
        let effects = Effects(keyPrefix: "e\(sequence)")
        let report = try await runner.runInline(event: name, args: args, now: now, effects: effects)
        var work = effects.unitOfWork(
            completing: (sequence, report.json), heldBy: worker, heldUntil: now + attempter.settings.leaseSeconds
        )
        // A call to a host whose breaker is open is not attempted here: it is left to the delivery workers at once.
        let blocked = Set(breakers.blockedHosts(now: now))
        for index in work.deliveries.indices where blocked.contains(work.deliveries[index].host) {
            work.deliveries[index].heldBy = nil
            work.deliveries[index].heldUntil = nil
        }
        // Only the calls held by this request are attempted here; a call that waits (polling delay) is left to the workers.
        let held = work.deliveries.map { $0.heldBy == worker }
        let ids = try await store.commit(work, now: clock.now())
        guard !ids.isEmpty else { return report.json }
        // The first attempts go on in their own task: the answer waits for them at most HOOKWORK_HTTP_WORKER_WAIT_MS,
        // then reports the calls still under way as pending; the event's stored outcome gets every result when they end.
        let attempted = zip(ids, held).filter(\.1).map(\.0)
        let deliveries = work.deliveries
        let race = FirstResult<[Int: AttemptResult]?>()
        let json = report.json
        let attempts: BackgroundWork.Work = {
            let results = await attempter.attemptNow(ids: attempted, worker: worker)
            let outcome = Self.reporting(Self.byMessage(deliveries, ids: ids, results: results), in: json, waited: false)
            do { try await store.completeEvent(sequence: sequence, outcome: outcome, now: clock.now()) } catch {
                logger.error("event.outcome_failed", metadata: ["event.sequence": "\(sequence)", "error": "\(error)"])
            }
            race.finish(.success(results))
        }
        // Without the background service (shutting down, or a server built without workers) the request makes them.
        guard background.submit(attempts) else {
            await attempts()
            return Self.reporting(Self.byMessage(deliveries, ids: ids, results: (try? await race.value()) ?? [:]), in: json, waited: false)
        }
        let wait = waitMilliseconds
        let timer = Task {
            try await Task.sleep(for: .milliseconds(wait))
            race.finish(.success(nil))
        }
        defer { timer.cancel() }
        let results = try await race.value()
        return Self.reporting(Self.byMessage(deliveries, ids: ids, results: results ?? [:]), in: json, waited: results == nil)
    }

    /// Each recorded call by message id: its delivery id and its first attempt's result, if it is known.
    static func byMessage(_ deliveries: [NewDelivery], ids: [Int], results: [Int: AttemptResult]) -> [String: (id: Int, result: AttemptResult?)] {
        var byMessage: [String: (id: Int, result: AttemptResult?)] = [:]
        for (delivery, id) in zip(deliveries, ids) { byMessage[delivery.messageID] = (id, results[id]) }
        return byMessage
    }

    /// The outcome with each recorded call's action report showing its delivery and first attempt: `status` `sent`
    /// or `failed` with `http_code`, `duration_ms`, `response`, or `queued` when it was not attempted yet (open breaker).
    /// `waited`: the answer stopped waiting for the first attempts, so a call without a result is still under way
    /// (`status` `pending`).
    static func reporting(_ deliveries: [String: (id: Int, result: AttemptResult?)], in outcome: JSONValue, waited: Bool) -> JSONValue {
        guard case .object(var object) = outcome, case .array(let webhooks)? = object["webhooks"] else { return outcome }
        object["webhooks"] = .array(
            webhooks.map { webhook in
                guard case .object(var entry) = webhook, case .object(var trigger)? = entry["trigger"], case .array(let actions)? = trigger["actions"]
                else { return webhook }
                trigger["actions"] = .array(
                    actions.map { action in
                        guard case .object(var report) = action, let messageID = report["message_id"]?.stringValue,
                            let delivery = deliveries[messageID]
                        else { return action }
                        report["delivery_id"] = .int(delivery.id)
                        guard let result = delivery.result else {
                            if waited, report["status"] == "queued" || report["status"] == "sent" {
                                report["status"] = "pending"
                                report["delivery_status"] = "pending"
                            }
                            return .object(report)
                        }
                        report["status"] = .string(result.status == .delivered ? "sent" : "failed")
                        report["delivery_status"] = .string(result.status.rawValue)
                        if let code = result.statusCode { report["http_code"] = .int(code) }
                        report["duration_ms"] = .int(result.durationMilliseconds)
                        if result.statusCode != nil { report["response"] = .string(String(decoding: result.responseBody, as: UTF8.self)) }
                        if let error = result.error { report["error"] = .string(error) }
                        for (key, value) in result.followUp { report[key] = value }
                        return .object(report)
                    }
                )
                entry["trigger"] = .object(trigger)
                return .object(entry)
            }
        )
        return .object(object)
    }
}

/// The first of several outcomes, handed to one waiter.
public final class FirstResult<Value: Sendable>: Sendable {
    private struct State {
        var result: Result<Value, any Error>?
        var waiter: CheckedContinuation<Value, any Error>?
    }
    private let state = Mutex(State())

    /// No outcome yet.
    public init() {}

    /// Records `result` unless one came first, and wakes the waiter.
    public func finish(_ result: Result<Value, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    /// The first outcome, when there is one.
    public func value() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Value, any Error>? in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
