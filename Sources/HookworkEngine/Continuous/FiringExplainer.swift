public import HookworkCore
public import HookworkStore

/// "Why didn't it fire for this chat?": the webhook's verdict on the chat now, with its trace, and each thing that
/// holds a firing back, in plain words and data: the webhook switched off or in shadow mode, the chat parked or not
/// open, the conditions failing (which ones), the firing policy waiting (`once` fired this episode, `every` waits,
/// `max_firings` reached, a ladder done), a hook webhook waiting for its event, the last call behind an open breaker,
/// retrying or exhausted.
public struct FiringExplainer: Sendable {
    let store: any RecordStore & ContinuousStore & DeliveryStore & ContinuousFaultStore
    let inspector: WebhookInspector

    /// An explainer over `store`; `defaultCalendarID` as for the inspector.
    public init(store: any Store, defaultCalendarID: Int? = nil) {
        self.store = store
        self.inspector = WebhookInspector(store: store, defaultCalendarID: defaultCalendarID)
    }

    /// One reason: a stable code, the sentence an administrator reads, and its data.
    public struct Reason: Sendable, Equatable {
        /// `disabled`, `shadow`, `parked`, `chat_not_open`, `conditions_not_met`, `no_trigger`, `hook_waits_for_event`,
        /// `once_fired`, `every_waits`, `max_firings`, `ladder_done`, `ladder_waits`, `breaker_open`,
        /// `delivery_retrying`, `delivery_exhausted`, `trigger_missing`, `trigger_skips_actions`, or `due` (nothing holds it back).
        public var code: String
        /// What it means, in words.
        public var message: String
        /// Its facts (times, counts, ids).
        public var data: JSONObject

        init(_ code: String, _ message: String, _ data: [(String, JSONValue)] = []) {
            self.code = code
            self.message = message
            self.data = JSONObject(data)
        }

        var json: JSONValue {
            var object = JSONObject([("code", .string(code)), ("message", .string(message))])
            for (key, value) in data { object[key] = value }
            return .object(object)
        }
    }

    /// The answer for webhook `webhookID` and chat `chatID` at `now`; `blockedHosts` are the hosts whose circuit
    /// breaker is open in this process.
    public func explain(webhookID: Int, chatID: Int, now: Int, blockedHosts: Set<String>) async throws -> JSONObject {
        guard let document = try await store.get(.webhook, id: webhookID) else {
            throw InspectionError(code: "not_found", field: nil, message: "webhook \(webhookID) does not exist")
        }
        let webhook = Webhook(document: document)
        guard webhook.kind != .continuousMail else {
            throw InspectionError(
                code: "validation_failed", field: "id",
                message: "webhook \(webhookID) is a mail webhook (type 2); ask why for a chat webhook, or test it with a mail message")
        }
        guard let chat = try await store.get(.chat, id: chatID) else {
            throw InspectionError(code: "not_found", field: "chat_id", message: "chat \(chatID) does not exist")
        }
        let verdict = try await inspector.test(webhookID: webhookID, chatID: chatID, messageID: nil, now: now)
        let valid = verdict["valid"] == .bool(true)
        let branch: FiringBranch = valid ? .trigger : .alternative
        var reasons: [Reason] = []
        reasons += Self.switches(webhook)
        if webhook.kind == .continuousChat {
            reasons += try await chatState(chat, chatID: chatID)
        }
        let triggerID = verdict["trigger_id"]?.looseInt ?? 0
        if !valid { reasons.append(Self.failing(verdict, webhook: webhook, alternative: triggerID)) }
        if valid, triggerID == 0 {
            reasons.append(Reason("no_trigger", "the conditions hold, but the webhook names no trigger to run"))
        }
        if webhook.kind == .hook {
            if triggerID > 0 {
                let delay = webhook.delay > 0 ? ", \(webhook.delay) s after it arrives" : ""
                reasons.append(
                    Reason(
                        "hook_waits_for_event",
                        "a hook webhook runs only when its event \(webhook.event) arrives for the chat: the next one would run trigger \(triggerID)\(delay)",
                        [("event", .string(webhook.event)), ("trigger_id", .int(triggerID))]))
            }
        } else if triggerID > 0 {
            let rows = try await store.firingLedger(webhookID: webhookID).filter { $0.chatID == chatID && $0.branch == branch }
            if let row = rows.first { reasons += Self.policy(row, webhook: webhook, now: now) }
        }
        var actions: [JSONValue] = []
        if triggerID > 0 {
            let trigger = try await inspector.catalog.snapshot().triggers[triggerID]
            let assembled = try await inspector.assembler.chat(id: chatID, now: now)?.chat ?? chat
            let args = JSONValue.object(JSONObject([("chat", .object(assembled))]))
            let (reason, listed) = Self.triggerActions(trigger, triggerID: triggerID, args: args, now: now)
            actions = listed
            if let reason { reasons.append(reason) }
        }
        reasons += try await delivery(webhookID: webhookID, chatID: chatID, blockedHosts: blockedHosts)
        if reasons.isEmpty {
            reasons.append(
                Reason(
                    "due", "the conditions hold and nothing holds the firing back: the next pass (within a second) runs trigger \(triggerID)",
                    [("trigger_id", .int(triggerID))]))
        }
        var answer = JSONObject([
            ("webhook_id", .int(webhookID)), ("chat_id", .int(chatID)), ("now", .int(now)), ("valid", .bool(valid)),
            ("fires", .bool(reasons.count == 1 && reasons[0].code == "due")), ("summary", .string(reasons[0].message)),
            ("reasons", .array(reasons.map(\.json))), ("verdict", verdict),
        ])
        if triggerID > 0 { answer["trigger_actions"] = .array(actions) }
        if let last = try await store.deliveries(DeliveryQuery(webhookID: webhookID, chatID: chatID, limit: 1)).first {
            answer["last_delivery"] = .object(
                JSONObject([
                    ("id", .int(last.id)), ("status", .string(last.status.rawValue)), ("created_at", .int(last.createdAt)),
                    ("host", .string(last.host)), ("attempts", .int(last.attempts)),
                ]))
        }
        return answer
    }

    /// What the trigger that would run does with the chat: each action, and whether its own rules (`trigger_condition`,
    /// `skip_resp`) skip it. A reason when the trigger does not exist or would skip every one of its actions (a trigger without actions
    /// fires and does nothing, as written: `trigger_actions` is then empty).
    static func triggerActions(_ trigger: Trigger?, triggerID: Int, args: JSONValue, now: Int) -> (Reason?, [JSONValue]) {
        guard let trigger else {
            return (
                Reason("trigger_missing", "trigger \(triggerID) does not exist: a firing would run nothing", [("trigger_id", .int(triggerID))]), []
            )
        }
        var listed: [JSONValue] = []
        var skipped = 0
        for action in trigger.actions {
            var object = JSONObject([("index", .int(action.index + 1)), ("type", .string(action.body.type))])
            if let skip = TriggerExecutor.skipReason(action: action, actionID: nil, conditions: trigger.conditions, args: args, now: now) {
                object["runs"] = .bool(false)
                for (key, value) in skip { object[key] = value }
                skipped += 1
            } else {
                object["runs"] = .bool(true)
            }
            listed.append(.object(object))
        }
        guard skipped > 0, skipped == trigger.actions.count else { return (nil, listed) }
        let which = skipped == 1 ? "its only action" : "all \(skipped) of its actions"
        return (
            Reason(
                "trigger_skips_actions",
                "trigger \(triggerID)'s own rules skip \(which) for this chat now (trigger_condition or skip_resp): a firing would do nothing",
                [("trigger_id", .int(triggerID))]),
            listed
        )
    }

    /// The webhook switched off or in shadow mode.
    static func switches(_ webhook: Webhook) -> [Reason] {
        var reasons: [Reason] = []
        if webhook.isDisabled {
            reasons.append(Reason("disabled", "the webhook is switched off (disabled): it runs for no chat until it is enabled"))
        }
        if webhook.document["mode"]?.stringValue == "shadow" {
            reasons.append(
                Reason("shadow", "the webhook is in shadow mode: its would-be firings are recorded (GET .../shadow_firings) and no trigger runs"))
        }
        return reasons
    }

    /// A chat that continuous passes do not look at: parked after crashes, or not open.
    func chatState(_ chat: JSONObject, chatID: Int) async throws -> [Reason] {
        var reasons: [Reason] = []
        if try await store.parkedContinuousIDs(.chat).contains(chatID) {
            let fault = try await store.continuousFaults().first { $0.subject == .chat && $0.id == chatID }
            reasons.append(
                Reason(
                    "parked",
                    "continuous passes skip this chat: \(fault?.reason ?? "the process stopped while working on it"); resume it with POST /api/v1/chats/\(chatID)/resume",
                    [("parked_at", fault?.parkedAt.map(JSONValue.int) ?? .null)]))
        }
        let status = chat["status"]?.looseInt ?? 0
        if !ContinuousFiring.openStatuses.contains(status) {
            reasons.append(
                Reason(
                    "chat_not_open", "continuous passes look only at open chats (status 0 pending, 1 active, 5 bot); this chat's status is \(status)",
                    [("status", .int(status))]))
        }
        return reasons
    }

    /// The conditions that fail, numbered from 1 as the form numbers them.
    static func failing(_ verdict: JSONValue, webhook: Webhook, alternative: Int) -> Reason {
        var failed: [JSONValue] = []
        for group in verdict["trace"]?.arrayValue ?? [] where group["valid"] == .bool(false) {
            for line in group["conditions"]?.arrayValue ?? [] where line["valid"] == .bool(false) {
                var object = JSONObject([("condition", .int((line["index"]?.looseInt ?? 0) + 1)), ("text", line["text"] ?? .null)])
                if let error = line["error"] { object["error"] = error }
                failed.append(.object(object))
            }
        }
        let listed = failed.prefix(3).compactMap { $0["condition"]?.looseInt }.map(String.init).joined(separator: ", ")
        let which = failed.isEmpty ? "" : (failed.count == 1 ? ": condition \(listed) is false" : ": conditions \(listed) are false")
        var message = "the conditions do not hold now\(which)"
        if alternative > 0 { message += "; the alternative trigger \(alternative) runs instead, under its own policy" }
        if webhook.kind == .continuousChat, webhook.conditions.arrayValue?.isEmpty ?? true {
            message = "a continuous webhook with no conditions never fires (the reference's rule)"
        }
        return Reason("conditions_not_met", message, [("failing", .array(failed))])
    }

    /// What the firing policy or ladder says about the chat's current episode.
    static func policy(_ row: FiringLedgerRow, webhook: Webhook, now: Int) -> [Reason] {
        if row.branch == .trigger, !webhook.steps.isEmpty {
            let steps = webhook.steps
            guard row.firings < steps.count else {
                return [
                    Reason(
                        "ladder_done",
                        "every step of the ladder ran in this episode (\(steps.count) of \(steps.count)); it starts again after the conditions stop holding",
                        [("started_at", .int(row.startedAt))])
                ]
            }
            let step = steps[row.firings]
            let due = row.startedAt + step.afterSeconds
            if step.business || due > now {
                return [
                    Reason(
                        "ladder_waits",
                        "step \(row.firings + 1) of the ladder runs trigger \(step.triggerID) when the episode has lasted \(step.afterSeconds) \(step.business ? "business " : "")seconds",
                        [("due_at", step.business ? .null : .int(due)), ("trigger_id", .int(step.triggerID))])
                ]
            }
            return []
        }
        let policy = webhook.policy(alternative: row.branch == .alternative)
        if policy.kind == .once {
            return [
                Reason(
                    "once_fired",
                    "the policy is once per episode and it fired in this episode at \(row.lastFiredAt); it fires again only after the conditions stop holding and hold again",
                    [("fired_at", .int(row.lastFiredAt))])
            ]
        }
        if let most = policy.maxFirings, row.firings >= most, policy.thenTriggerID == 0 || row.firings > most {
            return [
                Reason(
                    "max_firings",
                    "it fired \(most) of \(most) times in this episode (max_firings); it starts again after the conditions stop holding",
                    [("fired", .int(min(row.firings, most))), ("max_firings", .int(most)), ("last_fired_at", .int(row.lastFiredAt))])
            ]
        }
        let next = row.lastFiredAt + policy.everySeconds
        if next > now {
            return [
                Reason(
                    "every_waits",
                    "it fired at \(row.lastFiredAt) and fires again every \(policy.everySeconds) s while the conditions hold: next at \(next)",
                    [("last_fired_at", .int(row.lastFiredAt)), ("next_at", .int(next)), ("every_seconds", .int(policy.everySeconds))])
            ]
        }
        return []
    }

    /// The newest call this webhook made for the chat, when it has not been delivered yet.
    func delivery(webhookID: Int, chatID: Int, blockedHosts: Set<String>) async throws -> [Reason] {
        guard let last = try await store.deliveries(DeliveryQuery(webhookID: webhookID, chatID: chatID, limit: 1)).first else { return [] }
        let data: [(String, JSONValue)] = [
            ("delivery_id", .int(last.id)), ("host", .string(last.host)), ("attempts", .int(last.attempts)),
            ("last_error", last.lastError.map(JSONValue.string) ?? .null), ("next_attempt_at", last.nextAttemptAt.map(JSONValue.int) ?? .null),
        ]
        switch last.status {
        case .pending, .failed:
            if blockedHosts.contains(last.host) {
                return [
                    Reason(
                        "breaker_open",
                        "its call (delivery \(last.id)) waits behind the open circuit breaker of \(last.host), which refused the last calls",
                        data)
                ]
            }
            guard last.attempts > 0 else { return [] }
            return [
                Reason(
                    "delivery_retrying",
                    "its call (delivery \(last.id)) failed \(last.attempts) time\(last.attempts == 1 ? "" : "s")\(last.lastError.map { " (\($0))" } ?? "") and is retried\(last.nextAttemptAt.map { " at \($0)" } ?? "")",
                    data)
            ]
        case .exhausted:
            return [
                Reason(
                    "delivery_exhausted",
                    "its call (delivery \(last.id)) gave up after \(last.attempts) attempts\(last.lastError.map { " (\($0))" } ?? ""); replay it with POST /api/v1/deliveries/\(last.id)/replay",
                    data)
            ]
        default:
            return []
        }
    }
}
