import HookworkCore

/// Runs the action types beyond `restapi` for the `TriggerExecutor`: `mail`, and the actions that change the chat
/// (`alert_icon`, `command`, `text`). Actions that change the chat update `args.chat`, so later actions of the same
/// trigger see the change.
struct ActionRouter: Sendable {
    let executor: TriggerExecutor

    func run(
        type: String, content: JSONObject, args: inout JSONValue, rootKind: NodeKind, triggerID: Int, now: Int
    ) async -> TriggerExecutor.ActionReport {
        let services = executor.services
        switch type {
        case "mail":
            return await MailAction(sender: services.mailSender, defaultFrom: services.mailFrom, logger: executor.logger)
                .run(content: content, args: args, rootKind: rootKind, now: now)
        default:
            return await ChatActionRunner(executor: executor).run(
                type: type, content: content, args: &args, rootKind: rootKind, triggerID: triggerID, now: now
            )
        }
    }
}
