public import HookworkEngine
public import HookworkStore
public import Logging
public import ServiceLifecycle

/// Claims due deliveries and makes them, `concurrency` at a time. A ServiceLifecycle service: on graceful shutdown it
/// stops claiming and finishes the attempts under way. Hosts whose breaker is open are not claimed for (one probe
/// goes when the cool-down ends), and one host never holds more than `perHostLimit` of the slots, so a dead or hanging
/// receiver cannot take the workers that healthy receivers need.
public struct DeliveryWorker: Service {
    let store: any Store
    let attempter: DeliveryAttempter
    let clock: any EngineClock
    let breakers: BreakerRegistry
    let logger: Logger
    /// Attempts under way at the same time.
    public let concurrency: Int
    /// The most slots one host may hold.
    public let perHostLimit: Int
    /// Pause between polls when nothing is due.
    public let pollInterval: Duration
    /// The name this worker claims under.
    public let name: String

    /// A worker.
    public init(
        store: any Store, attempter: DeliveryAttempter, clock: any EngineClock, breakers: BreakerRegistry, logger: Logger, concurrency: Int = 8,
        perHostLimit: Int? = nil, pollInterval: Duration = .milliseconds(200), name: String
    ) {
        self.store = store
        self.attempter = attempter
        self.clock = clock
        self.breakers = breakers
        self.logger = logger
        self.concurrency = max(1, concurrency)
        self.perHostLimit = max(1, perHostLimit ?? (concurrency + 1) / 2)
        self.pollInterval = pollInterval
        self.name = name
    }

    /// Polls until graceful shutdown, then drains.
    public func run() async throws {
        logger.info("delivery.worker_started", metadata: ["worker.name": "\(name)", "worker.concurrency": "\(concurrency)"])
        // Claims go in batches (a quarter of the slots, or whatever is free when nothing is under way): each claim is a
        // write, and one per finished attempt would make claims as many as attempts.
        let pool = WorkerPool(concurrency: concurrency, minimumClaim: max(1, concurrency / 4), idle: pollInterval)
        var inFlight: [String: Int] = [:]
        let (attempter, name) = (attempter, name)
        await pool.run(
            claim: { free in
                let claimed = await claim(free: free, inFlight: inFlight)
                for record in claimed { inFlight[record.host, default: 0] += 1 }
                // Callback commands of one claim go one after another, in the order they were decided, so that the
                // platform applies a chat's changes in order; other calls go at once.
                let commands = claimed.filter { $0.kind == .callback }.sorted { $0.id < $1.id }
                return claimed.filter { $0.kind != .callback }.map { WorkerPool.Claimed([$0]) }
                    + Dictionary(grouping: commands, by: \.host).values.map { WorkerPool.Claimed($0, weight: $0.count) }
            },
            work: { records in
                if records.count == 1, records[0].kind != .callback {
                    await attempter.attempt(records[0])
                } else {
                    _ = await attempter.attemptInOrder(records, worker: name)
                }
                return records
            },
            finished: { records in
                for record in records { inFlight[record.host, default: 1] -= 1 }
            })
        logger.info("delivery.worker_stopped", metadata: ["worker.name": "\(name)"])
    }

    /// Claims up to `free` deliveries, none for held-back hosts or hosts at their limit, plus due probes.
    func claim(free: Int, inFlight: [String: Int]) async -> [DeliveryRecord] {
        let now = clock.now()
        let probes = breakers.probeDueHosts(now: now)
        var excluded = Set(breakers.blockedHosts(now: now)).union(probes)
        for (host, count) in inFlight where count >= perHostLimit { excluded.insert(host) }
        var claimed: [DeliveryRecord] = []
        do {
            claimed = try await store.claimDeliveries(
                DeliveryClaim(limit: free, now: now, worker: name, leaseSeconds: attempter.settings.leaseSeconds, excludedHosts: excluded.sorted())
            )
            for host in probes where claimed.count < free && (inFlight[host] ?? 0) == 0 {
                guard breakers.permit(host: host, now: now) else { continue }
                let probe = try await store.claimDeliveries(
                    DeliveryClaim(limit: 1, now: now, worker: name, leaseSeconds: attempter.settings.leaseSeconds, onlyHost: host)
                )
                if probe.isEmpty {
                    breakers.releaseProbe(host: host)
                } else {
                    logger.info("delivery.breaker_probe", metadata: ["delivery.host": "\(host)"])
                }
                claimed += probe
            }
            // One claim may bring more calls for a host than its share of the slots: the excess goes back.
            var kept: [DeliveryRecord] = []
            var excess: [Int] = []
            var counts = inFlight
            for record in claimed {
                if counts[record.host, default: 0] < perHostLimit {
                    counts[record.host, default: 0] += 1
                    kept.append(record)
                } else {
                    excess.append(record.id)
                }
            }
            if !excess.isEmpty { try await store.releaseDeliveries(ids: excess, worker: name) }
            claimed = kept
        } catch is CancellationError {
            return []  // stopping
        } catch {
            logger.error("delivery.claim_failed", metadata: ["error": "\(error)"])
        }
        return claimed
    }
}

/// Deletes delivered deliveries older than the retention age, and the histories of configuration records deleted
/// longer ago than theirs, once at start and then every `interval`.
public struct DeliveryRetention: Service {
    let store: any Store
    let clock: any EngineClock
    let logger: Logger
    /// Delivered records older than this many days are deleted (0 keeps them).
    public let days: Int
    /// The versions of a record deleted more than this many days ago are deleted (0 keeps them).
    public let deletedVersionDays: Int
    /// Days the firing log is kept (the activity view reads one; backtests compare with `HOOKWORK_HISTORY_DAYS`).
    public let firingDays: Int
    /// Time between purges.
    public let interval: Duration
    /// Days a shadow webhook's would-be firings are kept.
    public static let shadowFiringDays = 14

    /// A retention service.
    public init(
        store: any Store, clock: any EngineClock, logger: Logger, days: Int, deletedVersionDays: Int = 0, firingDays: Int = 2,
        interval: Duration = .seconds(3600)
    ) {
        self.firingDays = firingDays
        self.store = store
        self.clock = clock
        self.logger = logger
        self.days = days
        self.deletedVersionDays = deletedVersionDays
        self.interval = interval
    }

    /// Purges now and then every `interval` until graceful shutdown.
    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await purge()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One purge; returns how many deliveries were deleted. The firing log, which only the activity view (one day at
    /// most) and backtests read, is trimmed to `firingDays` beside it, and shadow firings to `shadowFiringDays`.
    @discardableResult
    public func purge() async -> Int {
        do {
            let firings = try await store.purgeFirings(before: clock.now() - firingDays * 86_400)
            if firings > 0 { logger.info("firings.purged", metadata: ["firing.count": "\(firings)"]) }
            let shadows = try await store.purgeShadowFirings(before: clock.now() - Self.shadowFiringDays * 86_400)
            if shadows > 0 { logger.info("shadow_firings.purged", metadata: ["firing.count": "\(shadows)"]) }
        } catch is CancellationError {
            return 0  // stopping
        } catch {
            logger.error("firings.purge_failed", metadata: ["error": "\(error)"])
        }
        if deletedVersionDays > 0 {
            do {
                let versions = try await store.purgeVersions(deletedBefore: clock.now() - deletedVersionDays * 86_400)
                if versions > 0 {
                    logger.info("versions.purged", metadata: ["version.count": "\(versions)", "retention.days": "\(deletedVersionDays)"])
                }
            } catch is CancellationError {
                return 0  // stopping
            } catch {
                logger.error("versions.purge_failed", metadata: ["error": "\(error)"])
            }
        }
        guard days > 0 else { return 0 }
        do {
            let deleted = try await store.purgeDeliveries(deliveredBefore: clock.now() - days * 86_400)
            if deleted > 0 { logger.info("delivery.purged", metadata: ["delivery.count": "\(deleted)", "retention.days": "\(days)"]) }
            return deleted
        } catch is CancellationError {
            return 0  // stopping
        } catch {
            logger.error("delivery.purge_failed", metadata: ["error": "\(error)"])
            return 0
        }
    }
}
