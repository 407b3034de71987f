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
    static func input(_ given: TemplateInput, call: RestAPICallContent, method: RestAPIMethod) -> TemplateInput {
        var input = given
        for (index, text) in call.customArguments {
            input.customArgs[index] = TriggerVariables.botText(text, args: given.args, rootKind: given.rootKind, now: given.now)
        }
        for parameter in method.userParameters where parameter.location == "body_param" {
            input.bodyParams[parameter.key] =
                call.methodParameters[parameter.id].map { TriggerVariables.botText($0, args: given.args, rootKind: given.rootKind, now: given.now) }
                ?? ""
        }
        return input
    }

    /// The Conditions tab and `check_not_empty` (spec §8.3.1 step 3): when one fails, no request is made.
    static func check(_ method: RestAPIMethod, input: TemplateInput) throws {
        if let failed = RestRequestChecks.failedCondition(method, input: input) ?? RestRequestChecks.emptyVariable(method, input: input) {
            throw Failure(reason: failed.reason, code: failed.code, skipped: true, detail: failed.detail)
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
