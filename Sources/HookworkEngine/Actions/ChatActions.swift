import Foundation
import HookworkCore

/// The actions that change a chat (spec §8.2), as a pure step: the current chat, the action's content and the
/// trigger arguments give a change (members to merge into the stored chat, a message to add, events to raise) and
/// the command the platform receives. No I/O: `ChatActionRunner` applies it.
enum ChatActions {
    /// What one action changes.
    struct Change: Sendable {
        /// The command name the platform receives (`alert_icon`, `chatvariable`, `closechat`, `text`, ...).
        var command: String
        /// Members to merge into the stored chat (empty when nothing changes).
        var patch = JSONObject()
        /// A message to add (without its id), for `text`.
        var message: JSONObject?
        /// Events to raise after the change is stored: a name and the arguments besides `chat`.
        var events: [(name: String, args: JSONObject)] = []
        /// Why nothing changed, when nothing did (`alert_icon` already there, `update_if_empty` with a value).
        var unchangedReason: String?
        /// Members to merge into a stored message (`metamsg`, `messageattribute`): its id and the members.
        var messagePatch: MessagePatch?
        /// Whether a bot message it adds is announced as `chat.web_add_msg_admin` (not for `setliveattr`'s widget message).
        var announce = true

        /// Whether the chat or its messages change.
        var changes: Bool { !patch.isEmpty || message != nil || messagePatch != nil }
    }

    /// The `command` subcommands Hookwork runs.
    static var commands: Set<String> { Set(ChatCommand.known.keys) }

    /// Chat status values (spec §10.4).
    enum Status {
        static let pending = 0
        static let closed = 2
        static let bot = 5
    }

    /// The change `action` makes to `chat`; a message saying what is wrong when the action cannot run.
    static func plan(
        _ action: TriggerAction.Body, chat: JSONObject, args: JSONValue, rootKind: NodeKind, now: Int, messages: [JSONObject] = []
    ) -> Result<Change, ActionProblem> {
        func text(_ raw: String?) -> String {
            guard let raw else { return "" }
            return TriggerVariables.botText(raw, args: args, rootKind: rootKind, now: now)
        }
        switch action {
        case .alertIcon(let alert):
            let icon = alert.icon
            let remove = alert.removes
            var variables = variablesObject(chat)
            var icons = variables["aicons"]?.objectValue ?? JSONObject()
            var change = Change(command: "alert_icon")
            if remove {
                guard icons[icon] != nil else { return .success(withReason(change, "icon \(icon) was not set")) }
                icons[icon] = nil
            } else {
                guard icons[icon] == nil else { return .success(withReason(change, "icon \(icon) is already set")) }
                var appearance = JSONObject([("i", .string(icon))])
                for (key, value) in alert.appearance { appearance[key] = value }
                icons[icon] = .object(appearance)
            }
            variables["aicons"] = .object(icons)
            change.patch["chat_variables"] = encodeVariables(variables, like: chat["chat_variables"])
            change.patch["aicons"] = .object(icons)
            change.events.append(("chat.bot.alert_icon", JSONObject([("icon", .string(icon)), ("removed", .bool(remove))])))
            return .success(change)

        case .text(let message):
            let body = text(message.text)
            guard !body.isEmpty else { return .failure(ActionProblem(field: "content.text", reason: "the text rendered empty")) }
            let asSystem = message.asSystem
            let chatID = chat["id"]?.looseInt ?? 0
            var change = Change(command: "text")
            change.message = JSONObject([
                ("chat_id", .int(chatID)), ("user_id", .int(asSystem ? -1 : -2)), ("msg", .string(body)), ("time", .int(now)),
                ("name_support", .string(asSystem ? "" : "Bot")),
            ])
            return .success(change)

        case .command(let content):
            var change = Change(command: content.command.name)
            switch content.command {
            case .closeChat:
                guard chat["status"]?.looseInt != Status.closed else { return .success(withReason(change, "the chat is already closed")) }
                change.patch = JSONObject([("status", .int(Status.closed)), ("cls_time", .int(now))])
                change.patch["chat_duration"] = .int(EventIntake.duration(of: chat, closedAt: now))
            case .stopChat:
                guard chat["status"]?.looseInt == Status.bot else { return .success(withReason(change, "the chat is not a bot chat (status 5)")) }
                change.patch = JSONObject([("status", .int(Status.pending)), ("pnd_time", .int(now))])
            case .transferToBot:
                guard chat["status"]?.looseInt != Status.bot else { return .success(withReason(change, "the chat is already a bot chat")) }
                change.patch = JSONObject([("status", .int(Status.bot))])
            case .setDepartment:
                guard let department = text(content.payload).trimmingCharacters(in: .whitespaces).looseIntText, department > 0 else {
                    return .failure(ActionProblem(field: "content.payload", reason: "setdepartment needs a department id in payload"))
                }
                guard chat["dep_id"]?.looseInt != department else {
                    return .success(withReason(change, "the chat is already in department \(department)"))
                }
                change.patch = JSONObject([("dep_id", .int(department))])
            case .setChatAttribute:
                let attribute = content.payload?.trimmingCharacters(in: .whitespaces) ?? ""
                guard !attribute.isEmpty, attribute != "id" else {
                    return .failure(
                        ActionProblem(field: "content.payload", reason: "setchatattribute needs the chat attribute's name in payload (not id)"))
                }
                let value = text(content.payloadArgument)
                if content.updatesOnlyIfEmpty, let current = chat[attribute], PHPLoose.isTruthyValue(current) {
                    return .success(withReason(change, "\(attribute) already has a value and update_if_empty is set"))
                }
                guard chat[attribute].flatMap({ PHPText.scalarText($0) }) != value else {
                    return .success(withReason(change, "\(attribute) already is '\(value)'"))
                }
                change.patch = JSONObject([(attribute, .string(value))])
            case .chatAttribute:
                // A JSON list of {identifier, key, value}, kept in the chat's additional_data by identifier.
                guard case .array(let items)? = try? JSONValue(parsing: text(content.payload)) else {
                    return .failure(
                        ActionProblem(
                            field: "content.payload", reason: "chatattribute needs a JSON list of {\"identifier\",\"key\",\"value\"} in payload"))
                }
                var data = additionalData(chat)
                for case .object(let item) in items {
                    let identifier = item["identifier"].flatMap { PHPText.scalarText($0) } ?? ""
                    guard !identifier.isEmpty else { continue }
                    if let index = data.firstIndex(where: { $0["identifier"].flatMap { PHPText.scalarText($0) } == identifier }) {
                        data[index] = .object(item)
                    } else {
                        data.append(.object(item))
                    }
                }
                change.patch = JSONObject([("additional_data", encodeJSON(.array(data), like: chat["additional_data"]))])
            case .chatVariable:
                guard case .object(let values)? = try? JSONValue(parsing: text(content.payload)) else {
                    return .failure(
                        ActionProblem(
                            field: "content.payload", reason: "chatvariable needs a JSON object of variables in payload, e.g. {\"lang\":\"lt\"}"))
                }
                var variables = variablesObject(chat)
                for (key, value) in values {
                    variables[key] = value == .null ? JSONValue?.none : value
                }
                change.patch = JSONObject([("chat_variables", encodeVariables(variables, like: chat["chat_variables"]))])
            case .dispatchEvent:
                change.events.append(
                    (
                        "chat.genericbot_chat_command_dispatch_event",
                        JSONObject([
                            (
                                "action",
                                .object(
                                    JSONObject([
                                        ("type", .string("command")), ("content", .object(content.content)),
                                    ]))
                            )
                        ])
                    ))
            case .unknown(let name):
                return .failure(
                    ActionProblem(
                        field: "content.command",
                        reason: "unknown command '\(name)'; Hookwork runs \(commands.sorted().joined(separator: ", "))"
                    ))
            default:
                return planMore(content, chat: chat, args: args, rootKind: rootKind, now: now, messages: messages)
            }
            return .success(change)

        case .restAPI, .mail, .unsupported:
            return .failure(ActionProblem(field: "type", reason: "\(action.type) is not an action that changes the chat"))
        }
    }

    /// Chat members the reference keeps as JSON text; commands patch them as objects.
    static let jsonTextColumns: Set<String> = ["chat_variables", "additional_data"]

    /// What a change does to `chat` as an RFC 7396 JSON Merge Patch: members that changed (objects recursively: only
    /// the keys that changed, `null` for the keys removed), JSON-text columns as their decoded values. Applying a
    /// chat's commands' patches in order to a copy of the chat gives the chat Hookwork stored.
    static func mergePatch(_ patch: JSONObject, over chat: JSONObject) -> JSONObject {
        var result = JSONObject()
        for (key, new) in patch {
            let decoded = jsonTextColumns.contains(key) ? decodedColumn(new) : new
            let old = jsonTextColumns.contains(key) ? chat[key].map(decodedColumn) : chat[key]
            guard old != decoded else { continue }
            result[key] = mergePatch(from: old, to: decoded)
        }
        return result
    }

    /// The merge patch that turns `old` into `new`.
    static func mergePatch(from old: JSONValue?, to new: JSONValue) -> JSONValue {
        guard case .object(let before)? = old, case .object(let after) = new else { return new }
        var patch = JSONObject()
        for (key, value) in after where before[key] != value { patch[key] = mergePatch(from: before[key], to: value) }
        for (key, _) in before where after[key] == nil { patch[key] = .null }
        return .object(patch)
    }

    /// A JSON-text column's value decoded (text that is not JSON stays text).
    static func decodedColumn(_ value: JSONValue) -> JSONValue {
        guard case .string(let text) = value else { return value }
        if text.isEmpty { return .object(JSONObject()) }
        return (try? JSONValue(parsing: text)) ?? value
    }

    /// The command JSON the platform receives; `changes` is the merge patch of the change over `chat`.
    static func command(_ change: Change, chat: JSONObject, chatID: Int, webhookID: Int?, triggerID: Int, message: JSONObject?) -> JSONObject {
        var command = JSONObject([
            ("command", .string(change.command)), ("chat_id", .int(chatID)), ("changes", .object(mergePatch(change.patch, over: chat))),
            ("webhook_id", webhookID.map(JSONValue.int) ?? .null), ("trigger_id", .int(triggerID)),
        ])
        if let message { command["message"] = .object(message) }
        if let edit = change.messagePatch {
            command["message_changes"] = .object(JSONObject([("id", .int(edit.id)), ("changes", .object(edit.patch))]))
        }
        if !change.events.isEmpty { command["events"] = .array(change.events.map { .string($0.name) }) }
        return command
    }

    static func withReason(_ change: Change, _ reason: String) -> Change {
        var change = change
        change.unchangedReason = reason
        return change
    }

    /// The chat's variables as an object, whether stored as JSON text (the reference's column) or as an object.
    static func variablesObject(_ chat: JSONObject) -> JSONObject {
        switch chat["chat_variables"] {
        case .object(let object)?: return object
        case .string(let text)?: return (try? JSONValue(parsing: text))?.objectValue ?? JSONObject()
        default: return JSONObject()
        }
    }

    static func additionalData(_ chat: JSONObject) -> [JSONValue] {
        switch chat["additional_data"] {
        case .array(let items)?: return items
        case .string(let text)?: return (try? JSONValue(parsing: text))?.arrayValue ?? []
        default: return []
        }
    }

    static func encodeVariables(_ variables: JSONObject, like original: JSONValue?) -> JSONValue {
        encodeJSON(.object(variables), like: original)
    }

    /// JSON text when the chat kept the member as text (as the reference's columns are), else the value itself.
    static func encodeJSON(_ value: JSONValue, like original: JSONValue?) -> JSONValue {
        switch original {
        case .object?, .array?: return value
        default: return .string(value.jsonText())
        }
    }
}

/// Why an action cannot run: the content member at fault and the reason.
struct ActionProblem: Error, Sendable {
    var field: String
    var reason: String
}

extension String {
    /// The integer this text is, when it is one.
    fileprivate var looseIntText: Int? { Int(self) }
}
