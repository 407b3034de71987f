import Foundation
import HookworkCore
import HookworkStore

extension ConfigurationValidator {
    /// The action types Hookwork runs; the reference's other types are saved with a warning and skipped when run.
    public static let runnableActionTypes: Set<String> = ["restapi", "mail", "alert_icon", "command", "text"]

    /// Checks one action's content when a trigger is saved: a malformed action is refused naming the member
    /// (`actions[1].content.mail_options.recipient`); what Hookwork accepts but will not run comes back as warnings.
    func actionWarnings(index: Int, type: String, content: JSONObject) async throws -> [JSONValue] {
        let prefix = "actions[\(index)].content"
        func warning(_ field: String, _ reason: String) -> JSONValue {
            .object(JSONObject([("field", .string(field)), ("reason", .string(reason))]))
        }
        func text(_ value: JSONValue?, _ field: String, required: Bool) throws -> String? {
            switch value {
            case nil, .null?:
                if required { throw ValidationFailure(field: field, message: "\(field) is required") }
                return nil
            case let value? where value.objectValue == nil && value.arrayValue == nil:
                let text = PHPText.scalarText(value) ?? ""
                if required && text.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw ValidationFailure(field: field, message: "\(field) must not be empty")
                }
                return text
            default:
                throw ValidationFailure(field: field, message: "\(field) must be text")
            }
        }
        func object(_ key: String) throws -> JSONObject {
            switch content[key] {
            case nil, .null?: return JSONObject()
            case .object(let object)?: return object
            default: throw ValidationFailure(field: "\(prefix).\(key)", message: "\(prefix).\(key) must be an object")
            }
        }
        /// A payload that must parse as JSON of one shape, unless placeholders make it known only when run.
        func jsonPayload(_ shape: String, matches: (JSONValue) -> Bool) throws {
            let payload = try text(content["payload"], "\(prefix).payload", required: true) ?? ""
            if payload.contains("{args.") || payload.contains("{content_") || payload.contains("{lhc.") { return }
            guard let parsed = try? JSONValue(parsing: payload), matches(parsed) else {
                throw ValidationFailure(field: "\(prefix).payload", message: "\(prefix).payload must be \(shape)")
            }
        }
        _ = try object("attr_options")

        switch type {
        case "mail":
            let options = try object("mail_options")
            // Mail headers are text (a number is refused, not sent as "5") and never carry a line break.
            for key in ["recipient", "subject", "from_email", "from_name", "reply_to"] {
                let field = "\(prefix).mail_options.\(key)"
                switch options[key] {
                case nil, .null?: if key == "recipient" { throw ValidationFailure(field: field, message: "\(field) is required") }
                case .string(let value)?:
                    if key == "recipient" && value.trimmingCharacters(in: .whitespaces).isEmpty {
                        throw ValidationFailure(field: field, message: "\(field) must not be empty")
                    }
                    try Self.checkHeaderText(value, field: field)
                default: throw ValidationFailure(field: field, message: "\(field) must be text")
                }
            }
            _ = try text(content["text"], "\(prefix).text", required: false)
            switch options["parse_bbcode"] {
            case nil, .null?, .bool?: break
            default:
                throw ValidationFailure(
                    field: "\(prefix).mail_options.parse_bbcode", message: "\(prefix).mail_options.parse_bbcode must be true or false")
            }
            return []
        case "text":
            _ = try text(content["text"], "\(prefix).text", required: true)
            return []
        case "alert_icon":
            _ = try text(content["alert_icon"], "\(prefix).alert_icon", required: false)
            return []
        case "command":
            let command = try text(content["command"], "\(prefix).command", required: true) ?? ""
            switch command {
            case "chatvariable": try jsonPayload("a JSON object of variables, e.g. {\"lang\":\"lt\"}") { $0.objectValue != nil }
            case "chatattribute": try jsonPayload("a JSON list of {\"identifier\",\"key\",\"value\"}") { $0.arrayValue != nil }
            case "setchatattribute":
                let attribute = try text(content["payload"], "\(prefix).payload", required: true) ?? ""
                if attribute == "id" { throw ValidationFailure(field: "\(prefix).payload", message: "setchatattribute cannot change the chat id") }
            case "setdepartment", "setsubject", "setliveattr": _ = try text(content["payload"], "\(prefix).payload", required: true)
            case "metamsg": try jsonPayload("a JSON object of meta_msg members, e.g. {\"sentiment\":\"positive\"}") { $0.objectValue != nil }
            case "messageattribute":
                let attribute = try text(content["payload"], "\(prefix).payload", required: true) ?? ""
                guard ChatActions.storedMessageAttributes.contains(attribute) else {
                    throw ValidationFailure(
                        field: "\(prefix).payload",
                        message:
                            "messageattribute sets one of \(ChatActions.storedMessageAttributes.sorted().joined(separator: ", ")), not '\(attribute)'"
                    )
                }
            case "closechat", "stopchat", "transfertobot", "dispatchevent", "disableuntillopmsg", "removeprocess": break
            case "messageaggregation":
                _ = try text(content["payload"], "\(prefix).payload", required: true)
                let method = try text(content["payload_arg_type"], "\(prefix).payload_arg_type", required: true) ?? ""
                let methods = ["count", "ratio", "count_filter", "avg", "sum", "max", "min", "count_max", "sum_avg"]
                guard methods.contains(method) else {
                    throw ValidationFailure(
                        field: "\(prefix).payload_arg_type", message: "payload_arg_type must be one of \(methods.joined(separator: ", "))")
                }
            default:
                return [
                    warning(
                        "\(prefix).command",
                        "the \(command) command is saved but Hookwork does not run it; it is reported as failed when the trigger runs")
                ]
            }
            return []
        case "restapi":
            // An output trigger may be created after this one (or be this one), so a missing one is only a warning.
            var warnings: [JSONValue] = []
            for (key, value) in try object("rest_api_method_output") where !key.hasSuffix("_chk") && key != "default_trigger_action_id" {
                if value == .null || value == .string("") { continue }
                guard let id = value.looseInt else {
                    throw ValidationFailure(field: "\(prefix).rest_api_method_output.\(key)", message: "the output's trigger must be a trigger id")
                }
                if id > 0, try await store.get(.trigger, id: id) == nil {
                    warnings.append(
                        warning(
                            "\(prefix).rest_api_method_output.\(key)", "trigger \(id) does not exist yet; nothing runs for this output until it does")
                    )
                }
            }
            return warnings
        default:
            return [
                warning("actions[\(index)].type", "the \(type) action is saved as the reference has it, but Hookwork does not run it; it is skipped")
            ]
        }
    }
}
