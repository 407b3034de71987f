import Foundation

/// Business time in the condition and bot-text dialects (README "Business hours"): `{business_time}` is the chat's
/// calendar's business clock now, `{in_business_hours}` is 1 inside an opening interval and 0 outside, and a
/// timestamp path written with the `__business` suffix (`{args.chat.last_user_msg_time__business}`) reads that time on
/// the same clock.
///
/// They reach the evaluator as chat members the engine derives for each chat it evaluates (`business_time`,
/// `in_business_hours`, and `<path>__business` beside each timestamp a webhook converts), so the reference's
/// placeholder, arithmetic and comparison rules apply unchanged; `{business_time}` is written `{args.chat.business_time}`
/// before compiling, and either spelling works.
public enum BusinessTime {
    /// The derived chat member of `{business_time}`.
    public static let clockMember = "business_time"
    /// The derived chat member of `{in_business_hours}`.
    public static let openMember = "in_business_hours"
    /// The suffix that converts a timestamp path to the business clock.
    public static let suffix = "__business"
    /// The most converted paths a webhook may name (each costs a conversion per chat and pass).
    public static let maxPaths = 32

    /// `text` with `{business_time}` and `{in_business_hours}` written as the chat members they read.
    public static func rewritten(_ text: String) -> String {
        guard text.contains("{business_time}") || text.contains("{in_business_hours}") else { return text }
        return text.replacingOccurrences(of: "{business_time}", with: "{args.chat.\(clockMember)}")
            .replacingOccurrences(of: "{in_business_hours}", with: "{args.chat.\(openMember)}")
    }

    /// Every text of `conditions` rewritten (`rewritten(_:)`); other values as they are.
    public static func rewritten(conditions: JSONValue) -> JSONValue {
        guard reads(conditions) else { return conditions }
        guard case .array(let items) = conditions else { return conditions }
        return .array(
            items.map { item in
                guard case .object(let object) = item else { return item }
                var out = JSONObject()
                for (key, value) in object {
                    if case .string(let text) = value { out[key] = .string(rewritten(text)) } else { out[key] = value }
                }
                return .object(out)
            })
    }

    /// Whether `conditions` read business time at all.
    public static func reads(_ conditions: JSONValue) -> Bool {
        texts(conditions).contains { $0.contains("business_time}") || $0.contains("in_business_hours}") || $0.contains(suffix + "}") }
    }

    /// The timestamp paths the conditions convert, after `args.` and without the suffix, as segments
    /// (`{args.chat.last_user_msg_time__business}` gives `["chat", "last_user_msg_time"]`); at most `maxPaths`.
    public static func convertedPaths(in conditions: JSONValue) -> [[String]] {
        var found: [[String]] = []
        for text in texts(conditions) where text.contains(suffix) {
            var rest = Substring(text)
            while let open = rest.range(of: "{args."), found.count < maxPaths {
                let after = rest[open.upperBound...]
                guard let close = after.firstIndex(of: "}") else { break }
                let path = after[..<close]
                rest = after[after.index(after: close)...]
                guard path.hasSuffix(suffix) else { continue }
                let segments = path.dropLast(suffix.count).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                guard !segments.isEmpty, segments.count <= 16,
                    segments.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } })
                else { continue }
                if !found.contains(segments) { found.append(segments) }
            }
        }
        return found
    }

    /// The texts of the conditions' items (attribute, value, ...).
    static func texts(_ conditions: JSONValue) -> [String] {
        guard case .array(let items) = conditions else { return [] }
        return items.flatMap { item -> [String] in
            guard case .object(let object) = item else { return [] }
            return object.compactMap(\.value.stringValue)
        }
    }
}
