import HookworkCore

/// A cheap first check for a continuous chat webhook: the conditions of its configuration that compare one chat
/// attribute with a constant (`{args.chat.status} eq 5`), evaluated alone before the whole list.
///
/// Only built when the configuration is one group of conditions joined by "and" (no "Start of OR", no `"logic":"or"`):
/// the group holds only if every condition holds, and a compare-attribute condition's verdict does not depend on the
/// others (only "Visitor message contains" moves a cursor), so a chat that fails the prefilter fails the webhook.
/// The prefilter is evaluated by the same engine as the whole list, so its verdict is the same one the full
/// evaluation would reach for those conditions.
enum ContinuousPrefilter {
    /// The prefilter list of `configuration`, or nil when it has none or cannot have one.
    static func list(for configuration: JSONValue) -> ConditionList? {
        guard case .array(let items) = configuration, !items.isEmpty else { return nil }
        var candidates: [JSONValue] = []
        for item in items {
            let type = item["type"] ?? .null
            if PHPLoose.equals(type, "4") { return nil }
            if let logic = item["logic"], PHPLoose.equals(logic, "or") { return nil }
            guard PHPLoose.equals(type, "3"), let attr = item["attr"]?.stringValue, let value = item["value"], Self.isConstant(value),
                Self.isSinglePlaceholder(attr)
            else { continue }
            candidates.append(item)
        }
        // Nothing to gain when every condition is already in the prefilter.
        guard !candidates.isEmpty, candidates.count < items.count else { return nil }
        return try? ConditionList(configuration: .array(candidates))
    }

    /// `{args.chat.name}` with a plain member name (letters, digits, `_`, `.`) that does not change with the time.
    static func isSinglePlaceholder(_ text: String) -> Bool {
        guard text.hasPrefix("{args.chat."), text.hasSuffix("}") else { return false }
        let path = text.dropFirst("{args.chat.".count).dropLast()
        // `wait_time_seconds` and business time move with the clock, and a remembered verdict must not.
        guard !path.hasPrefix("wait_time_seconds"), !path.hasPrefix(BusinessTime.clockMember), !path.hasPrefix(BusinessTime.openMember),
            !path.contains(BusinessTime.suffix)
        else { return false }
        return !path.isEmpty && path.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
    }

    /// A side without placeholders, so the prefilter's verdict does not depend on the time.
    static func isConstant(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): return !text.contains("{")
        case .int, .double, .bool: return true
        default: return false
        }
    }
}

/// The prefilter verdicts of one assembled chat, per webhook position, kept while the chat is unchanged: they do not
/// depend on the time, so a pass evaluates a prefilter only for chats that changed since the last one.
///
/// Mutable state shared between tasks only by hand-off: a pass gives each chat to exactly one evaluating task, and a
/// chat that changes gets a new memo.
final class PrefilterMemo: @unchecked Sendable {
    /// The webhook list the verdicts belong to.
    private var signature = 0
    /// 0 unknown, 1 passes, 2 fails.
    private var verdicts: [UInt8] = []

    /// The remembered verdict of webhook `index` under `signature`, or nil.
    func verdict(_ index: Int, signature: Int) -> Bool? {
        guard signature == self.signature, index < verdicts.count, verdicts[index] != 0 else { return nil }
        return verdicts[index] == 1
    }

    /// Remembers a verdict.
    func remember(_ index: Int, _ verdict: Bool, signature: Int, count: Int) {
        if signature != self.signature || verdicts.count != count {
            self.signature = signature
            verdicts = Array(repeating: 0, count: count)
        }
        verdicts[index] = verdict ? 1 : 2
    }
}
