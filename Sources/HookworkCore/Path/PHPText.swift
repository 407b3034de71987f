/// The text a found value turns into when it is spliced into a condition (spec §4.5, conformance README).
public enum PHPText {
    /// The text form of `value` at a node of `kind`, or nil when the reference has none (it raised an error).
    ///
    /// Scalars: ints in decimal, floats in PHP's 14-digit form, `true` -> `"1"`, `false` -> `""`. Model objects with a
    /// `__toString`: a department gives its name, an operator `"username (email)"`, a mail message its subject and a
    /// conversation its mail. Every other object, list or map has none.
    public static func text(of value: JSONValue, kind: NodeKind) -> String? {
        if let text = scalarText(value) { return text }
        guard case .object(let object) = value else { return nil }
        switch kind {
        case .department: return member(object, "name")
        case .operator: return "\(member(object, "username")) (\(member(object, "email")))"
        case .mailMessage: return member(object, "subject")
        case .conversation: return member(object, "mail")
        default: return nil
        }
    }

    /// The PHP string cast of a scalar; nil for lists and maps.
    public static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .null: return ""
        case .bool(let flag): return flag ? "1" : ""
        case .int(let integer): return String(integer)
        case .double(let double): return PHPNumber.string(double)
        case .string(let string): return string
        case .array, .object: return nil
        }
    }

    private static func member(_ object: JSONObject, _ key: String) -> String {
        object[key].flatMap(scalarText) ?? ""
    }
}
