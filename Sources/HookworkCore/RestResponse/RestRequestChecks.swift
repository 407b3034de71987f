import Foundation

/// The checks the reference runs before a Rest API request (spec §8.3.1 step 3, `check_not_empty`), in the Rest API
/// template dialect. When one fails, no request is made and the reference makes up an answer with output id 0.
enum RestRequestChecks {
    /// A variable as these checks see it: nil when missing or null, else its plain text.
    static func variable(_ key: String, methodTexts: [String], input: TemplateInput) -> String? {
        let written = key.contains("{{") ? key : "{{\(key)}}"
        let json = (try? RestTemplate(written, context: .rawBody, methodTexts: methodTexts).render(input).get()) ?? "null"
        if json == "null" || json.isEmpty { return nil }
        return (try? RestTemplate(written, context: .header, methodTexts: methodTexts).render(input).get()) ?? ""
    }

    /// The Conditions tab: every condition's variable is set and, with an operator and a value, compares as asked
    /// (`contains` reversed: the value contains the variable).
    static func conditionsHold(_ method: JSONObject, methodTexts: [String], input: TemplateInput) -> Bool {
        for item in method["conditions"]?.arrayValue ?? [] {
            let key = item["key"].flatMap { PHPText.scalarText($0) } ?? ""
            guard !key.isEmpty else { continue }
            guard let actual = variable(key, methodTexts: methodTexts, input: input) else { return false }
            let condition = item["success_condition"].flatMap { PHPText.scalarText($0) } ?? ""
            guard !condition.isEmpty, let expected = item["value"].flatMap({ PHPText.scalarText($0) }) else { continue }
            let holds = condition == "contains" ? expected.contains(actual) : RestResponseRules.check(condition, expected, .string(actual))
            if !holds { return false }
        }
        return true
    }

    /// `check_not_empty`: the variable's name as written when it is empty, else nil.
    static func emptyVariable(_ method: JSONObject, methodTexts: [String], input: TemplateInput) -> String? {
        let name = method["check_not_empty"].flatMap { PHPText.scalarText($0) } ?? ""
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        let value = variable(name.trimmingCharacters(in: .whitespaces), methodTexts: methodTexts, input: input) ?? ""
        return value.isEmpty || value == "0" ? name : nil
    }

    /// Every string in `value`, depth first, without recursion.
    static func texts(in value: JSONValue) -> [String] {
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
