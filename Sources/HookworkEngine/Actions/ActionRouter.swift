import HookworkCore

/// Runs the action types beyond `restapi` for the `TriggerExecutor`: `mail`, and the actions that change the chat
/// (`alert_icon`, `command`, `text`). Actions that change the chat update `args.chat`, so later actions of the same
/// trigger see the change.
struct ActionRouter: Sendable {
    let executor: TriggerExecutor

    func run(
        action: TriggerAction, args: inout JSONValue, rootKind: NodeKind, triggerID: Int, now: Int, effects: Effects
    ) async -> TriggerExecutor.ActionReport {
        let services = executor.services
        switch action.kind {
        case .mail:
            return MailAction(defaultFrom: services.mailFrom, logger: executor.logger)
                .run(content: action.content, args: args, rootKind: rootKind, now: now, triggerID: triggerID, index: action.index, effects: effects)
        default:
            return await ChatActionRunner(executor: executor).run(
                type: action.kind.type, content: action.content, args: &args, rootKind: rootKind, triggerID: triggerID, index: action.index,
                now: now, effects: effects
            )
        }
    }
}
