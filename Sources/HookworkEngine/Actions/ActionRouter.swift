import HookworkCore

/// Runs the action types beyond `restapi` for the `TriggerExecutor`: `mail`, and the actions that change the chat
/// (`alert_icon`, `command`, `text`). Actions that change the chat update `args.chat`, so later actions of the same
/// trigger see the change.
struct ActionRouter: Sendable {
    let executor: TriggerExecutor

    func run(
        type: String, content: JSONObject, args: inout JSONValue, rootKind: NodeKind, triggerID: Int, index: Int, now: Int, effects: Effects
    ) async -> TriggerExecutor.ActionReport {
        let services = executor.services
        switch type {
        case "mail":
            return MailAction(defaultFrom: services.mailFrom, logger: executor.logger)
                .run(content: content, args: args, rootKind: rootKind, now: now, triggerID: triggerID, index: index, effects: effects)
        default:
            return await ChatActionRunner(executor: executor).run(
                type: type, content: content, args: &args, rootKind: rootKind, triggerID: triggerID, index: index, now: now, effects: effects
            )
        }
    }
}
