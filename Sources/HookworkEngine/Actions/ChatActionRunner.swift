import HookworkCore
import HookworkStore
import Logging

/// Applies a `ChatActions` change: records the chat's update (and the message, whose id is reserved at once) in the
/// decision's `Effects`, so that it commits with the decision or not at all; records the command as a signed
/// `callback` delivery to the platform (`HOOKWORK_CALLBACK_URL`), or, for a chat from a platform connection
/// (`connection_id`), as a command its adapter applies through the platform's API; then raises the change's events and, for a bot
/// message, `chat.web_add_msg_admin` (spec §1.6) unless the trigger arguments carry `no_auto_events`.
struct ChatActionRunner: Sendable {
    let executor: TriggerExecutor

    func run(
        _ action: TriggerAction.Body, args: inout JSONValue, rootKind: NodeKind, triggerID: Int, index: Int, now: Int, effects: Effects
    ) async -> TriggerExecutor.ActionReport {
        let type = action.type
        let logger = executor.logger
        let store = executor.store
        func report(_ status: String, _ detail: JSONObject) -> TriggerExecutor.ActionReport {
            .init(index: 0, type: type, status: status, detail: detail)
        }
        guard rootKind == .argsWithChat, case .object(let chat)? = args["chat"], let chatID = chat["id"]?.looseInt, chatID > 0 else {
            return report("skipped", JSONObject([("reason", .string("the trigger has no stored chat to change (args.chat.id)"))]))
        }
        // `messageaggregation` reads the chat's messages; no other action needs them.
        var messages: [JSONObject] = []
        if case .command(let command) = action, command.command == .messageAggregation {
            do {
                // The stored messages as this decision leaves them: its pending edits and new messages included.
                let stored = try await store.list(.message, query: EntityQuery(chatID: chatID))
                let storedIDs = Set(stored.compactMap { $0["id"]?.looseInt })
                messages = stored.map { message in
                    message["id"]?.looseInt.flatMap { effects.pending(.message, id: $0, over: message) } ?? message
                }
                messages += effects.pendingRecords(.message).filter {
                    $0["chat_id"]?.looseInt == chatID && !storedIDs.contains($0["id"]?.looseInt ?? 0)
                }
                messages.sort { ($0["id"]?.looseInt ?? 0) < ($1["id"]?.looseInt ?? 0) }
            } catch {
                return report("failed", JSONObject([("error", .string("the chat's messages could not be read: \(error)"))]))
            }
        }
        let change: ChatActions.Change
        switch ChatActions.plan(action, chat: chat, args: args, rootKind: rootKind, now: now, messages: messages) {
        case .success(let planned): change = planned
        case .failure(let problem):
            return report("failed", JSONObject([("error", .string(problem.reason)), ("field", .string(problem.field))]))
        }
        var detail = JSONObject([("command", .string(change.command))])
        if let reason = change.unchangedReason {
            detail["reason"] = .string(reason)
            return report("unchanged", detail)
        }

        // The change is part of the decision: the chat's patch and the new message (its id reserved now, so that the
        // command can name it) commit with the decision's calls, its completed event and its ledger claim, or not at all.
        var message = change.message
        var patch = change.patch
        do {
            if let edit = change.messagePatch {
                guard try await store.get(.message, id: edit.id) != nil else {
                    detail["error"] = .string("message \(edit.id) (args.msg.id) is not stored")
                    return report("failed", detail)
                }
                effects.patch(RecordPatch(kind: .message, id: edit.id, members: edit.patch))
                detail["message_changes"] = .object(JSONObject([("id", .int(edit.id)), ("changes", .object(edit.patch))]))
            }
            if var new = message {
                let id = try await store.reserveHookworkID(.message)
                new["id"] = .int(id)
                effects.put(RecordPut(kind: .message, id: id, document: new))
                message = new
                if new["user_id"]?.looseInt == -2 { patch["last_msg_id"] = .int(id) }
            }
        } catch {
            logger.warning("chat_action.store_failed", metadata: ["chat.id": "\(chatID)", "error": "\(error)"])
            detail["error"] = .string("the change could not be stored: \(error)")
            return report("failed", detail)
        }
        if !patch.isEmpty { effects.patch(RecordPatch(kind: .chat, id: chatID, members: patch)) }
        // Later actions of the trigger see the change, with the derived attributes (department, variables) read anew
        // over the decision's pending changes (the store has not got them yet).
        var updated = chat
        for (key, value) in change.patch { updated[key] = value }
        if let assembled = try? await ChatAssembler(store: store).chat(id: chatID, now: now, pending: effects) {
            for (key, value) in assembled.chat { updated[key] = value }
        }
        args["chat"] = .object(updated)
        // Likewise the trigger's message, when a command changed it.
        if let edit = change.messagePatch, case .object(var message)? = args["msg"], message["id"]?.looseInt == edit.id {
            for (key, value) in edit.patch { message[key] = value }
            args["msg"] = .object(message)
        }
        detail["changes"] = .object(ChatActions.mergePatch(change.patch, over: chat))
        if let message { detail["message"] = .object(message) }

        let status = "done"
        let webhookID = effects.webhookID(args: args)
        // The command carries everything the chat's record takes (a bot message also moves `last_msg_id`).
        var stored = change
        stored.patch = patch
        let command = ChatActions.command(stored, chat: chat, chatID: chatID, webhookID: webhookID, triggerID: triggerID, message: message)
        let origin = Self.commandOrigin(triggerID: triggerID, index: index, command: change.command, messageID: message?["id"]?.looseInt)
        let callID = effects.messageID("w\(webhookID ?? 0)_t\(triggerID)_a\(index)_d\(RaisedEvents.depth)_callback")
        if let connection = chat["connection_id"]?.looseInt, connection > 0 {
            // A chat from a platform connection: its adapter applies the command through the platform's API.
            let call = Self.platformCall(
                command: command, connectionID: connection, chatID: chatID, webhookID: webhookID, origin: origin, messageID: callID)
            effects.call(call)
            detail["platform_message_id"] = .string(call.messageID)
            detail["connection_id"] = .int(connection)
        } else if let callback = executor.callback {
            let call = callback.call(command: command, chatID: chatID, webhookID: webhookID, origin: origin, messageID: callID)
            effects.call(call)
            detail["callback_message_id"] = .string(call.messageID)
        } else {
            detail["callback"] = .string("none configured (HOOKWORK_CALLBACK_URL)")
        }
        logger.info("chat_action.applied", metadata: ["chat.id": "\(chatID)", "action.command": "\(change.command)", "trigger.id": "\(triggerID)"])

        // Events: the change's own, then the bot message's announcement (spec §1.6).
        var raised: [JSONValue] = []
        if executor.services.raisesEvents {
            var pending = change.events
            let suppressed = args["no_auto_events"].map(PHPLoose.isTruthyValue) ?? false
            if let message, message["user_id"]?.looseInt == -2, !suppressed, change.announce {
                pending.append(("chat.web_add_msg_admin", JSONObject([("msg", .object(message))])))
            }
            for (name, extra) in pending {
                var eventArgs = extra
                eventArgs["chat"] = .object(updated)
                raised.append(await RaisedEvents.raise(event: name, args: eventArgs, now: now, executor: executor, effects: effects))
            }
        }
        if !raised.isEmpty { detail["events"] = .array(raised) }
        return report(status, detail)
    }

    /// The outbox call that has connection `connectionID`'s adapter apply `command` (kind `callback`, so that a chat's
    /// commands keep their order), retried on the default schedule.
    static func platformCall(
        command: JSONObject, connectionID: Int, chatID: Int, webhookID: Int?, origin: CallOrigin, messageID: String
    ) -> OutboundCall {
        var origin = origin
        origin.chatID = chatID
        origin.connectionID = connectionID
        if let webhookID { origin.webhookID = webhookID }
        return OutboundCall(
            kind: .callback, payload: .platform(PlatformCommand(connectionID: connectionID, command: command)), origin: origin, messageID: messageID
        )
    }

    /// Where a command came from: the trigger, the action, the command and, for a message it posts, Hookwork's id of
    /// that message (so that the platform's answer can link its own).
    static func commandOrigin(triggerID: Int, index: Int, command: String, messageID: Int?) -> CallOrigin {
        var origin = CallOrigin()
        origin.triggerID = triggerID
        origin.actionIndex = index
        origin.command = command
        if let messageID { origin.messageID = messageID }
        return origin
    }
}
