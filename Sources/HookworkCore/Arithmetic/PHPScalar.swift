/// A PHP scalar as the condition pipeline handles it: an `int`, a `float` or a `string` (spec §4.4).
public enum PHPScalar: Sendable, Hashable {
    /// A PHP `int` (64-bit).
    case int(Int)
    /// A PHP `float`.
    case double(Double)
    /// A PHP `string` (bytes; Hookwork's strings are UTF-8).
    case string(String)

    /// `(string)$value`: ints in decimal, floats in PHP's 14-significant-digit form (`precision = 14`).
    public var text: String {
        switch self {
        case .int(let value): return String(value)
        case .double(let value): return PHPNumber.string(value)
        case .string(let value): return value
        }
    }

    /// `(float)$value`: strings take their leading number (`"12abc"` -> 12, `"abc"` -> 0).
    public var floatValue: Double {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        case .string(let value): return PHPCompare.leadingFloat(value)
        }
    }

    /// `json_encode($value)` as the reference's debug trace prints it (spec §5.5).
    public var jsonText: String {
        switch self {
        case .int(let value): return String(value)
        case .double(let value): return value.isFinite ? PHPNumber.json(value) : "0"
        case .string(let value): return PHPCompare.jsonString(value)
        }
    }
}
