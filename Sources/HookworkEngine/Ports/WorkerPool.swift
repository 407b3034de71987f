import ServiceLifecycle

/// A bounded pool of concurrent work: at most `concurrency` slots busy, refilled as soon as one frees (one slow unit
/// never holds the others back), claiming new units in batches of at least `minimumClaim` slots so that a claim (a
/// store write) is not made for every finished unit. The queue worker, the delivery worker and the continuous pass's
/// firings all run on it.
public struct WorkerPool: Sendable {
    /// The most slots busy at once.
    public let concurrency: Int
    /// The fewest free slots worth a claim while work is under way (with nothing under way, any free slot is).
    public let minimumClaim: Int
    /// How long to wait before claiming again when a claim brought nothing.
    public let idle: Duration

    /// A pool.
    public init(concurrency: Int, minimumClaim: Int = 1, idle: Duration = .milliseconds(200)) {
        self.concurrency = max(concurrency, 1)
        self.minimumClaim = min(max(minimumClaim, 1), max(concurrency, 1))
        self.idle = idle
    }

    /// One claimed unit of work and the slots it takes.
    public struct Claimed<Unit: Sendable>: Sendable {
        /// The unit.
        public var unit: Unit
        /// The slots it takes while it runs (a sequence of calls run one after another takes one per call).
        public var weight: Int

        /// A unit taking `weight` slots.
        public init(_ unit: Unit, weight: Int = 1) {
            self.unit = unit
            self.weight = max(weight, 1)
        }
    }

    /// Claims and runs units until graceful shutdown or cancellation, then waits for the units under way. `claim` is
    /// given the free slots and returns what to start; `finished` hears each unit's outcome. Both run on the pool's
    /// own task, one at a time, so they may keep state.
    public func run<Unit: Sendable, Outcome: Sendable>(
        claim: (_ free: Int) async -> [Claimed<Unit>], work: @escaping @Sendable (Unit) async -> Outcome, finished: (Outcome) -> Void = { _ in }
    ) async {
        await drive(claim: { free in await claim(free) }, untilShutdown: true, work: work, finished: finished)
    }

    /// Runs `work` on every item, at most `concurrency` at a time, and returns the outcomes in the order they finished.
    /// Unlike `run`, it does not stop at graceful shutdown: the items are the rest of work already decided.
    public func map<Item: Sendable, Outcome: Sendable>(_ items: [Item], _ work: @escaping @Sendable (Item) async -> Outcome) async -> [Outcome] {
        var next = items.startIndex
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(items.count)
        await drive(
            claim: { free in
                guard next < items.endIndex else { return nil }
                let end = min(next + free, items.endIndex)
                defer { next = end }
                return items[next..<end].map { Claimed($0) }
            }, untilShutdown: false, work: work, finished: { outcomes.append($0) })
        return outcomes
    }

    /// The loop: claim while enough slots are free, else wait for a unit to finish or for the idle tick; `claim`
    /// returning nil means there is nothing more to claim, ever.
    private func drive<Unit: Sendable, Outcome: Sendable>(
        claim: (_ free: Int) async -> [Claimed<Unit>]?, untilShutdown: Bool, work: @escaping @Sendable (Unit) async -> Outcome,
        finished: (Outcome) -> Void
    ) async {
        await withTaskGroup(of: (outcome: Outcome, weight: Int)?.self) { group in
            var busy = 0
            var ticking = false
            var exhausted = false
            func settle(_ done: (outcome: Outcome, weight: Int)?) {
                if let done {
                    busy -= done.weight
                    finished(done.outcome)
                } else {
                    ticking = false
                }
            }
            while !exhausted && !(untilShutdown && (Task.isShuttingDownGracefully || Task.isCancelled)) {
                let free = concurrency - busy
                var started = 0
                if free >= minimumClaim || (free > 0 && busy == 0) {
                    if let claimed = await claim(free) {
                        for item in claimed {
                            busy += item.weight
                            started += 1
                            group.addTask { (await work(item.unit), item.weight) }
                        }
                    } else {
                        exhausted = true
                        break
                    }
                }
                if started == 0 || concurrency - busy < minimumClaim {
                    if !ticking && (untilShutdown || busy == 0) {
                        ticking = true
                        let idle = idle
                        group.addTask {
                            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: idle) }
                            return nil
                        }
                    }
                    guard let next = await group.next() else { continue }
                    settle(next)
                }
            }
            // The units under way finish and report.
            while let next = await group.next() { settle(next) }
        }
    }
}
