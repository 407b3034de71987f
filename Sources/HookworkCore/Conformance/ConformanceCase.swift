/// One recorded case from the reference implementation (`shared/conformance/*.jsonl`), and how Hookwork fares on it.
public struct ConformanceResult: Sendable {
    /// The case id (`cond-000001`).
    public var id: String
    /// Whether Hookwork's result matches the recorded one.
    public var passed: Bool
    /// What Hookwork produced, in the case's `expect` shape.
    public var got: JSONValue
    /// The documented reason, when the case is a known deviation (DESIGN §5).
    public var deviation: String?
}

/// Runs conformance cases of all six kinds: `text_match`, `extract`, `conditions`, `template`, `bot_text` and
/// `rest_output`.
public enum ConformanceRunner {
    /// Evaluates one case line (a JSON object as in `shared/conformance/README.md`).
    public static func run(_ testCase: JSONValue) -> ConformanceResult {
        let id = testCase["id"]?.stringValue ?? "?"
        let expect = testCase["expect"] ?? .null
        let got: JSONValue
        switch testCase["kind"]?.stringValue {
        case "text_match": got = textMatch(testCase)
        case "extract": got = extract(testCase)
        case "conditions": got = conditions(testCase)
        case "template": got = template(testCase)
        case "bot_text": got = botText(testCase)
        case "rest_output": got = RestOutputConformance.run(testCase)
        default: got = ["error": .string("unknown case kind")]
        }
        let passed = matches(got: got, expect: expect)
        let deviation = passed ? nil : KnownDeviations.reasons[id]
        return ConformanceResult(id: id, passed: passed, got: got, deviation: deviation)
    }

    /// Runs every case in a JSONL text; blank lines are skipped, an unreadable line is a failed case.
    public static func run(lines text: String) -> [ConformanceResult] {
        text.split(whereSeparator: \.isNewline).map { line in
            do {
                return run(try JSONValue(parsing: String(line)))
            } catch {
                return ConformanceResult(id: "?", passed: false, got: ["error": .string("\(error)")], deviation: nil)
            }
        }
    }

    static func textMatch(_ testCase: JSONValue) -> JSONValue {
        let pattern = TextPattern(testCase["pattern"]?.stringValue ?? "", compatibility: .reference)
        let result = pattern.match(testCase["text"]?.stringValue ?? "", typos: testCase["typos"]?.intValue ?? 0)
        return ["found": .bool(result.found), "typos_used": .int(result.typosUsed)]
    }

    static func extract(_ testCase: JSONValue) -> JSONValue {
        let path = DotPath(testCase["path"]?.stringValue ?? "")
        switch path.resolve(in: testCase["root"] ?? .null, rootKind: .argsWithChat) {
        case .notFound: return ["found": false]
        case .found(let value, _): return ["found": true, "value": value]
        }
    }

    static func conditions(_ testCase: JSONValue) -> JSONValue {
        guard let variant = ConditionVariant(rawValue: testCase["variant"]?.stringValue ?? "") else {
            return ["error": "unknown variant"]
        }
        let list: ConditionList
        do {
            list = try ConditionList(configuration: testCase["conditions"] ?? .null, compatibility: .reference)
        } catch {
            return ["error": .string(error.reason)]
        }
        let messages = (testCase["messages"]?.arrayValue ?? []).map {
            ConditionMessage(id: $0["id"]?.intValue ?? 0, userID: $0["user_id"]?.intValue ?? 0, text: $0["msg"].flatMap(PHPText.scalarText) ?? "")
        }
        let input = ConditionInput(args: testCase["args"] ?? [:], messages: messages, now: testCase["now"]?.intValue ?? 0)
        let outcome = list.evaluate(input, variant: variant)
        // Deviation 1 (DESIGN §5): where the reference raised, Hookwork reports the error and the condition is false.
        if let error = outcome.raisedError { return ["error": .string(error), "valid": .bool(outcome.valid)] }
        return ["valid": .bool(outcome.valid)]
    }

    static func template(_ testCase: JSONValue) -> JSONValue {
        let result = TemplateConformance.run(
            context: testCase["context"]?.stringValue ?? "", template: testCase["template"]?.stringValue ?? "", args: testCase["args"] ?? [:])
        switch result {
        case .success(let output): return ["output": .string(output)]
        case .failure(let error): return ["error": .string(error.description)]
        }
    }

    static func botText(_ testCase: JSONValue) -> JSONValue {
        let template = BotTextTemplate(testCase["template"]?.stringValue ?? "")
        switch template.translate(args: testCase["args"] ?? [:], now: testCase["now"]?.intValue ?? 0) {
        case .success(let text): return ["text": .string(text)]
        case .failure(let error): return ["error": .string(error.message)]
        }
    }

    /// Whether `got` equals `expect`: an expected error only needs an error; numbers compare by value and an empty
    /// map equals an empty list (the reference cannot tell them apart).
    static func matches(got: JSONValue, expect: JSONValue) -> Bool {
        if expect["error"] != nil { return got["error"] != nil }
        if got["error"] != nil { return false }
        return sameValue(got, expect)
    }

    static func sameValue(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.int(let integer), .double(let double)), (.double(let double), .int(let integer)):
            return Double(integer) == double
        case (.array(let list), .object(let object)), (.object(let object), .array(let list)):
            return list.isEmpty && object.isEmpty
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { sameValue($0, $1) }
        case (.object(let left), .object(let right)):
            return left.count == right.count && left.keys.allSatisfy { key in right[key].map { sameValue(left[key]!, $0) } ?? false }
        default:
            return lhs == rhs
        }
    }
}
