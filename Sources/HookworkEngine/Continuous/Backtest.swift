public import HookworkCore
public import HookworkStore

/// Replays a webhook (saved, or a configuration not saved yet) over the stored history and lists what it would have
/// fired, beside what the webhook really fired in the same range.
///
/// A continuous chat webhook is replayed second by second (at `tick`) over the chat history: at each second the chats
/// are in the state the live pass saw (`ChatHistoryStore`), conditions are evaluated as the pass evaluates them and the
/// firing policy is applied by the pass's own planner to a ledger kept in memory, which starts empty at `since` (an
/// episode under way before the range starts again at its first second). A hook webhook is evaluated on every stored
/// event of its name in the range, against the chat as the history had it at the event's second (or as the event
/// carried it).
public struct Backtester: Sendable {
    let store: any Store
    let catalog: ConfigurationCatalog

    /// A backtester over `store`; `defaultCalendarID` as for the scheduler.
    public init(store: any Store, defaultCalendarID: Int? = nil) {
        self.store = store
        self.catalog = ConfigurationCatalog(store: store, defaultCalendarID: defaultCalendarID)
    }

    /// One firing: the chat (or mail message), the second, the branch and the trigger.
    public struct Firing: Sendable, Hashable {
        public var chatID: Int
        public var time: Int
        public var branch: String
        public var triggerID: Int

        public init(chatID: Int, time: Int, branch: String, triggerID: Int) {
            self.chatID = chatID
            self.time = time
            self.branch = branch
            self.triggerID = triggerID
        }

        public var json: JSONValue {
            .object(
                JSONObject([("chat_id", .int(chatID)), ("time", .int(time)), ("branch", .string(branch)), ("trigger_id", .int(triggerID))]))
        }
    }

    /// What a backtest found.
    public struct Outcome: Sendable {
        /// What the replayed configuration would have fired, in time order.
        public var wouldFire: [Firing] = []
        /// What the stored webhook fired in the range (its firing log, or its shadow firings), in time order.
        public var fired: [Firing] = []
        /// Seconds (continuous) or events (hook) replayed.
        public var steps = 0
        /// Condition evaluations made.
        public var evaluations = 0
        /// Distinct chats seen.
        public var chats = 0

        /// The counts an answer shows: each side, what both have, what only one has, and the work done.
        public var totals: JSONValue {
            let would = Set(wouldFire)
            let real = Set(fired)
            return .object(
                JSONObject([
                    ("would_fire", .int(wouldFire.count)), ("fired", .int(fired.count)), ("same", .int(would.intersection(real).count)),
                    ("only_would_fire", .int(would.subtracting(real).count)), ("only_fired", .int(real.subtracting(would).count)),
                    ("chats", .int(chats)), ("steps", .int(steps)), ("evaluations", .int(evaluations)),
                ]))
        }
    }

    /// The limits a backtest stays within.
    public static let maxHistoryEntries = 500_000
    public static let maxEvaluations = 200_000_000
    public static let maxEvents = 100_000

    /// Replays `document` (a webhook, already validated) as webhook `webhookID` over `since..<until`, calling
    /// `progress` with the share done (0...1) now and then; stops with `CancellationError` when its task is cancelled.
    public func run(
        document: JSONObject, webhookID: Int, since: Int, until: Int, tick: Int = 1, progress: @Sendable (Double) -> Void = { _ in }
    ) async throws -> Outcome {
        var document = document
        document["id"] = .int(webhookID)
        let webhook = Webhook(document: document)
        let compiled = CompiledWebhook(webhook)
        let snapshot = try await catalog.snapshot()
        var outcome: Outcome
        switch webhook.kind {
        case .continuousChat:
            outcome = try await continuous(compiled, snapshot: snapshot, since: since, until: until, tick: max(1, tick), progress: progress)
        case .hook:
            outcome = try await hook(compiled, snapshot: snapshot, since: since, until: until, progress: progress)
        default:
            throw ValidationFailure(field: "webhook.type", message: "backtests replay hook (type 0) and continuous chat (type 1) webhooks")
        }
        outcome.fired = try await live(webhookID: webhookID, since: since, until: until)
        progress(1)
        return outcome
    }

    /// What the stored webhook really did in the range: its logged firings, or a shadow webhook's recorded ones.
    func live(webhookID: Int, since: Int, until: Int) async throws -> [Firing] {
        guard let stored = try await store.get(.webhook, id: webhookID) else { return [] }
        let webhook = Webhook(document: stored)
        if webhook.isShadow {
            return try await store.shadowFirings(webhookID: webhookID, since: since, until: until, limit: Self.maxEvents).reversed().map {
                Firing(chatID: $0.subjectID, time: $0.firedAt, branch: $0.branch, triggerID: $0.triggerID)
            }
        }
        return try await store.firings(webhookID: webhookID, since: since, until: until, limit: Self.maxEvents).map {
            Firing(
                chatID: $0.chatID ?? 0, time: $0.firedAt,
                branch: $0.triggerID == webhook.alternativeTriggerID && $0.triggerID != webhook.triggerID ? "alternative" : "trigger",
                triggerID: $0.triggerID)
        }
    }

    func continuous(
        _ compiled: CompiledWebhook, snapshot: ConfigurationCatalog.Snapshot, since: Int, until: Int, tick: Int, progress: @Sendable (Double) -> Void
    ) async throws -> Outcome {
        var outcome = Outcome()
        // A configuration that is not a list never matches (spec §5.3).
        guard let list = compiled.conditions?.list else { return outcome }
        var states: [Int: ContinuousScheduler.LoadedChat] = [:]
        for entry in try await store.chatStates(at: since) {
            if let state = entry.state, let chat = ContinuousChatCache.loaded(history: state, id: entry.chatID) { states[entry.chatID] = chat }
        }
        let changes = try await store.chatHistory(since: since + 1, until: until, limit: Self.maxHistoryEntries + 1)
        guard changes.count <= Self.maxHistoryEntries else {
            throw ValidationFailure(
                field: "until", message: "the range holds more than \(Self.maxHistoryEntries) chat changes; backtest a shorter range")
        }
        let seconds = (until - since + tick - 1) / tick
        var seen = Set(states.keys)
        for change in changes { seen.insert(change.chatID) }
        let most = max(seen.count, 1)
        guard seconds.multipliedReportingOverflow(by: most).partialValue <= Self.maxEvaluations else {
            throw ValidationFailure(
                field: "until",
                message:
                    "\(seconds) seconds × \(seen.count) chats is more than \(Self.maxEvaluations) evaluations; backtest a shorter range or a larger tick"
            )
        }
        outcome.chats = seen.count
        let business = snapshot.businessClocks(for: [compiled])
        let calendars = snapshot.triggerClocks
        var ledger: [FiringLedgerKey: FiringLedgerRow] = [:]
        var cursor = 0
        var time = since
        while time < until {
            try Task.checkCancellation()
            while cursor < changes.count, changes[cursor].at <= time {
                let change = changes[cursor]
                states[change.chatID] = change.state.flatMap { ContinuousChatCache.loaded(history: $0, id: change.chatID) }
                cursor += 1
            }
            var chats = states.keys.sorted(by: >).compactMap { states[$0] }
            for index in chats.indices where compiled.readsWaitTime || business != nil {
                var object = chats[index].object
                if compiled.readsWaitTime {
                    object["wait_time_seconds"] = .int(time - max(object["time"]?.looseInt ?? 0, object["pnd_time"]?.looseInt ?? 0))
                }
                if let business { object = business.annotated(chat: object, now: time) }
                chats[index].object = object
                chats[index].value = .object(object)
            }
            var planner = ContinuousScheduler.FiringPlanner(now: time, calendars: calendars)
            let open = Set(chats.map(\.id))
            for (key, row) in ledger {
                if open.contains(key.chatID) { planner.rows[key] = row } else { planner.ended.append(key) }
            }
            var pass = list.pass(now: time, variant: .continuousChat)
            for (index, chat) in chats.enumerated() {
                let valid = pass.evaluate(chat: chat.value, messages: chat.messages).valid
                planner.consider(compiled, chatIndex: index, chatID: chat.id, valid: valid, chats: chats)
            }
            outcome.evaluations += chats.count
            for key in planner.ended { ledger[key] = nil }
            for key in planner.starting where ledger[key] == nil {
                ledger[key] = FiringLedgerRow(
                    webhookID: key.webhookID, chatID: key.chatID, branch: key.branch, state: "once", lastFiredAt: 0, firings: 0, startedAt: time)
            }
            for planned in planner.planned {
                let chatID = chats[planned.chatIndex].id
                Self.claim(planned.claim, in: &ledger, now: time)
                outcome.wouldFire.append(Firing(chatID: chatID, time: time, branch: planned.branch.rawValue, triggerID: planned.triggerID))
            }
            outcome.steps += 1
            if outcome.steps % 60 == 0 { progress(Double(time - since) / Double(max(until - since, 1))) }
            time += tick
        }
        return outcome
    }

    /// A won ledger claim, as the store writes it (`SQLStore.claimQuery`).
    static func claim(_ claim: LedgerClaim, in ledger: inout [FiringLedgerKey: FiringLedgerRow], now: Int) {
        switch claim {
        case .firing(let webhookID, let chatID, let branch, let everySeconds, _):
            let key = FiringLedgerKey(webhookID: webhookID, chatID: chatID, branch: branch)
            let state = everySeconds == nil ? "once" : "every"
            if var row = ledger[key] {
                row.firings += 1
                row.lastFiredAt = now
                row.state = state
                ledger[key] = row
            } else {
                ledger[key] = FiringLedgerRow(
                    webhookID: webhookID, chatID: chatID, branch: branch, state: state, lastFiredAt: now, firings: 1, startedAt: now)
            }
        case .final(let webhookID, let chatID, let branch, _, let firings):
            let key = FiringLedgerKey(webhookID: webhookID, chatID: chatID, branch: branch)
            ledger[key]?.firings = firings + 1
            ledger[key]?.lastFiredAt = now
        case .step(let webhookID, let chatID, let index):
            let key = FiringLedgerKey(webhookID: webhookID, chatID: chatID, branch: .trigger)
            ledger[key]?.firings = index + 1
            ledger[key]?.lastFiredAt = now
        case .mail:
            break
        }
    }

    func hook(
        _ compiled: CompiledWebhook, snapshot: ConfigurationCatalog.Snapshot, since: Int, until: Int, progress: @Sendable (Double) -> Void
    ) async throws -> Outcome {
        var outcome = Outcome()
        let webhook = compiled.webhook
        // The events of the range, oldest first: the log is read newest first, a page at a time.
        var events: [StoredEvent] = []
        var before: Int?
        paging: while true {
            try Task.checkCancellation()
            let page = try await store.events(name: nil, beforeSequence: before, limit: 500)
            guard !page.isEmpty else { break }
            for (event, _) in page {
                if event.receivedAt < since { break paging }
                if event.receivedAt < until, webhook.normalizedEvent == Webhook.normalizedEvent(event.name) { events.append(event) }
            }
            guard events.count <= Self.maxEvents else {
                throw ValidationFailure(
                    field: "until", message: "the range holds more than \(Self.maxEvents) \(webhook.event) events; backtest a shorter range")
            }
            before = page.last?.event.sequence
        }
        events.reverse()
        let business = snapshot.businessClocks(for: [compiled]) ?? snapshot.triggerClocks
        var chats = Set<Int>()
        for (index, event) in events.enumerated() {
            try Task.checkCancellation()
            var args = event.args.objectValue ?? JSONObject()
            var messages: [ConditionMessage] = []
            let chatID = args["chat"]?["id"]?.looseInt ?? 0
            if chatID > 0 {
                chats.insert(chatID)
                if let state = try await store.chatState(chatID: chatID, at: event.receivedAt),
                    let chat = ContinuousChatCache.loaded(history: state, id: chatID)
                {
                    args["chat"] = .object(chat.object)
                    messages = chat.messages
                }
            }
            args["lhc_event"] = .string(event.name)
            if let business { args = business.annotated(args: args, now: event.receivedAt) }
            let verdict = compiled.conditions.map {
                $0.list.evaluate(ConditionInput(args: .object(args), messages: messages, now: event.receivedAt), variant: .hook, trace: false)
            }
            let valid = verdict?.valid ?? true
            outcome.evaluations += 1
            let chosen = webhook.trigger(valid: valid)
            if chosen > 0 {
                outcome.wouldFire.append(Firing(chatID: chatID, time: event.receivedAt, branch: valid ? "trigger" : "alternative", triggerID: chosen))
            }
            outcome.steps += 1
            if index % 100 == 0 { progress(Double(index) / Double(max(events.count, 1))) }
        }
        outcome.chats = chats.count
        return outcome
    }
}
