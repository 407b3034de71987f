/// Something in a condition list that the reference tolerates silently (the condition is just never true, or the
/// side is compared as plain text) but that is almost certainly a mistake. `ConditionList.validate()` lists them so
/// the API can refuse or warn.
public struct ConditionIssue: Sendable, Equatable, CustomStringConvertible {
    /// The item's position in the configuration list.
    public var index: Int
    /// The member at fault: `type`, `logic`, `condition`, `attr`, `value` or `message_contains`.
    public var field: String
    /// What is wrong and how to fix it.
    public var reason: String
    /// Whether the condition cannot work as written (`error`), or works as the reference does but probably not as
    /// meant (`warning`: a configuration exported from Live Helper Chat must still be accepted, DESIGN §1).
    public var severity: Severity

    /// How serious an issue is.
    public enum Severity: String, Sendable, Equatable {
        /// The condition cannot work as written: refuse it.
        case error
        /// Reference-compatible but suspicious: accept it and say so.
        case warning
    }

    /// An issue.
    public init(index: Int, field: String, reason: String, severity: Severity = .error) {
        self.index = index
        self.field = field
        self.reason = reason
        self.severity = severity
    }

    /// `conditions[index].field: reason`.
    public var description: String { "conditions[\(index)].\(field): \(reason)" }
}

extension ConditionList {
    /// The list's likely mistakes, in order; empty when every item is well-formed.
    ///
    /// Reported: items that are not objects, missing or unknown `type`, a `logic` other than `and`/`or` (it compares
    /// case-sensitively, so `"OR"` means "and"), missing or unknown operators, empty text patterns, `{args.` with
    /// unbalanced braces or written `{Args.`/`{ args.`, and arithmetic that does not parse or divides by zero.
    public func validate() -> [ConditionIssue] {
        var issues: [ConditionIssue] = []
        for entry in program.entries {
            let index = entry.index
            guard case .object = entry.raw else {
                issues.append(ConditionIssue(index: index, field: "type", reason: "a condition must be a JSON object"))
                continue
            }
            switch entry.kind {
            case .separator:
                continue
            case .inert:
                if let type = entry.raw["type"], !type.isNull {
                    let shown = PHPText.scalarText(type).map(PHPCompare.jsonString) ?? "a list or map"
                    issues.append(ConditionIssue(index: index, field: "type", reason: "unknown type \(shown); \(Self.typeHelp)"))
                } else {
                    issues.append(ConditionIssue(index: index, field: "type", reason: "missing; \(Self.typeHelp)"))
                }
                continue
            case .message:
                if entry.text("message_contains") == nil {
                    issues.append(ConditionIssue(index: index, field: "message_contains", reason: "must be text"))
                } else if PHPCompare.trim(entry.text("message_contains") ?? "").isEmpty {
                    issues.append(
                        ConditionIssue(index: index, field: "message_contains", reason: "an empty pattern never matches", severity: .warning))
                }
            case .compare:
                issues += compareIssues(entry)
            }
            if let logic = entry.raw["logic"], logic != "and", logic != "or" {
                let shown = PHPText.scalarText(logic).map(PHPCompare.jsonString) ?? "a list or map"
                issues.append(
                    ConditionIssue(
                        index: index, field: "logic",
                        reason: "\(shown) counts as \"and\"; write \"or\" (lower-case, no spaces) to join this condition to the next with OR",
                        severity: .warning))
            }
        }
        return issues
    }

    static let typeHelp = "use \"1\" (visitor message contains), \"3\" (compare attribute) or \"4\" (start of OR)"
    static let operatorHelp = ConditionOperator.allCases.map(\.rawValue).joined(separator: ", ")

    func compareIssues(_ entry: ConditionEntry) -> [ConditionIssue] {
        var issues: [ConditionIssue] = []
        let index = entry.index
        let op: ConditionOperator?
        switch entry.raw["condition"] {
        case nil, .null?:
            op = nil
            issues.append(ConditionIssue(index: index, field: "condition", reason: "missing operator; use one of \(Self.operatorHelp)"))
        case .string(let text)?:
            op = ConditionOperator(rawValue: text)
            if op == nil {
                issues.append(
                    ConditionIssue(
                        index: index, field: "condition",
                        reason: "unknown operator \(PHPCompare.jsonString(text)); use one of \(Self.operatorHelp) (exact, lower-case)"))
            }
        default:
            op = nil
            issues.append(ConditionIssue(index: index, field: "condition", reason: "must be an operator name such as \"eq\""))
        }
        if entry.raw["attr"] == nil {
            issues.append(ConditionIssue(index: index, field: "attr", reason: "missing; the left side is then empty text", severity: .warning))
        }
        for field in ["attr", "value"] {
            guard let text = entry.text(field) else {
                issues.append(ConditionIssue(index: index, field: field, reason: "must be text"))
                continue
            }
            issues += Self.sideIssues(text, index: index, field: field, textOperator: op?.isTextOperator(.continuous) ?? false)
        }
        if let op, op == .like || op == .notlike, let pattern = entry.text("value"), PHPCompare.trim(pattern).isEmpty {
            let effect = op == .like ? "never matches" : "always passes"
            issues.append(ConditionIssue(index: index, field: "value", reason: "an empty pattern \(effect)", severity: .warning))
        }
        return issues
    }

    /// Placeholder syntax and arithmetic of one side.
    static func sideIssues(_ text: String, index: Int, field: String, textOperator: Bool) -> [ConditionIssue] {
        var issues: [ConditionIssue] = []
        guard text.utf8.count <= ConditionLimits.maxSideLength else {
            return [
                ConditionIssue(
                    index: index, field: field, reason: "is \(text.utf8.count) bytes long, over the limit of \(ConditionLimits.maxSideLength)")
            ]
        }
        let bytes = Array(text.utf8)
        let matches = PlaceholderScanner.argsMatches(in: bytes)
        var from = 0
        var nextMatch = 0
        while let start = PlaceholderScanner.firstIndex(of: PlaceholderScanner.argsPrefix, in: bytes, from: from) {
            // Matches are sorted and disjoint: skip those that end before `start` (linear overall, not quadratic).
            while nextMatch < matches.count, matches[nextMatch].range.upperBound <= start { nextMatch += 1 }
            if nextMatch == matches.count || !matches[nextMatch].range.contains(start) {
                issues.append(
                    ConditionIssue(
                        index: index, field: field,
                        reason: "unbalanced placeholder braces at byte \(start): `{args.` must be closed by `}`, "
                            + "and any `{` inside must open another `{args.…}`"))
                break
            }
            from = start + 1
        }
        if let long = matches.first(where: { bytes[$0.pathRange].count(where: { $0 == UInt8(ascii: ".") }) >= DotPath.maxSegments }) {
            issues.append(
                ConditionIssue(
                    index: index, field: field,
                    reason: "the placeholder at byte \(long.range.lowerBound) has more than \(DotPath.maxSegments) path segments"))
        }
        for near in ["{Args.", "{ARGS.", "{ args.", "{args .", "{Time}", "{ time}", "{time }"]
        where PlaceholderScanner.contains(bytes, Array(near.utf8)) {
            issues.append(
                ConditionIssue(
                    index: index, field: field,
                    reason: "`\(near)` is not a placeholder; write `{args.PATH}` or `{time}` exactly (lower-case, no spaces)"))
        }
        // Saved as the reference would (it compares the text as written), but never what was meant.
        if PlaceholderScanner.contains(bytes, Array("{{args.".utf8)) {
            issues.append(
                ConditionIssue(
                    index: index, field: field,
                    reason: "`{{args.…}}` is the Rest API template syntax; in a condition it leaves a literal `{…}` around the value. "
                        + "Write `{args.PATH}` with single braces", severity: .warning))
        }
        if PlaceholderScanner.contains(bytes, Array("{arg.".utf8)) {
            issues.append(
                ConditionIssue(
                    index: index, field: field, reason: "`{arg.` is not a placeholder and is compared as literal text; did you mean `{args.`?",
                    severity: .warning))
        }
        guard !textOperator else { return issues }
        // The arithmetic the side will get once its placeholders are numbers: placeholders and `{time}` become 1.
        var symbols: [UInt8] = []
        var cursor = 0
        for match in matches {
            symbols += bytes[cursor..<match.range.lowerBound]
            symbols += Array("1".utf8)
            cursor = match.range.upperBound
        }
        symbols += bytes[cursor...]
        let substituted = PlaceholderScanner.replaceAll(PlaceholderScanner.timeToken, with: Array("1".utf8), in: symbols)
        let stripped = substituted.filter { !SidePipeline.isWhitespace($0) }
        guard !stripped.isEmpty, stripped.allSatisfy({ SidePipeline.isArithmetic($0, keepsPercent: true) }) else { return issues }
        do {
            let expression = try ArithmeticExpression(parsing: String(decoding: stripped, as: UTF8.self))
            if matches.isEmpty, !PlaceholderScanner.contains(bytes, PlaceholderScanner.timeToken) {
                do {
                    _ = try expression.evaluate()
                } catch {
                    issues.append(ConditionIssue(index: index, field: field, reason: "\(error): the hook evaluator stops the event here"))
                }
            }
        } catch {
            if case .limit(let message) = error {
                issues.append(ConditionIssue(index: index, field: field, reason: "\(message); shorten or flatten the expression"))
                return issues
            }
            issues.append(
                ConditionIssue(
                    index: index, field: field,
                    reason: "arithmetic syntax error (\(error)): compared as plain text, and the continuous mail cron stops on it"))
        }
        return issues
    }
}
