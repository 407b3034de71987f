import HookworkCore
public import HookworkStore
public import Logging
public import ServiceLifecycle

/// Claims queued events and runs their hook webhooks, `concurrency` at a time. A ServiceLifecycle service: on
/// graceful shutdown it stops claiming and finishes what it holds; an event it never completes returns to the queue
/// when its lease ends.
public struct QueueWorker: Service {
    let store: any EventQueueStore & DeliveryStore & EventParkingStore
    let runner: EventRunner
    let clock: any EngineClock
    let logger: Logger
    let metrics: any EngineMetrics
    /// Events run at the same time.
    public var concurrency: Int
    /// Pause between polls of an empty queue.
    public var pollInterval: Duration
    /// How long a claim holds before another worker may take the event.
    public var leaseSeconds: Int
    /// The name this worker claims under.
    public var name: String
    /// Claims an event gets. Attempts are counted when an event is claimed, so an event whose run crashed or
    /// stalled the process (it was never completed and came back when its lease ended) counts too: past this many
    /// it is parked unrun, and one that failed with an error on its last claim is parked with that error.
    public var maxAttempts: Int
    /// Reports parked events.
    let operations: OperationalEvents

    /// A worker.
    public init(
        store: any EventQueueStore & DeliveryStore & EventParkingStore, runner: EventRunner, clock: any EngineClock, logger: Logger,
        metrics: any EngineMetrics = NoEngineMetrics(),
        concurrency: Int = 4, pollInterval: Duration = .milliseconds(200), leaseSeconds: Int = 300, name: String, maxAttempts: Int = 3,
        operations: OperationalEvents = .none
    ) {
        self.operations = operations
        self.store = store
        self.runner = runner
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        self.concurrency = max(concurrency, 1)
        self.pollInterval = pollInterval
        self.leaseSeconds = leaseSeconds
        self.name = name
        self.maxAttempts = max(maxAttempts, 1)
    }

    /// Polls until graceful shutdown, then finishes the events it holds. A slot that frees is refilled at once: a
    /// slow event holds only its own slot.
    public func run() async throws {
        logger.info("queue.worker_started", metadata: ["worker.name": "\(name)", "worker.concurrency": "\(concurrency)"])
        let pool = WorkerPool(concurrency: concurrency, minimumClaim: max(1, concurrency / 4), idle: pollInterval)
        await pool.run(
            claim: { free in
                do {
                    return try await store.claimEvents(limit: free, now: clock.now(), worker: name, leaseSeconds: leaseSeconds).map { .init($0) }
                } catch is CancellationError {
                    return []  // stopping
                } catch {
                    logger.error("queue.claim_failed", metadata: ["error": "\(error)"])
                    metrics.errorOccurred(code: "queue_claim_failed")
                    return []
                }
            }, work: { event in await process(event) })
        logger.info("queue.worker_stopped", metadata: ["worker.name": "\(name)"])
    }

    /// Runs one claimed event and records its outcome; parks it when it has had its attempts.
    func process(_ event: StoredEvent) async {
        let now = clock.now()
        if event.attempts > maxAttempts {
            let claims = event.attempts - 1
            await park(
                event, reason: "claimed \(claims) time\(claims == 1 ? "" : "s") without completing: the run crashed or stalled the worker", now: now)
            return
        }
        do {
            // The event's completion, its follow-up entries and its calls are one transaction (the outbox): a crash
            // before the commit re-runs the event, and its calls keep their message ids, so nothing is lost or doubled.
            let effects = Effects(keyPrefix: "e\(event.sequence)")
            let outcome = try await runner.runQueued(event, now: now, effects: effects)
            _ = try await store.commit(effects.unitOfWork(completing: (event.sequence, outcome)), now: clock.now())
        } catch {
            logger.error(
                "queue.event_failed",
                metadata: ["event.sequence": "\(event.sequence)", "event.attempts": "\(event.attempts)", "error": "\(error)"]
            )
            metrics.errorOccurred(code: "event_failed")
            if event.attempts >= maxAttempts { await park(event, reason: String(describing: error), now: clock.now()) }
        }
    }

    /// Sets the event aside with its reason; an operator lists and replays parked events.
    func park(_ event: StoredEvent, reason: String, now: Int) async {
        do {
            try await store.parkEvent(sequence: event.sequence, reason: reason, attempts: event.attempts, now: now)
            logger.warning(
                "queue.event_parked", metadata: ["event.sequence": "\(event.sequence)", "event.attempts": "\(event.attempts)", "reason": "\(reason)"])
            metrics.errorOccurred(code: "event_parked")
        } catch {
            logger.error("queue.park_failed", metadata: ["event.sequence": "\(event.sequence)", "error": "\(error)"])
            return
        }
        // The operator hears of it (a crash between the two writes loses this notice, never the event).
        let effects = Effects(keyPrefix: "e\(event.sequence)_parked_\(event.attempts)")
        operations.report(
            .eventParked,
            data: JSONObject([
                ("sequence", .int(event.sequence)), ("name", .string(event.name)), ("attempts", .int(event.attempts)),
                ("reason", .string(String(reason.prefix(2000)))),
            ]),
            at: now, into: effects, suffix: "event_parked"
        )
        guard !effects.calls.isEmpty else { return }
        do {
            _ = try await store.commit(effects.unitOfWork(), now: now)
        } catch {
            logger.error("queue.operations_failed", metadata: ["event.sequence": "\(event.sequence)", "error": "\(error)"])
        }
    }
}
