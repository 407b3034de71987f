public import HookworkCore
public import HookworkStore
import Synchronization

/// A webhook with its conditions compiled, as the dispatcher and the continuous scheduler evaluate it.
public struct CompiledWebhook: Sendable {
    /// The webhook.
    public let webhook: Webhook
    /// Its conditions, compiled; nil when they are not a list (they never hold, spec §3.1 and §5.3).
    let conditions: CompiledConditions?
    /// The constant checks of the continuous chat variant that can be decided before the full conditions.
    let prefilter: ConditionList?
    /// Whether the conditions read `wait_time_seconds`, a derived chat member that moves with the clock.
    let readsWaitTime: Bool
    /// Whether the conditions read business time (`BusinessTime`), and the timestamp paths they convert.
    let readsBusinessTime: Bool
    let businessPaths: [[String]]
    /// Whether a verdict can change with the clock alone (`{time}`, `wait_time_seconds`, business time): such webhooks
    /// are evaluated one tick ahead too, so that a chat whose conditions will hold at the next second fires at once.
    let movesWithTime: Bool

    /// Compiles `webhook`; `{business_time}` and `{in_business_hours}` are compiled as the chat members they read.
    public init(_ webhook: Webhook) {
        self.webhook = webhook
        let conditions = BusinessTime.rewritten(conditions: webhook.conditions)
        self.conditions = try? CompiledConditions(configuration: conditions)
        prefilter = self.conditions == nil ? nil : ContinuousPrefilter.list(for: conditions)
        readsWaitTime = conditions.jsonText().contains("wait_time_seconds")
        readsBusinessTime = BusinessTime.reads(conditions)
        businessPaths = BusinessTime.convertedPaths(in: conditions)
        movesWithTime = readsWaitTime || readsBusinessTime || conditions.jsonText().contains("{time")
    }

    /// The webhook's id.
    public var id: Int { webhook.id }
}

/// The configuration the engine runs, typed and compiled: every webhook, trigger and Rest API read from the store
/// once per configuration revision (`ConfigurationStore`), so that an event or a pass costs one read of one row
/// instead of listing and compiling the configuration again. A change made by another process is seen at its next
/// event or pass.
public final class ConfigurationCatalog: Sendable {
    /// The configuration at one revision.
    public struct Snapshot: Sendable {
        /// The store's configuration revision it was read at.
        public let revision: Int
        /// Every webhook by id.
        public let webhooks: [Int: CompiledWebhook]
        /// The enabled hook webhooks by normalised event name, id descending (spec §1.3).
        let hooks: [String: [CompiledWebhook]]
        /// The enabled continuous chat webhooks, id descending.
        public let continuousChat: [CompiledWebhook]
        /// The enabled continuous mail webhooks, id descending.
        public let continuousMail: [CompiledWebhook]
        /// Every trigger by id.
        public let triggers: [Int: Trigger]
        /// Every Rest API by id.
        public let restAPIs: [Int: RestAPI]
        /// Every calendar by id (those that read; saving refuses the others).
        public let calendars: [Int: BusinessCalendar]
        /// The calendar of chats whose department names none (`HOOKWORK_DEFAULT_CALENDAR`).
        public let defaultCalendarID: Int?

        /// The business clocks for evaluating `webhooks`, or nil when none of them reads business time.
        public func businessClocks(for webhooks: [CompiledWebhook]) -> BusinessClocks? {
            let reading = webhooks.filter(\.readsBusinessTime)
            guard !reading.isEmpty else { return nil }
            var paths: [[String]] = []
            for webhook in reading { for path in webhook.businessPaths where !paths.contains(path) { paths.append(path) } }
            return BusinessClocks(calendars: calendars, defaultCalendarID: defaultCalendarID, paths: paths)
        }

        /// The business clocks a trigger's texts may read (`{business_time}` in a bot message), when a calendar exists.
        public var triggerClocks: BusinessClocks? {
            calendars.isEmpty ? nil : BusinessClocks(calendars: calendars, defaultCalendarID: defaultCalendarID, paths: [])
        }

        /// The enabled hook webhooks an event named `event` runs, id descending.
        public func hookWebhooks(for event: String) -> [CompiledWebhook] {
            hooks[Webhook.normalizedEvent(event)] ?? []
        }

        init(
            revision: Int, webhooks: [JSONObject], triggers: [JSONObject], restAPIs: [JSONObject], calendars: [JSONObject],
            defaultCalendarID: Int?, reusing previous: Snapshot?
        ) {
            self.revision = revision
            self.defaultCalendarID = defaultCalendarID
            self.calendars = Dictionary(
                calendars.compactMap { BusinessCalendar(stored: $0) }.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            var compiled: [Int: CompiledWebhook] = [:]
            for document in webhooks {
                let webhook = Webhook(document: document)
                if let known = previous?.webhooks[webhook.id], known.webhook == webhook {
                    compiled[webhook.id] = known
                } else {
                    compiled[webhook.id] = CompiledWebhook(webhook)
                }
            }
            self.webhooks = compiled
            let enabled = compiled.values.filter { !$0.webhook.isDisabled }.sorted { $0.id > $1.id }
            hooks = Dictionary(grouping: enabled.filter { $0.webhook.kind == .hook }, by: \.webhook.normalizedEvent)
            continuousChat = enabled.filter { $0.webhook.kind == .continuousChat }
            continuousMail = enabled.filter { $0.webhook.kind == .continuousMail }
            self.triggers = Dictionary(triggers.map { Trigger(document: $0) }.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            self.restAPIs = Dictionary(restAPIs.map { RestAPI(document: $0) }.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    let store: any RecordStore & ConfigurationStore
    /// `HOOKWORK_DEFAULT_CALENDAR`.
    let defaultCalendarID: Int?
    private let current = Mutex<Snapshot?>(nil)
    private let loads = Atomic<Int>(0)

    /// A catalog of `store`'s configuration; `defaultCalendarID` is the calendar of chats whose department names none.
    public init(store: any RecordStore & ConfigurationStore, defaultCalendarID: Int? = nil) {
        self.store = store
        self.defaultCalendarID = defaultCalendarID
    }

    /// The configuration now: the snapshot kept, or a new one when the store's revision moved.
    public func snapshot() async throws -> Snapshot {
        let revision = try await store.configurationRevision()
        let kept = current.withLock { $0 }
        if let kept, kept.revision == revision { return kept }
        async let webhooks = store.list(.webhook, query: EntityQuery())
        async let triggers = store.list(.trigger, query: EntityQuery())
        async let restAPIs = store.list(.restAPI, query: EntityQuery())
        async let calendars = store.list(.calendar, query: EntityQuery())
        let loaded = Snapshot(
            revision: revision, webhooks: try await webhooks, triggers: try await triggers, restAPIs: try await restAPIs,
            calendars: try await calendars, defaultCalendarID: defaultCalendarID, reusing: kept)
        loads.add(1, ordering: .relaxed)
        current.withLock { snapshot in
            // Two loads at once: the newer revision stays.
            if (snapshot?.revision ?? -1) <= revision { snapshot = loaded }
        }
        return loaded
    }

    /// How many times the configuration was read (for tests).
    var loadCount: Int { loads.load(ordering: .relaxed) }
}
