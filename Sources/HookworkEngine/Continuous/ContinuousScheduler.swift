import Foundation
import HookworkCore
public import HookworkStore
public import Logging
public import ServiceLifecycle
import Synchronization

/// The settings of the continuous scheduler.
public struct ContinuousOptions: Sendable {
    /// Seconds between passes (`continuous.tick`).
    public var tickSeconds: Int = 1
    /// At most this many open chats (newest first) and mail messages per pass; nil scans all (DESIGN §5 deviation 5).
    public var chatLimit: Int?
    /// How many of a chat's newest messages conditions see.
    public var messageWindow: Int = 50
    /// Seconds between department-statistics runs inside the service; 0 switches them off.
    public var statsIntervalSeconds: Int = 3600
    /// Mail-ledger rows older than this are purged (spec §6.1: 31 days).
    public var mailRetentionSeconds: Int = 31 * 24 * 3600
    /// Triggers run at the same time within one pass.
    public var firingConcurrency: Int = 8
    /// How many of the newest change-log rows are kept when it is trimmed.
    public var changeLogRetention: Int = 200_000
    /// A chat or mail message in flight at this many process stops (noted by the crash sentinel) is parked.
    public var parkAfterCrashes: Int = 2
    /// Days of chat history (the open chats' states as each pass saw them) kept for backtests; 0 keeps none.
    /// `HOOKWORK_HISTORY_DAYS`.
    public var historyDays: Int = 0
    /// Fault injection for tests of poison containment (debug builds only set it): evaluating this chat stops the
    /// process at once, as a crash in the evaluator would.
    public var crashOnChatID: Int?

    /// The defaults.
    public init() {}
}

/// What one pass did.
public struct PassReport: Sendable {
    /// Open chats scanned.
    public var chats = 0
    /// Mail messages scanned.
    public var mailMessages = 0
    /// Continuous chat and mail webhooks evaluated.
    public var webhooks = 0
    /// Condition evaluations.
    public var evaluations = 0
    /// Triggers run: (webhook, chat or mail message, branch).
    public var fired: [(webhookID: Int, id: Int, branch: FiringBranch)] = []
    /// Ledger rows whose episode ended (conditions changed, chat closed).
    public var episodesEnded = 0
    /// Mail-ledger rows purged.
    public var mailPurged = 0
    /// Seconds spent reading and assembling chats.
    public var loadSeconds = 0.0
    /// Seconds spent evaluating conditions.
    public var evaluateSeconds = 0.0
    /// Seconds spent claiming and running triggers.
    public var fireSeconds = 0.0
    /// Chats open at the previous pass that are not open any more (closed, or gone).
    public var chatsClosed = 0
    /// Firings of pairs the previous pass expected at this second, made before the scan.
    public var firedEarly = 0
    /// Pairs expected to hold at the next tick (evaluated one tick ahead), fired first by the next pass.
    public var dueNext = 0

    /// An empty report.
    public init() {}
}

/// Continuous webhooks (types 1 and 2, spec §5 and §6): a ServiceLifecycle service that runs a pass every tick, and
/// the department statistics on their own interval. `runPass(now:)` is one pass, for `hookwork cron webhooks` and
/// for tests with an injected clock.
///
/// A pass reads the open chats, their messages and the records they refer to in batched reads (never a query per
/// chat), compiles each webhook's conditions once, evaluates every (chat, webhook) pair in memory, and consults the
/// firing ledger from one read; it writes only to claim a firing or to end an episode.
public struct ContinuousScheduler: Service {
    let store: any Store
    let firing: ContinuousFiring
    let statistics: DepartmentStatistics
    let clock: any EngineClock
    let logger: Logger
    let options: ContinuousOptions
    let catalog: ConfigurationCatalog
    let chatCache = ContinuousChatCache()
    let sentinel: CrashSentinel?
    let operations: OperationalEvents
    /// How soon after a chat closed the department statistics are computed again (several closes, one run).
    public static let statisticsDebounceSeconds = 60

    /// A scheduler over `store`, running triggers with `executor`; `deliverNow` is told the deliveries each firing
    /// committed (see `ContinuousFiring`). With a `sentinel`, each pass notes what it has in flight, and `run()` first
    /// counts what the previous process had in flight when it stopped, parking repeat offenders (reported to `operations`).
    public init(
        store: any Store, executor: TriggerExecutor, clock: any EngineClock, logger: Logger, options: ContinuousOptions = ContinuousOptions(),
        deliverNow: (@Sendable ([Int]) -> Void)? = nil, sentinel: CrashSentinel? = nil, operations: OperationalEvents = .none
    ) {
        self.store = store
        self.firing = ContinuousFiring(store: store, executor: executor, logger: logger, deliverNow: deliverNow)
        self.statistics = DepartmentStatistics(store: store, logger: logger)
        self.clock = clock
        self.logger = logger
        self.options = options
        self.catalog = executor.catalog
        self.sentinel = sentinel
        self.operations = operations
    }

    /// Passes every tick until graceful shutdown. Ticks start just after a wall-clock second turns, so that `{time}`
    /// is fresh when a pass starts and a condition that became true is seen within one tick.
    public func run() async throws {
        logger.info("continuous.scheduler_started", metadata: ["continuous.tick": "\(options.tickSeconds)"])
        var nextStats = 0
        var suspects = await recordLeftOver()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = clock.now()
            do {
                let report = try await runPass(now: now)
                // A pass went through the suspects without a crash: they are innocent (a stop that hit them by chance).
                if suspects {
                    try await store.clearContinuousSuspects()
                    suspects = false
                }
                if !report.fired.isEmpty {
                    logger.debug("continuous.pass", metadata: ["pass.chats": "\(report.chats)", "pass.fired": "\(report.fired.count)"])
                }
                // A chat that closed changes its department's averages: they are computed again shortly.
                if report.chatsClosed > 0, options.statsIntervalSeconds > 0 {
                    nextStats = min(nextStats, now + Self.statisticsDebounceSeconds)
                }
            } catch is CancellationError {
                break  // stopping
            } catch {
                logger.error("continuous.pass_failed", metadata: ["error": "\(error)"])
            }
            if options.statsIntervalSeconds > 0, now >= nextStats {
                do {
                    try await statistics.run(now: now)
                } catch is CancellationError {
                    break  // stopping
                } catch {
                    logger.error("continuous.statistics_failed", metadata: ["error": "\(error)"])
                }
                nextStats = now + options.statsIntervalSeconds
            }
            let tick = Double(max(options.tickSeconds, 1))
            let wall = Date().timeIntervalSince1970
            let wait = (wall / tick).rounded(.down) * tick + tick - wall + 0.002
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
        }
        logger.info("continuous.scheduler_stopped")
    }

    /// Counts the chats and mail messages the previous process had in flight when it stopped, parks those that were
    /// in flight at `parkAfterCrashes` stops, and says whether any suspect is left for the first pass to clear.
    func recordLeftOver() async -> Bool {
        guard let sentinel, !sentinel.leftOver.isEmpty else { return false }
        let now = clock.now()
        for crash in sentinel.leftOver {
            logger.warning(
                "continuous.crash_suspect",
                metadata: [
                    "subject": "\(crash.subject.rawValue)", "id": "\(crash.id)", "webhook.id": "\(crash.webhookID)",
                    "phase": "\(crash.phase.rawValue)",
                ])
        }
        do {
            let parked = try await store.recordContinuousCrashes(sentinel.leftOver, parkAfter: options.parkAfterCrashes, now: now)
            for fault in parked {
                logger.error(
                    "continuous.parked", metadata: ["subject": "\(fault.subject.rawValue)", "id": "\(fault.id)", "reason": "\(fault.reason)"])
                let effects = Effects(keyPrefix: "p_\(fault.subject.rawValue)_\(fault.id)_\(now)")
                operations.report(.continuousParked, data: fault.json.objectValue ?? [:], at: now, into: effects, suffix: "continuous_parked")
                if !effects.calls.isEmpty { _ = try await store.commit(effects.unitOfWork(), now: now) }
            }
        } catch {
            logger.error("continuous.crash_record_failed", metadata: ["error": "\(error)"])
        }
        return true
    }

    /// One pass over chats then mail (spec §5.1 order) at `now`.
    @discardableResult
    public func runPass(now: Int) async throws -> PassReport {
        var report = PassReport()
        let configuration = try await catalog.snapshot()
        try await chatPass(
            webhooks: configuration.continuousChat, revision: configuration.revision,
            business: configuration.businessClocks(for: configuration.continuousChat), calendars: configuration.triggerClocks,
            now: now, report: &report)
        try await mailPass(
            webhooks: configuration.continuousMail, business: configuration.businessClocks(for: configuration.continuousMail), now: now,
            report: &report)
        // The change log only needs to reach back as far as the slowest reader: trimmed once a minute at a tick of 1 s
        // (and by every `hookwork cron webhooks`); a reader that falls further behind reloads everything. Ledger rows of
        // deleted webhooks go at the same time.
        if chatCache.passCount.add(1, ordering: .relaxed).newValue % 60 == 1 {
            try await store.purgeChanges(keeping: options.changeLogRetention)
            try await store.purgeOrphanLedgers()
            if options.historyDays > 0 { _ = try await store.purgeChatHistory(before: now - options.historyDays * 86_400) }
        }
        return report
    }

    // MARK: Chats

    /// A planned firing: decided in memory, then claimed and run.
    struct Planned: Sendable {
        var webhookID: Int
        var chatIndex: Int
        var branch: FiringBranch
        var triggerID: Int
        /// The ledger slot the firing must win.
        var claim: LedgerClaim
    }

    func chatPass(
        webhooks: [CompiledWebhook], revision: Int, business: BusinessClocks?, calendars: BusinessClocks?, now: Int, report: inout PassReport
    ) async throws {
        let ledger = try await store.firingLedger(webhookID: nil)
        let started = ContinuousClock.now
        // `wait_time_seconds` is the one derived member that moves with the clock: refreshed only when a webhook reads it.
        let refreshWaitTime = webhooks.contains(where: \.readsWaitTime)
        // With a history kept, every pass brings the cache up to date (a backtest may replay a webhook not saved yet)
        // and appends the chats whose state changed, at this second.
        let history = options.historyDays > 0
        if !webhooks.isEmpty || history {
            let changed = try await chatCache.refresh(store: store, window: options.messageWindow, now: now, history: history)
            if !changed.isEmpty { try await store.appendChatHistory(changed) }
        }
        // Chats parked after crashing passes are left alone (their ledger rows too) until an operator resumes them.
        let parked = webhooks.isEmpty ? [] : try await store.parkedContinuousIDs(.chat)
        // Business time moves with the clock, as `wait_time_seconds` does: derived each pass, only when a webhook reads it.
        func annotated(_ chats: [LoadedChat]) -> [LoadedChat] {
            var chats = parked.isEmpty ? chats : chats.filter { !parked.contains($0.id) }
            if let business {
                for index in chats.indices {
                    chats[index].object = business.annotated(chat: chats[index].object, now: now)
                    chats[index].value = .object(chats[index].object)
                }
            }
            return chats
        }

        // First the pairs the previous pass found would hold at this second: evaluated on their fresh state and fired
        // before the whole scan is even assembled, so that a condition that comes true with the clock fires within
        // milliseconds of its second instead of after the scan. The scan after it is the safety net.
        let due = chatCache.dueNext.withLock { due in
            defer { due = nil }
            return due?.at == now ? due?.pairs ?? [] : []
        }
        var handled = Set<DuePair>()
        var endedEarly: [FiringLedgerKey] = []
        if !due.isEmpty {
            let dueChats = annotated(chatCache.chats(Array(Set(due.map(\.chatID))), now: now, refreshWaitTime: refreshWaitTime))
            let positions = Dictionary(uniqueKeysWithValues: dueChats.indices.map { (dueChats[$0].id, $0) })
            var early = FiringPlanner(now: now, calendars: calendars)
            for row in ledger where positions[row.chatID] != nil {
                early.rows[FiringLedgerKey(webhookID: row.webhookID, chatID: row.chatID, branch: row.branch)] = row
            }
            let byWebhook = Dictionary(grouping: due, by: \.webhookID)
            for compiled in webhooks {
                guard let pairs = byWebhook[compiled.id], let list = compiled.conditions?.list else { continue }
                var pass = list.pass(now: now, variant: .continuousChat)
                for pair in pairs {
                    guard let index = positions[pair.chatID] else { continue }
                    sentinel?.note(slot: 0, .chat, .evaluating, id: pair.chatID, webhookID: pair.webhookID)
                    let valid = pass.evaluate(chat: dueChats[index].value, messages: dueChats[index].messages).valid
                    sentinel?.clear(slot: 0)
                    // A pair that does not hold after all is left to the scan, which decides its alternative branch.
                    guard valid else { continue }
                    handled.insert(pair)
                    early.consider(compiled, chatIndex: index, chatID: pair.chatID, valid: true, chats: dueChats)
                }
            }
            if !early.starting.isEmpty { try await store.startEpisodes(early.starting, now: now) }
            if !early.planned.isEmpty {
                let fired = await run(early.planned, chats: dueChats, now: now)
                report.fired += fired
                report.firedEarly = fired.count
            }
            endedEarly = early.ended
        }

        let open = webhooks.isEmpty ? [] : chatCache.snapshot(limit: options.chatLimit, now: now, refreshWaitTime: refreshWaitTime)
        // Open chats, parked ones included: a parked chat's ledger rows stay as they are.
        let openIDs = Set(open.map(\.id))
        let chats = annotated(open)
        let loaded = ContinuousClock.now
        report.loadSeconds = Self.seconds(loaded - started)
        report.chats = chats.count
        report.webhooks += webhooks.count
        if !webhooks.isEmpty {
            report.chatsClosed = chatCache.lastOpen.withLock { last in
                defer { last = openIDs }
                return last.map { $0.subtracting(openIDs).count } ?? 0
            }
        }
        let webhookIDs = Set(webhooks.map(\.id))
        var planner = FiringPlanner(now: now, calendars: calendars)
        planner.ended = endedEarly
        for row in ledger {
            let key = FiringLedgerKey(webhookID: row.webhookID, chatID: row.chatID, branch: row.branch)
            // A chat that closed, or a webhook that is gone, disabled or no longer continuous: the episode is over.
            if openIDs.contains(row.chatID) && webhookIDs.contains(row.webhookID) { planner.rows[key] = row } else { planner.ended.append(key) }
        }
        let ledgerWebhooks = Set(planner.rows.keys.map(\.webhookID))

        // A configuration that is not a list never matches (spec §5.3). The prefilter memos stay valid while the
        // configuration's revision is unchanged.
        let lists = webhooks.map { (full: $0.conditions?.list, prefilter: $0.prefilter) }
        let nextTick = now + max(options.tickSeconds, 1)
        let scan = await Self.evaluate(
            lists, webhookIDs: webhooks.map(\.id), lookAhead: webhooks.map(\.movesWithTime), signature: revision, chats: chats, now: now,
            next: nextTick, sentinel: sentinel, crashOn: options.crashOnChatID)
        let evaluated = ContinuousClock.now
        report.evaluateSeconds = Self.seconds(evaluated - loaded)
        report.evaluations += webhooks.count * chats.count
        let next = scan.due.map { DuePair(webhookID: webhooks[$0.webhook].id, chatID: chats[$0.chat].id) }
        chatCache.dueNext.withLock { $0 = next.isEmpty ? nil : (nextTick, next) }
        report.dueNext = next.count
        for (webhookIndex, compiled) in webhooks.enumerated() {
            let webhookID = compiled.id
            let (primary, alternative) = FiringPlanner.triggers(of: compiled.webhook)
            let hasRows = ledgerWebhooks.contains(webhookID)
            let verdicts = scan.verdicts[webhookIndex]
            for (index, chat) in chats.enumerated() {
                let valid = verdicts[index]
                // The common case of a large scan: no ledger row and nothing to run.
                if !hasRows && (valid ? primary : alternative) <= 0 { continue }
                if valid, !handled.isEmpty, handled.contains(DuePair(webhookID: webhookID, chatID: chat.id)) { continue }
                planner.consider(compiled, chatIndex: index, chatID: chat.id, valid: valid, chats: chats)
            }
        }
        if !planner.ended.isEmpty { report.episodesEnded = try await store.endEpisodes(planner.ended) }
        if !planner.starting.isEmpty { try await store.startEpisodes(planner.starting, now: now) }
        report.fired += await run(planner.planned, chats: chats, now: now)
        report.fireSeconds = Self.seconds(ContinuousClock.now - evaluated)
    }

    /// A (webhook, chat) pair expected to hold at a coming second.
    struct DuePair: Hashable, Sendable {
        var webhookID: Int
        var chatID: Int
    }

    /// Turns (webhook, chat, verdict) into ledger work: planned firings, episodes that start and episodes that end.
    struct FiringPlanner {
        let now: Int
        let calendars: BusinessClocks?
        /// The ledger rows of open chats and live webhooks.
        var rows: [FiringLedgerKey: FiringLedgerRow] = [:]
        var planned: [Planned] = []
        var starting: [FiringLedgerKey] = []
        var ended: [FiringLedgerKey] = []

        init(now: Int, calendars: BusinessClocks?) {
            self.now = now
            self.calendars = calendars
        }

        /// The trigger of each branch: a ladder (its steps) takes the place of the trigger, marked 1.
        static func triggers(of webhook: Webhook) -> (primary: Int, alternative: Int) {
            (webhook.steps.isEmpty ? webhook.triggerID : 1, webhook.alternativeTriggerID)
        }

        mutating func consider(_ compiled: CompiledWebhook, chatIndex index: Int, chatID: Int, valid: Bool, chats: [LoadedChat]) {
            let webhook = compiled.webhook
            let webhookID = webhook.id
            let steps = webhook.steps
            let (primary, alternative) = Self.triggers(of: webhook)
            let branch: FiringBranch = valid ? .trigger : .alternative
            let triggerID = valid ? primary : alternative
            let other = FiringLedgerKey(webhookID: webhookID, chatID: chatID, branch: valid ? .alternative : .trigger)
            if rows[other] != nil { ended.append(other) }
            let key = FiringLedgerKey(webhookID: webhookID, chatID: chatID, branch: branch)
            guard triggerID > 0 else {
                if rows[key] != nil { ended.append(key) }
                return
            }
            if valid, !steps.isEmpty {
                // The ladder: the episode starts when the conditions first hold; each step fires once, in order.
                guard let row = rows[key] else {
                    starting.append(key)
                    return
                }
                guard row.firings < steps.count else { return }
                let step = steps[row.firings]
                let lasted: Int
                if step.business {
                    guard case .success(let calendar)? = calendars?.calendar(for: chats[index].object) else { return }
                    lasted = calendar.businessSeconds(at: now) - calendar.businessSeconds(at: row.startedAt)
                } else {
                    lasted = now - row.startedAt
                }
                guard lasted >= step.afterSeconds else { return }
                planned.append(
                    Planned(
                        webhookID: webhookID, chatIndex: index, branch: branch, triggerID: step.triggerID,
                        claim: .step(webhookID: webhookID, chatID: chatID, index: row.firings)))
                return
            }
            let policy = webhook.policy(alternative: !valid)
            var claim = LedgerClaim.firing(
                webhookID: webhookID, chatID: chatID, branch: branch, everySeconds: policy.claimInterval, maxFirings: policy.maxFirings)
            var fires = triggerID
            if let row = rows[key] {
                // Known from the ledger read: no claim needed unless an `every` slot came due.
                if policy.kind == .once { return }
                if now - row.lastFiredAt < policy.everySeconds { return }
                if let most = policy.maxFirings, row.firings >= most {
                    // The repeats are used up: the final trigger, once, when the next repeat would have been due.
                    guard row.firings == most, policy.thenTriggerID > 0 else { return }
                    fires = policy.thenTriggerID
                    claim = .final(webhookID: webhookID, chatID: chatID, branch: branch, everySeconds: policy.everySeconds, firings: most)
                }
            }
            planned.append(Planned(webhookID: webhookID, chatIndex: index, branch: branch, triggerID: fires, claim: claim))
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Every (webhook, chat) verdict, `[webhook][chat]`, and the pairs that do not hold now but will at `next` (for
    /// the webhooks whose `lookAhead` is set: their verdicts move with the clock). The chats are split into one slice
    /// per core, each evaluated on its own task with its own prepared passes (a pass learns key positions as it goes,
    /// so it is not shared), a chat at a time against every webhook, so that a chat's records are read while they
    /// are in the cache. Each slice notes the (chat, webhook) it evaluates in its `sentinel` slot.
    static func evaluate(
        _ lists: [(full: ConditionList?, prefilter: ConditionList?)], webhookIDs: [Int], lookAhead: [Bool], signature: Int, chats: [LoadedChat],
        now: Int, next: Int, sentinel: CrashSentinel?, crashOn: Int?
    ) async -> (verdicts: [[Bool]], due: [(webhook: Int, chat: Int)]) {
        let slices = max(1, min(ProcessInfo.processInfo.activeProcessorCount, chats.count / 2_000))
        let size = (chats.count + slices - 1) / max(slices, 1)
        var verdicts = Array(repeating: Array(repeating: false, count: chats.count), count: lists.count)
        var due: [(webhook: Int, chat: Int)] = []
        await withTaskGroup(of: (Int, [[Bool]], [(webhook: Int, chat: Int)]).self) { group in
            for slice in 0..<slices {
                let range = (slice * size)..<min(chats.count, (slice + 1) * size)
                group.addTask {
                    let notes = EvaluationNotes(sentinel, slice: slice)
                    defer { notes.clear() }
                    var passes = lists.map { $0.full?.pass(now: now, variant: .continuousChat) }
                    var prefilters = lists.map { $0.prefilter?.pass(now: now, variant: .continuousChat) }
                    var ahead = lists.indices.map { lookAhead[$0] ? lists[$0].full?.pass(now: next, variant: .continuousChat) : nil }
                    let count = lists.count
                    var part = Array(repeating: Array(repeating: false, count: range.count), count: count)
                    var soon: [(webhook: Int, chat: Int)] = []
                    for index in range {
                        let chat = chats[index]
                        if chat.id == crashOn {
                            notes.note(.chat, id: chat.id, webhookID: webhookIDs.first ?? 0)
                            fatalError("fault injection: evaluating chat \(chat.id) stops the process")
                        }
                        for position in 0..<count where passes[position] != nil {
                            notes.note(.chat, id: chat.id, webhookID: webhookIDs[position])
                            if prefilters[position] != nil {
                                let passed: Bool
                                if let known = chat.prefilter.verdict(position, signature: signature) {
                                    passed = known
                                } else {
                                    passed = prefilters[position]!.evaluate(chat: chat.value).valid
                                    chat.prefilter.remember(position, passed, signature: signature, count: count)
                                }
                                if !passed { continue }
                            }
                            if passes[position]!.evaluate(chat: chat.value, messages: chat.messages).valid {
                                part[position][index - range.lowerBound] = true
                            } else if ahead[position] != nil, ahead[position]!.evaluate(chat: chat.value, messages: chat.messages).valid {
                                soon.append((position, index))
                            }
                        }
                    }
                    return (range.lowerBound, part, soon)
                }
            }
            for await (start, part, soon) in group {
                for (webhook, row) in part.enumerated() {
                    verdicts[webhook].replaceSubrange(start..<(start + row.count), with: row)
                }
                due += soon
            }
        }
        return (verdicts, due)
    }

    /// Claims and runs the planned firings, `firingConcurrency` at a time.
    func run(_ planned: [Planned], chats: [LoadedChat], now: Int) async -> [(webhookID: Int, id: Int, branch: FiringBranch)] {
        guard !planned.isEmpty else { return [] }
        let firing = firing
        let logger = logger
        let sentinel = sentinel
        let results = await WorkerPool(concurrency: options.firingConcurrency).map(planned) {
            item -> (webhookID: Int, id: Int, branch: FiringBranch)? in
            let chat = chats[item.chatIndex]
            do {
                let result = try await Self.noted(sentinel, .chat, id: chat.id, webhookID: item.webhookID) {
                    try await firing.fire(
                        webhookID: item.webhookID, chatID: chat.id, branch: item.branch, triggerID: item.triggerID, chat: chat.object, now: now,
                        claim: item.claim)
                }
                if result.won { return (item.webhookID, chat.id, item.branch) }
            } catch {
                logger.error("continuous.fire_failed", metadata: ["webhook.id": "\(item.webhookID)", "chat.id": "\(chat.id)", "error": "\(error)"])
            }
            return nil
        }
        return results.compactMap { $0 }.sorted { ($0.webhookID, $0.id) > ($1.webhookID, $1.id) }
    }

    /// Runs a firing noted in the sentinel, if there is one.
    static func noted<T>(
        _ sentinel: CrashSentinel?, _ subject: ContinuousSubject, id: Int, webhookID: Int, _ body: () async throws -> T
    ) async rethrows -> T {
        guard let sentinel else { return try await body() }
        return try await sentinel.firing(subject, id: id, webhookID: webhookID, body)
    }

    /// An open chat as conditions see it.
    struct LoadedChat: Sendable {
        var id: Int
        var object: JSONObject
        var value: JSONValue
        var messages: [ConditionMessage]
        /// Prefilter verdicts kept while this chat is unchanged.
        var prefilter = PrefilterMemo()
    }

    // MARK: Mail

    func mailPass(webhooks: [CompiledWebhook], business: BusinessClocks?, now: Int, report: inout PassReport) async throws {
        if !webhooks.isEmpty {
            report.webhooks += webhooks.count
            var mails = try await loadMail()
            let parked = try await store.parkedContinuousIDs(.mailMessage)
            if !parked.isEmpty { mails.removeAll { parked.contains($0["id"]?.looseInt ?? 0) } }
            if let business { mails = mails.map { business.annotated(chat: $0, now: now) } }
            report.mailMessages = mails.count
            let processed = try await store.mailLedgerPairs(webhookIDs: webhooks.map(\.id))
            // The chat pass is over: its first slot notes the mail message under evaluation.
            let notes = EvaluationNotes(sentinel, slice: 0)
            defer { notes.clear() }
            for webhook in webhooks {
                let webhookID = webhook.id
                let triggerID = webhook.webhook.triggerID
                guard let conditions = webhook.conditions else { continue }
                var pass = conditions.list.pass(now: now, variant: .continuousMail)
                for mail in mails {
                    let messageID = mail["id"]?.looseInt ?? 0
                    // A pair already processed is skipped before evaluating, as the ledger would refuse it anyway.
                    if processed.contains(MailLedgerKey(webhookID: webhookID, messageID: messageID)) { continue }
                    report.evaluations += 1
                    notes.note(.mailMessage, id: messageID, webhookID: webhookID)
                    guard pass.evaluate(chat: .object(mail)).valid, triggerID > 0 else { continue }
                    notes.clear()
                    do {
                        let result = try await Self.noted(sentinel, .mailMessage, id: messageID, webhookID: webhookID) {
                            try await firing.fireMail(webhookID: webhookID, triggerID: triggerID, mail: mail, now: now)
                        }
                        if result.won {
                            report.fired.append((webhookID, messageID, .trigger))
                        }
                    } catch {
                        logger.error(
                            "continuous.fire_failed", metadata: ["webhook.id": "\(webhookID)", "mail.id": "\(messageID)", "error": "\(error)"])
                    }
                }
            }
        }
        // Spec §6.1: at the end of every run, rows older than 31 days go, so a message still matching may fire again.
        // Without mail webhooks nothing is added, so a write every tick would only cost.
        if !webhooks.isEmpty { report.mailPurged = try await store.purgeMailLedger(before: now - options.mailRetentionSeconds) }
    }

    /// Mail messages with status 0 or 1, newest first, with their conversation, department and operator.
    func loadMail() async throws -> [JSONObject] {
        let stored = try await store.list(.mailMessage, query: EntityQuery(statuses: [0, 1], newestFirst: true, limit: options.chatLimit))
        guard !stored.isEmpty else { return [] }
        let conversations = try await store.records(.mailConversation, ids: stored.compactMap { $0["conversation_id"]?.looseInt })
        let departmentIDs = Array(Set(stored.compactMap { $0["dep_id"]?.looseInt }))
        let departments = try await store.records(.department, ids: departmentIDs)
        let stats = try await store.records(.departmentStats, ids: departmentIDs)
        let operators = try await store.records(.operator, ids: stored.compactMap { $0["user_id"]?.looseInt })
        return stored.map { mail in
            let departmentID = mail["dep_id"]?.looseInt ?? 0
            return ChatAssembler.derive(
                mail: mail, conversation: conversations[mail["conversation_id"]?.looseInt ?? 0].map { ChatAssembler.decorate(conversation: $0) },
                department: departments[departmentID].map { ChatAssembler.decorate(department: $0, stats: stats[departmentID]) },
                user: operators[mail["user_id"]?.looseInt ?? 0].map { ChatAssembler.decorate(operator: $0) })
        }
    }
}
