import Foundation
import HookworkCore

extension ConfigurationValidator {
    /// A trigger's named conditions (`conditions`: identifier to a condition list in the webhook format), which
    /// actions' `trigger_condition` expressions name; every list must compile. The identifiers defined.
    func triggerConditions(_ value: JSONValue?) throws -> Set<String> {
        switch value {
        case nil, .null?: return []
        case .object(let object)?:
            var names: Set<String> = []
            for (name, list) in object {
                let field = "conditions.\(name)"
                guard !name.isEmpty, !name.contains(where: { $0.isWhitespace || "&|()".contains($0) }), !name.hasPrefix("-") else {
                    throw ValidationFailure(
                        field: field, message: "a condition identifier must be a word without spaces, &, |, parentheses or a leading -")
                }
                guard case .array = list else {
                    throw ValidationFailure(field: field, message: "\(field) must be a list of conditions, as a webhook's configuration")
                }
                let compiled: ConditionList
                do {
                    compiled = try ConditionList(configuration: list)
                } catch {
                    throw ValidationFailure(field: field, message: "\(field): \(error.reason)")
                }
                if let problem = compiled.validate().first(where: { $0.severity == .error }) {
                    throw ValidationFailure(
                        field: "\(field)[\(problem.index)].\(problem.field)", message: "\(field)[\(problem.index)]: \(problem.reason)")
                }
                names.insert(name)
            }
            return names
        default:
            throw ValidationFailure(field: "conditions", message: "conditions must be an object from identifier to a list of conditions")
        }
    }

    /// Checks the executor's rules on one action (spec §8.1): `_id` is text, `skip_resp` a flag, `trigger_condition` an
    /// expression that parses. An identifier no condition of the trigger defines is a warning (it counts as false).
    func executorRules(index: Int, action: JSONObject, conditionNames: Set<String>) throws -> [JSONValue] {
        let prefix = "actions[\(index)]"
        switch action["_id"] {
        case nil, .null?, .string?, .int?: break
        default: throw ValidationFailure(field: "\(prefix)._id", message: "\(prefix)._id must be text (the action's id for trigger_action_id)")
        }
        let content = action["content"]?.objectValue ?? JSONObject()
        for (field, value) in [("\(prefix).skip_resp", action["skip_resp"]), ("\(prefix).content.skip_resp", content["skip_resp"])] {
            switch value {
            case nil, .null?, .bool?, .int?: break
            case .string(let text)? where ["", "0", "1", "true", "false"].contains(text): break
            default: throw ValidationFailure(field: field, message: "\(field) must be true or false")
            }
        }
        let field = "\(prefix).content.trigger_condition"
        let expression: String
        switch content["trigger_condition"] {
        case nil, .null?: return []
        case .string(let text)?: expression = text.trimmingCharacters(in: .whitespaces)
        default: throw ValidationFailure(field: field, message: "\(field) must be text such as \"is_vip && -night\"")
        }
        guard !expression.isEmpty else { return [] }
        let parsed: TriggerCondition
        do {
            parsed = try TriggerCondition(expression)
        } catch {
            throw ValidationFailure(field: field, message: "\(field): \(error.reason) at character \(error.offset + 1)")
        }
        return parsed.identifiers.filter { !conditionNames.contains($0) }.map { name in
            .object(
                JSONObject([
                    ("field", .string(field)),
                    ("reason", .string("no condition '\(name)' is defined in the trigger's conditions; it counts as false")),
                ]))
        }
    }
}
