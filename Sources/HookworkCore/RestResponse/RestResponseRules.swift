import Foundation

/// What a Rest API response matched (spec §8.3.2): the rule, its contents and the response's code and body.
public struct RestResponseMatch: Sendable, Equatable {
    /// The matching output rule's `id`, or nil when no rule matched (then `contents[0]` is the raw body).
    public var ruleID: String?
    /// `content_1` … `content_6` as values (missing ones are `""`).
    public var contents: [JSONValue]
    /// The HTTP status code.
    public var httpCode: Int
    /// The body as received.
    public var raw: String
    /// Whether the matching rule is marked `as_failed_request`.
    public var failed: Bool

    /// `content_1` … `content_6` as text: scalars as PHP prints them, lists and maps as JSON.
    public var texts: [String] { contents.map(Self.text) }

    /// The variables an output trigger receives (spec §8.3.3): `{content_1}` … `{content_6}`, `{content_N_json}`,
    /// `{http_code}`, `{content_raw}`.
    public var variables: JSONObject {
        var object = JSONObject()
        for (index, value) in contents.enumerated() {
            object["{content_\(index + 1)}"] = .string(Self.text(value))
            object["{content_\(index + 1)_json}"] = .string(value.jsonText())
        }
        object["{http_code}"] = .string(String(httpCode))
        object["{content_raw}"] = .string(raw)
        return object
    }

    static func text(_ value: JSONValue) -> String {
        PHPText.scalarText(value) ?? value.jsonText()
    }
}

/// The Rest API method's `output` rules, evaluated against a response (spec §8.3.2). Pure: no I/O.
///
/// Rules are tried by `output_priority`, highest first, rules without one last, otherwise in their written order
/// (the reference's comparator does not sort cleanly; Hookwork implements the intent, spec §8.3.2 item 1).
public enum RestResponseRules {
    /// The first rule of `rules` that matches; `checked` (the action's `<id>_chk` flags), when not empty, limits the
    /// rules considered.
    public static func evaluate(rules: [JSONValue], checked: Set<String> = [], status: Int, body: String) -> RestResponseMatch {
        let ordered = rules.compactMap(\.objectValue).enumerated().sorted { left, right in
            let a = priority(left.element), b = priority(right.element)
            if a != b { return (a ?? Int.min) > (b ?? Int.min) }
            return left.offset < right.offset
        }.map(\.element)
        var parsed: [String: JSONValue?] = [:]
        func document(_ format: String) -> JSONValue? {
            if let cached = parsed[format] { return cached }
            let value = format == "xml" ? XMLDocumentJSON.parse(body) : try? JSONValue(parsing: body)
            parsed[format] = value
            return value
        }
        for rule in ordered {
            let id = rule["id"].flatMap { PHPText.scalarText($0) } ?? ""
            if !checked.isEmpty && !checked.contains(id) { continue }
            let codes = (rule["success_header"].flatMap { PHPText.scalarText($0) } ?? "").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if !codes.isEmpty && !codes.contains(String(status)) { continue }

            var contents: [JSONValue] = Array(repeating: .string(""), count: 6)
            var compared: JSONValue
            let location = text(rule["success_location"])
            if !location.isEmpty {
                let format = text(rule["format"]).lowercased()
                guard let root = document(format == "xml" ? "xml" : "json"), let value = extract(location, from: root) else { continue }
                contents[0] = value
                for index in 2...6 {
                    let path = text(rule["success_location_\(index)"])
                    if !path.isEmpty, let value = extract(path, from: root) { contents[index - 1] = value }
                }
                compared = value
                let comparedPath = text(rule["success_condition_val"])
                if !comparedPath.isEmpty {
                    guard let value = extract(comparedPath, from: root), value.arrayValue == nil, value.objectValue == nil else { continue }
                    compared = value
                }
            } else {
                contents[0] = .string(body)
                compared = .string(body)
            }
            guard check(text(rule["success_condition"]), text(rule["success_compare_value"]), compared),
                check(text(rule["success_condition_2"]), text(rule["success_compare_value_2"]), compared)
            else { continue }
            let replacements = text(rule["success_preg_replace"])
            if !replacements.isEmpty {
                contents = contents.map { value in
                    guard let string = PHPText.scalarText(value), case .string = value else { return value }
                    return .string(PregReplace.apply(lines: replacements, to: string))
                }
            }
            let failed = rule["as_failed_request"].map(PHPLoose.isTruthyValue) ?? false
            return RestResponseMatch(ruleID: id, contents: contents, httpCode: status, raw: body, failed: failed)
        }
        var contents: [JSONValue] = Array(repeating: .string(""), count: 6)
        contents[0] = .string(body)
        return RestResponseMatch(ruleID: nil, contents: contents, httpCode: status, raw: body, failed: false)
    }

    static func priority(_ rule: JSONObject) -> Int? {
        guard let value = rule["output_priority"], let text = PHPText.scalarText(value), !text.isEmpty else { return nil }
        return Int(text)
    }

    static func text(_ value: JSONValue?) -> String {
        value.flatMap { PHPText.scalarText($0) }?.trimmingCharacters(in: .whitespaces) ?? ""
    }

    /// A `:`-separated path (spec §4.5): `__all__` is the whole document; `__max__PATH` the largest item of the
    /// list at PATH; otherwise the dot-path resolver with `:` (`[key=value]`, `___json_text`, `___array_pop`).
    public static func extract(_ path: String, from root: JSONValue) -> JSONValue? {
        if path == "__all__" { return root }
        if path.hasPrefix("__max__") {
            guard case .array(let items)? = extract(String(path.dropFirst(7)), from: root) else { return nil }
            return items.max { PHPCompare.leadingFloat(RestResponseMatch.text($0)) < PHPCompare.leadingFloat(RestResponseMatch.text($1)) }
        }
        guard case .found(let value, _) = DotPath(path, separator: ":").resolve(in: root, rootKind: .plain) else { return nil }
        return value
    }

    /// One comparison check; an empty operator or compare value always passes, as in the reference.
    public static func check(_ condition: String, _ expected: String, _ value: JSONValue) -> Bool {
        let actual = RestResponseMatch.text(value)
        if condition == "notempty" { return PHPLoose.isTruthy(actual) }
        guard !condition.isEmpty, !expected.isEmpty else { return true }
        func order() -> Int {
            if PHPCompare.numeric(actual) != nil, PHPCompare.numeric(expected) != nil {
                let x = PHPCompare.leadingFloat(actual), y = PHPCompare.leadingFloat(expected)
                return x < y ? -1 : x == y ? 0 : 1
            }
            return actual < expected ? -1 : actual == expected ? 0 : 1
        }
        switch condition {
        case "eq": return PHPCompare.looseEquals(actual, expected)
        case "neq": return !PHPCompare.looseEquals(actual, expected)
        case "lt": return order() < 0
        case "lte": return order() <= 0
        case "gt": return order() > 0
        case "gte": return order() >= 0
        case "like", "notlike":
            let found = expected.split(separator: ",").contains { TextPattern(String($0)).match(actual, typos: 0).found }
            return condition == "like" ? found : !found
        case "contains": return actual.contains(expected)
        default: return true
        }
    }
}

/// `success_preg_replace`: lines `/pattern/flags==>replacement`, applied in order (PHP `preg_replace`).
enum PregReplace {
    static func apply(lines: String, to text: String) -> String {
        var out = text
        for line in lines.components(separatedBy: .newlines) {
            let parts = line.components(separatedBy: "==>")
            guard parts.count == 2, let expression = regex(parts[0].trimmingCharacters(in: .whitespaces)) else { continue }
            // PHP's \1 and $1 both name a group; ICU templates use $1.
            let template = parts[1].replacingOccurrences(of: #"\\(\d)"#, with: "\\$$1", options: .regularExpression)
            out = expression.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: template)
        }
        return out
    }

    static func regex(_ written: String) -> NSRegularExpression? {
        guard let delimiter = written.first, written.count >= 2, let end = written.lastIndex(of: delimiter), end != written.startIndex else {
            return nil
        }
        let body = String(written[written.index(after: written.startIndex)..<end])
        var options: NSRegularExpression.Options = []
        for flag in written[written.index(after: end)...] {
            switch flag {
            case "i": options.insert(.caseInsensitive)
            case "m": options.insert(.anchorsMatchLines)
            case "s": options.insert(.dotMatchesLineSeparators)
            case "x": options.insert(.allowCommentsAndWhitespace)
            case "u": break
            default: return nil
            }
        }
        return try? NSRegularExpression(pattern: body, options: options)
    }
}
