import Foundation
import HookworkCore

/// Members to merge into one stored message.
struct MessagePatch: Sendable {
    /// The message id.
    var id: Int
    /// The members.
    var patch: JSONObject
}

extension ChatActions {
    /// Message members the reference stores when `messageattribute` sets them (others change nothing lasting).
    static let storedMessageAttributes: Set<String> = ["msg", "meta_msg", "time", "chat_id", "user_id", "name_support"]

    /// The change one of the commands beyond the first group makes (spec §8.2; their effect on the stored chat or
    /// message follows the reference's `erLhcoreClassGenericBotActionCommand`).
    static func planMore(
        _ content: ChatCommandContent, chat: JSONObject, args: JSONValue, rootKind: NodeKind, now: Int, messages: [JSONObject] = []
    ) -> Result<Change, ActionProblem> {
        func text(_ raw: String?) -> String {
            guard let raw else { return "" }
            return TriggerVariables.botText(raw, args: args, rootKind: rootKind, now: now)
        }
        var change = Change(command: content.command.name)
        switch content.command {
        case .disableUntilOperatorMessage:
            // The bot stays quiet until an operator writes: the platform reads `bot_lock_msg`.
            var variables = variablesObject(chat)
            guard variables["bot_lock_msg"] == nil else {
                return .success(withReason(change, "the bot is already locked until an operator message (bot_lock_msg)"))
            }
            variables["bot_lock_msg"] = .int(chat["last_msg_id"]?.looseInt ?? 0)
            change.patch["chat_variables"] = encodeVariables(variables, like: chat["chat_variables"])
            return .success(change)

        case .setSubject:
            guard let subject = Int(text(content.payload).trimmingCharacters(in: .whitespaces)), subject > 0 else {
                return .failure(ActionProblem(field: "content.payload", reason: "setsubject needs a subject id in payload"))
            }
            var subjects = (chat["subject_ids"]?.arrayValue ?? []).compactMap(\.looseInt)
            if content.removes {
                guard subjects.contains(subject) else { return .success(withReason(change, "subject \(subject) is not set")) }
                subjects.removeAll { $0 == subject }
                change.events.append(("chat.subject_remove", JSONObject([("subject_id", .int(subject)), ("init", .string("bot"))])))
            } else {
                guard !subjects.contains(subject) else { return .success(withReason(change, "subject \(subject) is already set")) }
                subjects.append(subject)
                change.events.append(("chat.subject_add", JSONObject([("subject_id", .int(subject)), ("init", .string("bot"))])))
            }
            change.patch["subject_ids"] = .array(subjects.map(JSONValue.int))
            return .success(change)

        case .setLiveAttribute:
            // A bot message with no text whose meta_msg makes the widget set or remove an attribute.
            let attribute = (try? JSONValue(parsing: text(content.payload))) ?? .null
            guard attribute != .null else {
                return .failure(
                    ActionProblem(
                        field: "content.payload", reason: "setliveattr needs the attribute's path as JSON in payload, e.g. [\"lhc\",\"plan\"]"))
            }
            let value = text(content.payloadArgument)
            let remove = content.removes || (content.removesIfEmpty && (value.isEmpty || value == "0"))
            var extra = JSONObject([("attr", attribute)])
            if !remove { extra["data"] = (try? JSONValue(parsing: value)) ?? .null }
            let execute = JSONObject([
                ("chat_emit", .string(remove ? "attr_rem" : "attr_set")), ("ext_args", .string(JSONValue.object(extra).jsonText())),
            ])
            let meta = JSONValue.object(JSONObject([("content", .object(JSONObject([("execute_js", .object(execute))])))]))
            change.message = JSONObject([
                ("chat_id", .int(chat["id"]?.looseInt ?? 0)), ("user_id", .int(-2)), ("msg", .string("")), ("meta_msg", .string(meta.jsonText())),
                ("time", .int(now)), ("name_support", .string("Bot")),
            ])
            change.announce = false
            change.patch = JSONObject([("last_op_msg_time", .int(now)), ("last_user_msg_time", .int(now))])
            return .success(change)

        case .messageAggregation:
            let current = variablesObject(chat)
            switch MessageAggregation.variables(content.aggregation, chat: chat, messages: messages, current: current) {
            case .failure(let problem): return .success(withReason(change, problem.reason))
            case .success(let variables):
                guard variables != current else { return .success(withReason(change, "the chat variables already hold this result")) }
                change.patch["chat_variables"] = encodeVariables(variables, like: chat["chat_variables"])
                return .success(change)
            }

        case .removeProcess:
            // The reference deletes the chat's bot repeat counters and pending bot events; Hookwork keeps none, so only the
            // platform's command remains.
            return .success(change)

        case .metaMessage, .messageAttribute:
            guard case .object(let message)? = args["msg"], let messageID = message["id"]?.looseInt, messageID > 0 else {
                return .success(withReason(change, "the trigger has no message to change (args.msg.id)"))
            }
            var meta: JSONObject
            switch message["meta_msg"] {
            case .object(let object)?: meta = object
            case .string(let text)?: meta = (try? JSONValue(parsing: text))?.objectValue ?? JSONObject()
            default: meta = JSONObject()
            }
            if content.command == .metaMessage {
                guard case .object(let values)? = try? JSONValue(parsing: text(content.payload)) else {
                    return .failure(
                        ActionProblem(field: "content.payload", reason: "metamsg needs a JSON object in payload, e.g. {\"sentiment\":\"positive\"}"))
                }
                for (key, value) in values { meta[key] = value == .null ? JSONValue?.none : value }
                change.messagePatch = MessagePatch(
                    id: messageID, patch: JSONObject([("meta_msg", encodeJSON(.object(meta), like: message["meta_msg"]))]))
                return .success(change)
            }
            let attribute = content.payload?.trimmingCharacters(in: .whitespaces) ?? ""
            guard !attribute.isEmpty, attribute != "id" else {
                return .failure(
                    ActionProblem(field: "content.payload", reason: "messageattribute needs the message attribute's name in payload (not id)"))
            }
            guard storedMessageAttributes.contains(attribute) else {
                return .success(
                    withReason(change, "\(attribute) is not a stored message attribute (\(storedMessageAttributes.sorted().joined(separator: ", ")))")
                )
            }
            let value = text(content.payloadArgument)
            let newValue: JSONValue
            if attribute == "meta_msg" {
                guard case .object(let values)? = try? JSONValue(parsing: value) else {
                    return .failure(
                        ActionProblem(field: "content.payload_arg", reason: "messageattribute meta_msg needs a JSON object in payload_arg"))
                }
                meta = merged(meta, values)
                if case .object(var inner)? = meta["content"] {
                    for key in ["buttons", "custom", "progress"] { inner[key] = nil }
                    meta["content"] = .object(inner)
                }
                newValue = encodeJSON(.object(meta), like: message["meta_msg"])
            } else {
                newValue = .string(value)
            }
            change.messagePatch = MessagePatch(id: messageID, patch: JSONObject([(attribute, newValue)]))
            if attribute == "msg" {
                var updated = message
                updated["msg"] = newValue
                change.events.append(("chat.message_updated", JSONObject([("msg", .object(updated))])))
            }
            return .success(change)

        case .closeChat, .stopChat, .transferToBot, .setDepartment, .setChatAttribute, .chatAttribute, .chatVariable, .dispatchEvent, .unknown:
            return .failure(ActionProblem(field: "content.command", reason: "\(content.command.name) is planned with the first group"))
        }
    }

    /// `base` with `added` merged in, objects merged member by member (the reference's `array_merge_recursive`, except
    /// that two scalars under one key keep the added one instead of becoming a list).
    static func merged(_ base: JSONObject, _ added: JSONObject) -> JSONObject {
        var out = base
        for (key, value) in added {
            if case .object(let left)? = out[key], case .object(let right) = value {
                out[key] = .object(merged(left, right))
            } else {
                out[key] = value
            }
        }
        return out
    }
}
