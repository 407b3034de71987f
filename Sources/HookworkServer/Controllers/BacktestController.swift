import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkStore
import Hummingbird
import ServiceLifecycle
import Synchronization

/// Backtests as jobs: `POST /api/v1/webhooks/{id}/backtest` starts one (and answers its result when it finishes
/// within a few seconds), `GET /api/v1/backtests/{id}` reports its progress or result, `DELETE` cancels it.
final class BacktestJobs: Sendable {
    enum Status: String, Sendable {
        case running, done, failed, cancelled
    }

    struct Job: Sendable {
        var id: Int
        var webhookID: Int
        var since: Int
        var until: Int
        var tick: Int
        var startedAt: Int
        var status: Status = .running
        var progress: Double = 0
        var outcome: Backtester.Outcome?
        var error: String?
        var task: Task<Void, Never>?
    }

    /// Jobs running at once; one more is refused with 429.
    static let concurrent = 2
    /// Finished jobs kept for reading.
    static let kept = 20

    private let jobs = Mutex<(next: Int, items: [Int: Job])>((1, [:]))

    /// Why a job could not start.
    enum Refusal: Error {
        /// `concurrent` jobs are running already.
        case busy
        /// The server is shutting down (its background work takes nothing new).
        case stopping
    }

    /// Starts `run` as a job in `background`, the service that finishes (here: cancels and awaits) its work on graceful
    /// shutdown; each job runs in a task that job's `DELETE` cancels and the background work awaits.
    func start(
        in background: BackgroundWork, webhookID: Int, since: Int, until: Int, tick: Int, now: Int,
        run: @escaping @Sendable (_ progress: @escaping @Sendable (Double) -> Void) async throws -> Backtester.Outcome
    ) throws(Refusal) -> Int {
        let id: Int? = jobs.withLock { state in
            guard state.items.values.filter({ $0.status == .running }).count < Self.concurrent else { return nil }
            let id = state.next
            state.next += 1
            state.items[id] = Job(id: id, webhookID: webhookID, since: since, until: until, tick: tick, startedAt: now)
            // The oldest finished jobs go.
            let finished = state.items.values.filter { $0.status != .running }.sorted { $0.id < $1.id }
            for old in finished.dropLast(Self.kept) { state.items[old.id] = nil }
            return id
        }
        guard let id else { throw .busy }
        let task = Task { [weak self] () -> Void in await self?.perform(id, run) }
        update(id) { $0.task = task }
        let accepted = background.submit {
            await withGracefulShutdownHandler {
                await task.value
            } onGracefulShutdown: {
                task.cancel()
            }
        }
        guard accepted else {
            task.cancel()
            jobs.withLock { _ = $0.items.removeValue(forKey: id) }
            throw .stopping
        }
        return id
    }

    /// Runs job `id` to its end and records how it ended.
    private func perform(
        _ id: Int, _ run: @Sendable (_ progress: @escaping @Sendable (Double) -> Void) async throws -> Backtester.Outcome
    ) async {
        do {
            let outcome = try await run { [weak self] share in self?.update(id) { $0.progress = min(max(share, 0), 1) } }
            update(id) {
                $0.outcome = outcome
                $0.progress = 1
                $0.status = .done
            }
        } catch is CancellationError {
            update(id) { $0.status = .cancelled }
        } catch let failure as ValidationFailure {
            update(id) {
                $0.status = .failed
                $0.error = "\(failure.field): \(failure.message)"
            }
        } catch {
            update(id) {
                $0.status = .failed
                $0.error = "\(error)"
            }
        }
    }

    func update(_ id: Int, _ change: (inout Job) -> Void) {
        jobs.withLock { state in
            guard var job = state.items[id] else { return }
            // A cancelled job stays cancelled.
            let cancelled = job.status == .cancelled
            change(&job)
            if cancelled { job.status = .cancelled }
            state.items[id] = job
        }
    }

    func job(_ id: Int) -> Job? { jobs.withLock { $0.items[id] } }

    /// Cancels a running job; false when there is no such job.
    func cancel(_ id: Int) -> Bool {
        let task: Task<Void, Never>?? = jobs.withLock { state in
            guard var job = state.items[id] else { return .none }
            let task = job.task
            if job.status == .running { job.status = .cancelled }
            state.items[id] = job
            return .some(task)
        }
        guard case .some(let running) = task else { return false }
        running?.cancel()
        return true
    }

    /// Waits up to `milliseconds` for job `id` to finish.
    func wait(_ id: Int, milliseconds: Int) async {
        let deadline = ContinuousClock.now + .milliseconds(milliseconds)
        while job(id)?.status == .running, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The most firings an answer lists of each side.
    static let listed = 10_000

    /// A job as the API shows it.
    static func json(_ job: Job) -> JSONValue {
        var object = JSONObject([
            ("backtest_id", .int(job.id)), ("webhook_id", .int(job.webhookID)), ("status", .string(job.status.rawValue)),
            ("progress", .double((job.progress * 1000).rounded() / 1000)), ("since", .int(job.since)), ("until", .int(job.until)),
            ("tick", .int(job.tick)), ("started_at", .int(job.startedAt)),
        ])
        if let error = job.error { object["error"] = .string(error) }
        if let outcome = job.outcome {
            object["would_fire"] = .array(outcome.wouldFire.prefix(listed).map(\.json))
            object["fired"] = .array(outcome.fired.prefix(listed).map(\.json))
            object["truncated"] = .bool(outcome.wouldFire.count > listed || outcome.fired.count > listed)
            object["totals"] = outcome.totals
        }
        return .object(object)
    }
}

/// The backtest routes.
struct BacktestController {
    let environment: ServerEnvironment
    let jobs: BacktestJobs

    func register(on table: RouteTable) {
        let environment = environment
        let jobs = jobs
        let backtester = Backtester(store: environment.store, defaultCalendarID: environment.configuration.defaultCalendarID)
        table.add(
            .post, "/api/v1/webhooks/{id}/backtest",
            "Replay a webhook (or a configuration not saved yet, in webhook) over the stored history from since to until; what it would have fired beside what it fired",
            scope: .admin, tag: "versions", body: true
        ) { request, context in
            let id = try context.intParameter()
            guard let stored = try await environment.store.get(.webhook, id: id) else { throw APIError.notFound("webhook", id: id) }
            let body = try await request.jsonObject(limit: environment.configuration.maxBodyBytes)
            let now = environment.clock.now()
            for key in body.keys where !["since", "until", "tick", "webhook", "wait_ms"].contains(key) {
                throw APIError(
                    .unprocessableContent, code: "validation_failed", message: "unknown member '\(key)'; send since, until, tick, webhook, wait_ms",
                    field: key)
            }
            func integer(_ key: String, _ range: ClosedRange<Int>, default value: Int? = nil) throws -> Int {
                guard let member = body[key] else {
                    guard let value else {
                        throw APIError(.unprocessableContent, code: "validation_failed", message: "\(key) (unix seconds) is required", field: key)
                    }
                    return value
                }
                guard case .int(let number) = member, range.contains(number) else {
                    throw APIError(
                        .unprocessableContent, code: "validation_failed",
                        message: "\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)", field: key)
                }
                return number
            }
            let days = max(environment.configuration.historyDays, 1)
            let until = try integer("until", 1...(now + 1), default: now)
            let since = try integer("since", max(0, until - days * 86_400)...max(0, until - 1))
            let tick = try integer("tick", 1...3600, default: 1)
            let wait = try integer("wait_ms", 0...20_000, default: 5_000)
            var document = stored
            if let candidate = body["webhook"] {
                guard case .object(let object) = candidate else {
                    throw APIError(.unprocessableContent, code: "validation_failed", message: "webhook must be a webhook document", field: "webhook")
                }
                do {
                    document = try await environment.validator.webhook(object)
                } catch let failure as ValidationFailure {
                    throw APIError(.unprocessableContent, code: failure.code, message: failure.message, field: "webhook." + failure.field)
                }
            }
            let type = document["type"]?.looseInt ?? 0
            guard type == 0 || type == 1 else {
                throw APIError(
                    .unprocessableContent, code: "validation_failed",
                    message: "backtests replay hook (type 0) and continuous chat (type 1) webhooks; this one is type \(type)", field: "webhook")
            }
            let replayed = document
            let job: Int
            do {
                job = try jobs.start(
                    in: environment.background, webhookID: id, since: since, until: until, tick: tick, now: now,
                    run: { progress in
                        try await backtester.run(document: replayed, webhookID: id, since: since, until: until, tick: tick, progress: progress)
                    })
            } catch BacktestJobs.Refusal.busy {
                throw APIError(
                    .tooManyRequests, code: "too_many_backtests",
                    message: "\(BacktestJobs.concurrent) backtests are running; wait for one or cancel it (DELETE /api/v1/backtests/{id})",
                    headers: [.retryAfter: "5"])
            } catch BacktestJobs.Refusal.stopping {
                throw APIError(
                    .serviceUnavailable, code: "shutting_down",
                    message: "the server is shutting down and starts no backtest; try again after it restarts",
                    headers: [.retryAfter: "5"])
            }
            await jobs.wait(job, milliseconds: wait)
            guard let state = jobs.job(job) else { throw APIError(.internalServerError, code: "internal", message: "the backtest went away") }
            return JSONResponse.make(BacktestJobs.json(state), status: state.status == .running ? .accepted : .ok)
        }
        table.add(.get, "/api/v1/backtests/{id}", "A backtest's progress, or its result", scope: .admin, tag: "versions") { _, context in
            let id = try context.intParameter()
            guard let job = jobs.job(id) else { throw APIError.notFound("backtest", id: id) }
            return JSONResponse.make(BacktestJobs.json(job))
        }
        table.add(.delete, "/api/v1/backtests/{id}", "Cancel a running backtest", scope: .admin, tag: "versions") { _, context in
            let id = try context.intParameter()
            guard jobs.cancel(id), let job = jobs.job(id) else { throw APIError.notFound("backtest", id: id) }
            return JSONResponse.make(BacktestJobs.json(job))
        }
    }
}
