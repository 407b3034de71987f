import Foundation

/// What a Rest API response matched (spec §8.3.2): the rule, its contents and the response's code and body.
public struct RestResponseMatch: Sendable, Equatable {
    /// The matching output rule's `id` as text, or nil when no rule matched (then `contents[0]` is the raw body).
    public var ruleID: String?
    /// The matching rule's `id` as written (a string or a number), `null` when no rule matched.
    public var ruleIDValue: JSONValue = .null
    /// `content_1` … `content_6` as values (missing ones are `""`).
    public var contents: [JSONValue]
    /// What `success_location_meta` extracted, or an empty list when nothing was.
    public var meta: JSONValue = .array([])
    /// The HTTP status code.
    public var httpCode: Int
    /// The body as received.
    public var raw: String
    /// Whether the matching rule is marked `as_failed_request`.
    public var failed: Bool
    /// Where the reference raises an uncaught error for a rule (`__max__` of an empty list, `like`, `notlike` or
    /// `contains` on a list), the first such error: Hookwork skips that rule and carries on (DESIGN §5 deviation 1).
    public var error: String?

    /// A match of the given rule, contents, code and body.
    public init(ruleID: String?, contents: [JSONValue], httpCode: Int, raw: String, failed: Bool) {
        self.ruleID = ruleID
        self.ruleIDValue = ruleID.map(JSONValue.string) ?? .null
        self.contents = contents
        self.httpCode = httpCode
        self.raw = raw
        self.failed = failed
    }

    /// `content_1` … `content_6` as text: scalars as PHP prints them, lists and maps as JSON.
    public var texts: [String] { contents.map(Self.text) }

    /// The variables an output trigger receives (spec §8.3.3): `{content_1}` … `{content_6}`, `{content_N_json}`
    /// (PHP's `json_encode`: `/` as `\/`, non-ASCII as `\uXXXX`), `{http_code}`, `{content_raw}`.
    public var variables: JSONObject {
        var object = JSONObject()
        for (index, value) in contents.enumerated() {
            object["{content_\(index + 1)}"] = .string(Self.text(value))
            object["{content_\(index + 1)_json}"] = .string(value.phpJSON())
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
/// * Rules are tried by `output_priority`: numeric priorities highest first (ties as written), then the rules
///   without a numeric one, as written. The reference's comparator does not sort cleanly; Hookwork implements the
///   intent (spec §8.3.2 item 1).
/// * When any rule's `<id>_chk` flag is set, only the flagged rules are tried.
/// * `success_header` is a comma list compared PHP-loosely with the code (`"0200"`, `"2e2"`, `" 200"` accept 200);
///   empty accepts any code.
/// * Each rule parses the body by its own `format` (`xml`, else JSON); `success_location` must be found (`null` is
///   not found, `0`, `""` and `false` are); `success_condition_val` and `_val_2` (read only with a location) must
///   be found and not a list or map, and their check compares them instead of the content. Without a location the
///   checks compare the raw body. A check runs only when both its operator and its compare value are set.
/// * `success_location_meta` is read from the body parsed as JSON; `success_preg_replace` turns every content into
///   text.
public enum RestResponseRules {
    /// The first rule of `rules` that matches; `checked` (the action's `<id>_chk` flags), when not empty, limits the
    /// rules considered. A rule the reference would raise an error on is skipped, and the error is reported.
    public static func evaluate(rules: [JSONValue], checked: Set<String> = [], status: Int, body: String) -> RestResponseMatch {
        evaluate(rules: rules, checked: checked, status: status, response: .string(body), strict: false)
    }

    /// As `evaluate`, with a body that may be `false` (the transport failed); with `strict`, a rule the reference raises
    /// on stops the evaluation there, as in the reference.
    static func evaluate(rules: [JSONValue], checked: Set<String>, status: Int, response body: JSONValue, strict: Bool) -> RestResponseMatch {
        let raw = PHPText.scalarText(body) ?? ""
        var firstError: String?
        var parsed: [Bool: JSONValue] = [:]
        func document(xml: Bool) -> JSONValue {
            if let cached = parsed[xml] { return cached }
            let value: JSONValue
            if xml {
                value = XMLDocumentJSON.parse(raw) ?? .bool(false)
            } else {
                value = (try? JSONValue(parsing: raw)) ?? .null
            }
            parsed[xml] = value
            return value
        }
        for rule in ordered(rules) {
            let id = rule["id"].flatMap { PHPText.scalarText($0) } ?? ""
            if !checked.isEmpty && !checked.contains(id) { continue }
            guard accepts(rule["success_header"], status: status) else { continue }
            do {
                guard var match = try apply(rule, raw: body, status: status, document: document) else { continue }
                match.ruleID = id
                match.ruleIDValue = rule["id"] ?? .null
                match.error = firstError
                return match
            } catch let error as RuleError {
                firstError = firstError ?? error.message
                if strict { break }
            } catch {
                continue
            }
        }
        var contents: [JSONValue] = Array(repeating: .string(""), count: 6)
        contents[0] = body
        var match = RestResponseMatch(ruleID: nil, contents: contents, httpCode: status, raw: raw, failed: false)
        match.error = firstError
        return match
    }

    /// An error the reference raises while reading a rule.
    struct RuleError: Error {
        var message: String
    }

    /// The rules in the order they are tried: numeric `output_priority` descending (ties as written), then the rest.
    static func ordered(_ rules: [JSONValue]) -> [JSONObject] {
        let objects = rules.compactMap(\.objectValue)
        let prioritised = objects.enumerated().compactMap { entry in priority(entry.element).map { (entry.offset, $0, entry.element) } }
        let others = objects.filter { priority($0) == nil }
        return prioritised.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.map(\.2) + others
    }

    /// A numeric `output_priority` (a number or a numeric text); nil for none, `""` or text such as `"high"`.
    static func priority(_ rule: JSONObject) -> Double? {
        switch rule["output_priority"] {
        case .int(let integer)?: return Double(integer)
        case .double(let double)?: return double
        case .string(let text)?: return PHPLoose.numericValue(text)?.doubleValue
        default: return nil
        }
    }

    /// `success_header`: any code when missing or empty, else one of its comma-separated items equals the code loosely.
    static func accepts(_ header: JSONValue?, status: Int) -> Bool {
        let text = header.flatMap { PHPText.scalarText($0) } ?? ""
        guard !text.isEmpty else { return true }
        let code = String(status)
        return text.split(separator: ",", omittingEmptySubsequences: false).contains { PHPCompare.looseEquals(String($0), code) }
    }

    /// One rule against the response: its match, or nil when it does not match.
    static func apply(_ rule: JSONObject, raw body: JSONValue, status: Int, document: (Bool) -> JSONValue) throws -> RestResponseMatch? {
        let raw = PHPText.scalarText(body) ?? ""
        var contents: [JSONValue] = Array(repeating: .string(""), count: 6)
        var compared: [JSONValue]
        let location = field(rule["success_location"])
        if !location.isEmpty {
            let root = document(field(rule["format"]) == "xml")
            guard let value = try extractValue(location, from: root) else { return nil }
            contents[0] = value
            for index in 2...6 {
                let path = field(rule["success_location_\(index)"])
                if !path.isEmpty, let value = try extractValue(path, from: root) { contents[index - 1] = value }
            }
            compared = [value, value]
            for (slot, key) in ["success_condition_val", "success_condition_val_2"].enumerated() {
                let path = field(rule[key])
                guard !path.isEmpty else { continue }
                guard let value = try extractValue(path, from: root), value.arrayValue == nil, value.objectValue == nil else { return nil }
                compared[slot] = value
            }
        } else {
            contents[0] = body
            compared = [body, body]
        }
        guard try check(field(rule["success_condition"]), field(rule["success_compare_value"]), value: compared[0]),
            try check(field(rule["success_condition_2"]), field(rule["success_compare_value_2"]), value: compared[1])
        else { return nil }

        var meta: JSONValue = .array([])
        let metaPath = field(rule["success_location_meta"])
        if !metaPath.isEmpty, let value = try extractValue(metaPath, from: document(false)) { meta = value }
        let replacements = field(rule["success_preg_replace"])
        if !replacements.isEmpty { contents = contents.map { PregReplace.apply(lines: replacements, to: $0) } }
        let failed = rule["as_failed_request"].map(PHPLoose.isTruthyValue) ?? false
        var match = RestResponseMatch(ruleID: nil, contents: contents, httpCode: status, raw: raw, failed: failed)
        match.meta = meta
        return match
    }

    /// A rule field as text (`""` when missing).
    static func field(_ value: JSONValue?) -> String {
        value.flatMap { PHPText.scalarText($0) } ?? ""
    }

    /// A `:`-separated path (spec §4.5): `__all__` is the whole document; `__max__PATH` the largest item of the
    /// list at PATH; otherwise the dot-path resolver with `:` (`[key=value]`, `___json_text`, `___array_pop`).
    public static func extract(_ path: String, from root: JSONValue) -> JSONValue? {
        (try? extractValue(path, from: root)) ?? nil
    }

    /// `extract`, raising where the reference does (`__max__` of an empty list).
    static func extractValue(_ path: String, from root: JSONValue) throws -> JSONValue? {
        if path == "__all__" { return root }
        if path.contains("__max__") {
            guard let value = try extractValue(path.replacingOccurrences(of: "__max__", with: ""), from: root) else { return nil }
            let items: [JSONValue]
            switch value {
            case .array(let list): items = list
            case .object(let object): items = Array(object.values)
            default: return value
            }
            guard var best = items.first else { throw RuleError(message: "max(): Argument #1 ($value) must contain at least one element") }
            for item in items.dropFirst() where PHPOrder.compare(item, best) > 0 { best = item }
            return best
        }
        guard case .found(let value, _) = DotPath(path, separator: ":").resolve(in: root, rootKind: .plain), !value.isNull else { return nil }
        return value
    }

    /// One comparison check; an empty operator or compare value always passes, as in the reference.
    public static func check(_ condition: String, _ expected: String, _ value: JSONValue) -> Bool {
        (try? check(condition, expected, value: value)) ?? false
    }

    /// One check, raising where the reference does (`like`, `notlike` or `contains` on a list or map).
    static func check(_ condition: String, _ expected: String, value: JSONValue) throws -> Bool {
        guard !condition.isEmpty, !expected.isEmpty else { return true }
        func text() throws -> String {
            guard let text = PHPText.scalarText(value) else { throw RuleError(message: "\(condition) on a list or map") }
            return text
        }
        switch condition {
        case "eq": return loosely(value, equals: expected)
        case "neq": return !loosely(value, equals: expected)
        case "lt": return PHPOrder.compare(value, .string(expected)) < 0
        case "lte": return PHPOrder.compare(value, .string(expected)) <= 0
        case "gt": return PHPOrder.compare(value, .string(expected)) > 0
        case "gte": return PHPOrder.compare(value, .string(expected)) >= 0
        case "like", "notlike":
            let found = TextPattern(presence: expected).match(try text(), typos: 0).found
            return condition == "like" ? found : !found
        case "contains":
            let actual = try text()
            return PHPString.find(Array(expected.utf8), in: Array(actual.utf8), from: 0) != nil
        case "notempty": return PHPLoose.isTruthyValue(value)
        default: return true
        }
    }

    /// PHP 8's `$value == $text`; a list or map equals no text.
    static func loosely(_ value: JSONValue, equals text: String) -> Bool {
        PHPLoose.equals(value, text)
    }
}

extension RestResponseRules {
    /// What follows a response (spec §8.3.3), as the reference decides it.
    public enum FollowUp: Sendable, Equatable {
        /// The matched rule's trigger in `rest_api_method_output`, as written there.
        case trigger(JSONValue)
        /// No rule matched (or the answer has no id): `default_trigger`, with `default_trigger_action_id` and
        /// `default_trigger_alt` when they are set.
        case defaultTrigger(JSONValue, actionID: JSONValue?, alt: JSONValue?)
        /// No trigger: the content may be saved (`savesContent`).
        case none
    }

    /// The next step for `match` under the action's `rest_api_method_output`. A matched rule runs its own trigger
    /// when that is numeric (`0` included) and never falls back to `default_trigger`.
    public static func followUp(_ match: RestResponseMatch, mapping: JSONObject) -> FollowUp {
        if let id = match.ruleID {
            guard let next = mapping[id], isNumeric(next) else { return .none }
            return .trigger(next)
        }
        guard let next = mapping["default_trigger"], isNumeric(next) else { return .none }
        let actionID = mapping["default_trigger_action_id"].flatMap { PHPLoose.isTruthyValue($0) ? $0 : nil }
        let alt = mapping["default_trigger_alt"].flatMap { isNumeric($0) && PHPLoose.isTruthyValue($0) ? $0 : nil }
        return .defaultTrigger(next, actionID: actionID, alt: alt)
    }

    /// PHP's `is_numeric`: a number or a numeric text.
    static func isNumeric(_ value: JSONValue) -> Bool {
        switch value {
        case .int, .double: return true
        case .string(let text): return PHPLoose.numericValue(text) != nil
        default: return false
        }
    }

    /// Whether the reference saves the content as a chat message when no trigger follows: `content_1` loosely
    /// different from `""` (`"0"`, `0` and lists count) or a non-empty meta.
    public static func savesContent(_ match: RestResponseMatch) -> Bool {
        !PHPLoose.equals(match.contents[0], "") || PHPLoose.isTruthyValue(match.meta)
    }

    /// The saved message's `meta_msg`: `""`, or the meta's JSON without `content.buttons`, `content.custom` and
    /// `content.progress`.
    public static func savedMeta(_ meta: JSONValue) -> String {
        guard PHPLoose.isTruthyValue(meta) else { return "" }
        guard case .object(var object) = meta else { return meta.phpJSON() }
        if case .object(var content)? = object["content"] {
            for key in ["buttons", "custom", "progress"] { content[key] = nil }
            object["content"] = .object(content)
        }
        return JSONValue.object(object).phpJSON()
    }
}

/// PHP 8's ordering (`<=>`) of decoded JSON values, as `max()` and the `lt`/`gt` checks use it.
enum PHPOrder {
    static func compare(_ lhs: JSONValue, _ rhs: JSONValue) -> Int {
        switch (lhs, rhs) {
        case (.null, .null): return 0
        case (.null, .string(let text)): return text.isEmpty ? 0 : -1
        case (.string(let text), .null): return text.isEmpty ? 0 : 1
        case (.bool, _), (_, .bool), (.null, _), (_, .null):
            return sign(Int(PHPLoose.isTruthyValue(lhs) ? 1 : 0) - Int(PHPLoose.isTruthyValue(rhs) ? 1 : 0))
        case (.array, .array), (.array, .object), (.object, .array), (.object, .object):
            let left = entries(lhs), right = entries(rhs)
            if left.count != right.count { return left.count < right.count ? -1 : 1 }
            let lookup = Dictionary(right, uniquingKeysWith: { first, _ in first })
            for (key, value) in left {
                guard let other = lookup[key] else { return 1 }
                let order = compare(value, other)
                if order != 0 { return order }
            }
            return 0
        case (.array, _), (.object, _): return 1
        case (_, .array), (_, .object): return -1
        case (.string(let left), .string(let right)):
            if let a = PHPLoose.numericValue(left), let b = PHPLoose.numericValue(right) { return numbers(a, b) }
            return bytes(left, right)
        case (.string(let text), _):
            if let number = PHPLoose.numericValue(text) { return numbers(number, rhs) }
            return bytes(text, PHPText.scalarText(rhs) ?? "")
        case (_, .string(let text)):
            if let number = PHPLoose.numericValue(text) { return numbers(lhs, number) }
            return bytes(PHPText.scalarText(lhs) ?? "", text)
        default:
            return numbers(lhs, rhs)
        }
    }

    static func entries(_ value: JSONValue) -> [(String, JSONValue)] {
        switch value {
        case .array(let list): return list.enumerated().map { (String($0.offset), $0.element) }
        case .object(let object): return object.map { ($0.key, $0.value) }
        default: return []
        }
    }

    static func numbers(_ lhs: JSONValue, _ rhs: JSONValue) -> Int {
        if case .int(let a) = lhs, case .int(let b) = rhs { return a < b ? -1 : a == b ? 0 : 1 }
        let a = lhs.doubleValue ?? 0, b = rhs.doubleValue ?? 0
        return a < b ? -1 : a == b ? 0 : 1
    }

    static func bytes(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs.utf8), b = Array(rhs.utf8)
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return sign(a.count - b.count)
    }

    static func sign(_ value: Int) -> Int { value < 0 ? -1 : value > 0 ? 1 : 0 }
}

/// `success_preg_replace`: one rule per line, `pattern==>replacement` or a pattern alone (deleted), each a PCRE with
/// the flags `u`, `i` and `s`, applied in order (PHP `preg_replace`). Every content comes out as text; a list or map is
/// handled item by item (a nested list becomes `"Array"`). A pattern that does not compile turns a text into `null`
/// and a list into `[]`, as PHP's `preg_replace` returns.
enum PregReplace {
    static func apply(lines: String, to value: JSONValue) -> JSONValue {
        var current = value
        for line in lines.split(separator: "\n", omittingEmptySubsequences: false) {
            let parts = line.components(separatedBy: "==>")
            let pattern = Substring(parts[0])
            let replacement = parts.count > 1 ? parts[1] : ""
            guard !pattern.isEmpty else { continue }
            let expression = regex(pattern)
            current = replace(current, expression: expression, template: template(replacement))
        }
        return current
    }

    static func replace(_ value: JSONValue, expression: NSRegularExpression?, template: String) -> JSONValue {
        switch value {
        case .array(let list):
            guard let expression else { return .array([]) }
            return .array(list.map { .string(substitute(itemText($0), expression, template)) })
        case .object(let object):
            guard let expression else { return .array([]) }
            var out = JSONObject()
            for (key, item) in object { out[key] = .string(substitute(itemText(item), expression, template)) }
            return .object(out)
        default:
            guard let expression else { return .null }
            return .string(substitute(PHPText.scalarText(value) ?? "", expression, template))
        }
    }

    static func itemText(_ value: JSONValue) -> String {
        PHPText.scalarText(value) ?? "Array"
    }

    static func substitute(_ text: String, _ expression: NSRegularExpression, _ template: String) -> String {
        expression.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }

    /// The line's pattern as the reference compiles it, `/PATTERN/uis`; nil when PCRE would refuse it.
    static func regex(_ pattern: Substring) -> NSRegularExpression? {
        // An unescaped `/` ends the pattern early, and PCRE then refuses the rest as modifiers.
        var escaped = false
        for character in pattern {
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "/" {
                return nil
            }
        }
        if escaped { return nil }
        return try? NSRegularExpression(pattern: String(pattern), options: [.caseInsensitive, .dotMatchesLineSeparators])
    }

    /// A PHP replacement (`$1`, `\1`, `${1}` name groups) as an ICU template (only `$N` names a group).
    static func template(_ replacement: String) -> String {
        let scalars = Array(replacement.unicodeScalars)
        var out = ""
        var index = 0
        func digits(from start: Int) -> (String, Int)? {
            var end = start
            while end < scalars.count, end - start < 2, ("0"..."9").contains(Character(scalars[end])) { end += 1 }
            return end > start ? (String(String.UnicodeScalarView(scalars[start..<end])), end) : nil
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\" || scalar == "$" {
                if let (number, end) = digits(from: index + 1) {
                    out += "$" + number
                    index = end
                    continue
                }
                if scalar == "$", index + 1 < scalars.count, scalars[index + 1] == "{", let (number, end) = digits(from: index + 2),
                    end < scalars.count, scalars[end] == "}"
                {
                    out += "$" + number
                    index = end + 1
                    continue
                }
                out += "\\" + String(scalar)
                index += 1
                continue
            }
            out.unicodeScalars.append(scalar)
            index += 1
        }
        return out
    }
}
