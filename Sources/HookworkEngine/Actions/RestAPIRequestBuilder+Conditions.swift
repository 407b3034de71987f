import Foundation
import HookworkCore

extension RestAPIRequestBuilder {
    /// The method with the trigger's `replace_array` variables (`{content_1}`, ...) replaced in every text; in a JSON
    /// raw body the value is written as JSON string content, so that `"x": "{content_1}"` stays valid JSON.
    static func substituted(_ method: JSONObject, args: JSONValue) -> JSONObject {
        guard !TriggerVariables.pairs(in: args).isEmpty else { return method }
        func walk(_ value: JSONValue, raw: Bool) -> JSONValue {
            switch value {
            case .string(let text):
                let escape: ((String) -> String)? = raw ? { TriggerVariables.jsonStringContent($0) } : nil
                return .string(TriggerVariables.substitute(text, args: args, escape: escape))
            case .array(let items): return .array(items.map { walk($0, raw: raw) })
            case .object(let object):
                var out = JSONObject()
                for (key, member) in object { out[key] = walk(member, raw: raw) }
                return .object(out)
            default: return value
            }
        }
        // JSON string content only where the body is JSON: a json/js content type, or none and a body that looks like JSON.
        let type = method["body_request_type_content"]?.stringValue ?? ""
        let raw = method["body_raw"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let jsonBody = type == "json" || type == "js" || (type.isEmpty && (raw.hasPrefix("{") || raw.hasPrefix("[")))
        var out = JSONObject()
        for (key, member) in method { out[key] = walk(member, raw: jsonBody && key == "body_raw") }
        return out
    }

    /// The template input with the action's `custom_args_1..5` (bot-text dialect) and the `body_param` user parameters.
    static func input(_ given: TemplateInput, content: JSONObject, method: JSONObject) -> TemplateInput {
        var input = given
        let options = content["attr_options"]?.objectValue ?? JSONObject()
        for index in 1...5 {
            if let text = options["custom_args_\(index)"].flatMap({ PHPText.scalarText($0) }), !text.isEmpty {
                input.customArgs[index] = TriggerVariables.botText(text, args: given.args, rootKind: given.rootKind, now: given.now)
            }
        }
        let values = content["rest_api_method_params"]?.objectValue ?? JSONObject()
        for item in method["userparams"]?.arrayValue ?? [] where item["location"]?.stringValue == "body_param" {
            guard let key = item["key"].flatMap({ PHPText.scalarText($0) }), !key.isEmpty else { continue }
            let id = item["id"].flatMap { PHPText.scalarText($0) } ?? key
            input.bodyParams[key] =
                values[id].flatMap { PHPText.scalarText($0) }
                .map { TriggerVariables.botText($0, args: given.args, rootKind: given.rootKind, now: given.now) } ?? ""
        }
        return input
    }

    /// A variable as the Conditions tab sees it: nil when missing or null, else its plain text.
    static func variable(_ key: String, method: RestAPIMethod, input: TemplateInput) -> String? {
        let written = RestAPIMethod.variableTemplate(key)
        let json = (try? method.template(written, context: .rawBody).render(input).get()) ?? "null"
        if json == "null" || json.isEmpty { return nil }
        return (try? method.template(written, context: .header).render(input).get()) ?? ""
    }

    /// The Conditions tab (spec §8.3.1 step 3): every condition must hold, or no request is made.
    static func checkConditions(_ method: RestAPIMethod, input: TemplateInput) throws {
        for (index, item) in (method.document["conditions"]?.arrayValue ?? []).enumerated() {
            let key = item["key"].flatMap { PHPText.scalarText($0) } ?? ""
            guard !key.isEmpty else { continue }
            let condition = item["success_condition"].flatMap { PHPText.scalarText($0) } ?? ""
            let expected = item["value"].flatMap { PHPText.scalarText($0) }
            var detail = JSONObject([("condition", .int(index)), ("key", .string(key)), ("success_condition", .string(condition))])
            guard let actual = variable(key, method: method, input: input) else {
                throw Failure(reason: "condition \(index): \(key) is not set", code: "conditions_not_met", skipped: true, detail: detail)
            }
            detail["actual"] = .string(actual)
            guard !condition.isEmpty, let expected else { continue }
            detail["value"] = .string(expected)
            let holds = condition == "contains" ? expected.contains(actual) : RestResponseRules.check(condition, expected, .string(actual))
            if !holds {
                throw Failure(
                    reason: "condition \(index): \(key) = '\(actual)' does not satisfy \(condition) '\(expected)'", code: "conditions_not_met",
                    skipped: true, detail: detail
                )
            }
        }
    }

    /// `check_not_empty`: the named variable must be non-empty, or no request is made.
    static func checkNotEmpty(_ method: RestAPIMethod, input: TemplateInput) throws {
        let name = method.document["check_not_empty"].flatMap { PHPText.scalarText($0) }?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !name.isEmpty else { return }
        let value = variable(name, method: method, input: input) ?? ""
        if value.isEmpty || value == "0" {
            throw Failure(
                reason: "check_not_empty: \(name) is empty", code: "empty_variable", skipped: true,
                detail: JSONObject([("check_not_empty", .string(name))])
            )
        }
    }

    /// `multipart/form-data` (RFC 7578) of text fields; the body and its Content-Type with the boundary.
    static func multipart(_ fields: [(String, String)]) -> ([UInt8], String) {
        let boundary = "hookwork-" + UUID().uuidString.lowercased()
        var body = ""
        for (name, value) in fields {
            let escaped = name.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "").replacingOccurrences(
                of: "\n", with: "")
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(escaped)\"\r\n\r\n\(value)\r\n"
        }
        body += "--\(boundary)--\r\n"
        return (Array(body.utf8), "multipart/form-data; boundary=\(boundary)")
    }
}
