import Foundation
public import HookworkCore
public import HookworkStore
public import Logging

/// Runs a trigger's actions in order (spec §8.1): `restapi`, `mail`, `alert_icon`, `command` and `text`; other action
/// types are reported as not supported and skipped. Actions perform no I/O: their calls go into an `Effects` accumulator that the
/// caller commits with the decision (the durable outbox).
public struct TriggerExecutor: Sendable {
    let store: any Store
    let logger: Logger
    let metrics: any EngineMetrics
    let services: ActionServices
    /// The configuration it reads triggers (and the dispatcher webhooks) from.
    public let catalog: ConfigurationCatalog
    /// The platform's callback endpoint for chat-changing actions, if one is configured.
    public let callback: CallbackTarget?

    /// An executor that reads triggers and Rest APIs from `store`; `services` serve the `mail` action and the actions
    /// that change a chat, whose commands go to `callback`.
    public init(
        store: any Store, logger: Logger, metrics: any EngineMetrics = NoEngineMetrics(), callback: CallbackTarget? = nil,
        services: ActionServices = ActionServices(), catalog: ConfigurationCatalog? = nil
    ) {
        self.services = services
        self.catalog = catalog ?? ConfigurationCatalog(store: store)
        self.store = store
        self.logger = logger
        self.metrics = metrics
        self.callback = callback
    }

    /// What one action did.
    public struct ActionReport: Sendable {
        /// The action's position in the trigger.
        public var index: Int
        /// The action type (`restapi`).
        public var type: String
        /// `sent`, `failed`, `skipped` or `unsupported`.
        public var status: String
        /// Details: the request line, the response code, the error.
        public var detail: JSONObject

        /// The report as JSON.
        public var json: JSONValue {
            var object = JSONObject([("index", .int(index)), ("type", .string(type)), ("status", .string(status))])
            for (key, value) in detail { object[key] = value }
            return .object(object)
        }
    }

    /// What a trigger did.
    public struct TriggerReport: Sendable {
        /// The trigger id.
        public var triggerID: Int
        /// The trigger's name, when it exists.
        public var name: String?
        /// Whether the trigger exists.
        public var found: Bool
        /// Its actions' reports, in order.
        public var actions: [ActionReport]

        /// Whether the run changed something: an action did its work, or failed trying (`unchanged`, `skipped` and
        /// `unsupported` change nothing), including the triggers it ran in turn.
        public var changedSomething: Bool { found && actions.contains { !["unchanged", "skipped", "unsupported"].contains($0.status) } }

        /// Whether every action that ran succeeded.
        public var succeeded: Bool { found && !actions.contains { $0.status == "failed" } }

        /// The report as JSON.
        public var json: JSONValue {
            var object = JSONObject([("id", .int(triggerID))])
            object["name"] = name.map(JSONValue.string) ?? .null
            object["found"] = .bool(found)
            object["actions"] = .array(actions.map(\.json))
            return .object(object)
        }
    }

    /// Runs trigger `triggerID` with the trigger arguments `args` (`{{args.*}}` in templates); `rootKind` says whether
    /// `args.chat` is a chat or a mail message. The calls it decides on are added to `effects`. With `actionID` (the
    /// reference's `trigger_action_id`), only the action whose `_id` it is runs (spec §8.1).
    public func run(
        triggerID: Int, args: JSONValue, rootKind: NodeKind = .argsWithChat, now: Int, effects: Effects, actionID: String? = nil
    ) async throws -> TriggerReport {
        guard let trigger = try await catalog.snapshot().triggers[triggerID] else {
            logger.warning("trigger.missing", metadata: ["trigger.id": "\(triggerID)"])
            metrics.triggerRan(outcome: "failed")
            return TriggerReport(triggerID: triggerID, name: nil, found: false, actions: [])
        }
        var reports: [ActionReport] = []
        var args = args
        for action in trigger.actions {
            let index = action.index
            let type = action.body.type
            if let skip = Self.skipReason(action: action, actionID: actionID, conditions: trigger.conditions, args: args, now: now) {
                reports.append(ActionReport(index: index, type: type, status: "skipped", detail: skip))
                continue
            }
            switch action.body {
            case .restAPI(let call):
                let run = RestAPIAction(catalog: catalog, logger: logger)
                reports.append(await run.run(call, args: args, rootKind: rootKind, now: now, index: index, triggerID: triggerID, effects: effects))
            case .mail(let mail):
                var report = MailAction(defaultFrom: services.mailFrom, logger: logger)
                    .run(mail, args: args, rootKind: rootKind, now: now, triggerID: triggerID, index: index, effects: effects)
                report.index = index
                reports.append(report)
            case .alertIcon, .command, .text:
                var report = await ChatActionRunner(executor: self).run(
                    action.body, args: &args, rootKind: rootKind, triggerID: triggerID, index: index, now: now, effects: effects)
                report.index = index
                reports.append(report)
            case .unsupported:
                reports.append(
                    ActionReport(
                        index: index, type: type, status: "unsupported",
                        detail: JSONObject([
                            ("reason", .string("the \(type) action is not supported yet; it was skipped"))
                        ])))
            }
        }
        let report = TriggerReport(triggerID: triggerID, name: trigger.name, found: true, actions: reports)
        metrics.triggerRan(outcome: report.succeeded ? "ok" : "failed")
        logger.debug("trigger.ran", metadata: ["trigger.id": "\(triggerID)", "trigger.succeeded": "\(report.succeeded)"])
        return report
    }

    /// Why the executor's rules (spec §8.1) skip `action`, or nil when it runs: another action was asked for
    /// (`trigger_action_id`), the action is marked `skip_resp`, or its `content.trigger_condition` does not hold.
    static func skipReason(
        action: TriggerAction, actionID: String?, conditions: TriggerConditions, args: JSONValue, now: Int
    ) -> JSONObject? {
        if let actionID, !actionID.isEmpty, action.actionID != actionID {
            return JSONObject([("reason", .string("only action \(actionID) runs (trigger_action_id)")), ("code", .string("trigger_action_id"))])
        }
        // The action asked for by `trigger_action_id` runs even when marked `skip_resp`, as in the reference.
        let named = !(actionID ?? "").isEmpty
        if !named, action.skipsResponse {
            return JSONObject([("reason", .string("the action is marked skip_resp")), ("code", .string("skip_resp"))])
        }
        switch action.condition {
        case .none:
            return nil
        case .unparsable(let expression):
            return JSONObject([
                ("reason", .string("trigger_condition '\(expression)' does not parse")), ("code", .string("trigger_condition")),
            ])
        case .expression(let expression, let parsed):
            var values = JSONObject()
            let holds = parsed.holds { name in
                let value = conditions.holds(name, args: args, now: now)
                values[name] = .bool(value)
                return value
            }
            guard !holds else { return nil }
            return JSONObject([
                ("reason", .string("trigger_condition '\(expression)' does not hold")), ("code", .string("trigger_condition")),
                ("conditions", .object(values)),
            ])
        }
    }
}
