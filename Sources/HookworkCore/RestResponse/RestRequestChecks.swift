import Foundation

/// The checks the reference runs before a Rest API request (spec §8.3.1 step 3, `check_not_empty`), in the Rest API
/// template dialect. When one fails, no request is made (the reference makes up an answer with output id 0).
public enum RestRequestChecks {
    /// Why a check stopped the request.
    public struct Failure: Error, Sendable, Equatable {
        /// `conditions_not_met` or `empty_variable`.
        public var code: String
        /// What did not hold, in words.
        public var reason: String
        /// The condition's index, key, operator and values, or the `check_not_empty` name as written.
        public var detail: JSONObject
    }

    /// A variable as these checks see it: nil when missing or null, else its plain text.
    public static func variable(_ key: String, method: RestAPIMethod, input: TemplateInput) -> String? {
        let written = RestAPIMethod.variableTemplate(key)
        let json = (try? method.template(written, context: .rawBody).render(input).get()) ?? "null"
        if json == "null" || json.isEmpty { return nil }
        return (try? method.template(written, context: .header).render(input).get()) ?? ""
    }

    /// The Conditions tab: every condition's variable is set and, with an operator and a value, compares as asked
    /// (`contains` reversed: the value contains the variable). The first that does not hold, or nil.
    public static func failedCondition(_ method: RestAPIMethod, input: TemplateInput) -> Failure? {
        for (index, item) in (method.document["conditions"]?.arrayValue ?? []).enumerated() {
            let key = item["key"].flatMap { PHPText.scalarText($0) } ?? ""
            guard !key.isEmpty else { continue }
            let condition = item["success_condition"].flatMap { PHPText.scalarText($0) } ?? ""
            var detail = JSONObject([("condition", .int(index)), ("key", .string(key)), ("success_condition", .string(condition))])
            guard let actual = variable(key, method: method, input: input) else {
                return Failure(code: "conditions_not_met", reason: "condition \(index): \(key) is not set", detail: detail)
            }
            detail["actual"] = .string(actual)
            guard !condition.isEmpty, let expected = item["value"].flatMap({ PHPText.scalarText($0) }) else { continue }
            detail["value"] = .string(expected)
            let holds = condition == "contains" ? expected.contains(actual) : RestResponseRules.check(condition, expected, .string(actual))
            if !holds {
                return Failure(
                    code: "conditions_not_met", reason: "condition \(index): \(key) = '\(actual)' does not satisfy \(condition) '\(expected)'",
                    detail: detail)
            }
        }
        return nil
    }

    /// `check_not_empty`: a failure naming the variable (as written) when it is empty or `0`, else nil.
    public static func emptyVariable(_ method: RestAPIMethod, input: TemplateInput) -> Failure? {
        let written = method.document["check_not_empty"].flatMap { PHPText.scalarText($0) } ?? ""
        let name = written.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return nil }
        let value = variable(name, method: method, input: input) ?? ""
        guard value.isEmpty || value == "0" else { return nil }
        return Failure(
            code: "empty_variable", reason: "check_not_empty: \(name) is empty", detail: JSONObject([("check_not_empty", .string(written))]))
    }

    /// Every string in `value`, depth first, without recursion.
    public static func texts(in value: JSONValue) -> [String] {
        var out: [String] = []
        var stack: [JSONValue] = [value]
        while let next = stack.popLast() {
            switch next {
            case .string(let text): out.append(text)
            case .array(let items): stack.append(contentsOf: items.reversed())
            case .object(let object): stack.append(contentsOf: object.map(\.value).reversed())
            default: break
            }
        }
        return out
    }
}
