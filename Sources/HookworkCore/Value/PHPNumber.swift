import Foundation

/// PHP's ways of turning a float into text (`zend_gcvt`/`php_gcvt`).
public enum PHPNumber {
    /// `(string)$float` under PHP's default `precision = 14`: `1/3` -> `0.33333333333333`, `1e20` -> `1.0E+20`.
    public static func string(_ value: Double) -> String {
        gcvt(value, precision: 14, exponentCharacter: "E")
    }

    /// `json_encode($float)` under `serialize_precision = -1`: the shortest round-trip digits, `1.0e-7`, `0.1`, `2.0` -> `2`.
    public static func json(_ value: Double) -> String {
        gcvt(value, precision: nil, exponentCharacter: "e")
    }

    /// The text form of an integer or float as PHP's string conversion gives it.
    public static func string(_ value: JSONValue) -> String? {
        switch value {
        case .int(let integer): return String(integer)
        case .double(let double): return string(double)
        default: return nil
        }
    }

    /// `php_gcvt`: `precision` nil means "shortest round-trip" (mode 0, exponent threshold 17).
    static func gcvt(_ value: Double, precision: Int?, exponentCharacter: Character) -> String {
        if value.isNaN { return "NAN" }
        if value.isInfinite { return value < 0 ? "-INF" : "INF" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        let (digits, decimalPoint) = precision.map { significantDigits(abs(value), count: $0) } ?? shortestDigits(abs(value))
        let threshold = precision ?? 17
        var out = value < 0 ? "-" : ""
        if decimalPoint < 0 ? decimalPoint < -3 : decimalPoint > threshold {
            let exponent = decimalPoint - 1
            out.append(digits.first!)
            out.append(".")
            out += digits.count > 1 ? String(digits.dropFirst()) : "0"
            out.append(exponentCharacter)
            out += exponent < 0 ? "-" : "+"
            out += String(abs(exponent))
        } else if decimalPoint <= 0 {
            out += "0."
            out += String(repeating: "0", count: -decimalPoint)
            out += digits
        } else {
            let characters = Array(digits)
            for offset in 0..<decimalPoint { out.append(offset < characters.count ? characters[offset] : "0") }
            if characters.count > decimalPoint {
                out.append(".")
                out += String(characters[decimalPoint...])
            }
        }
        return out
    }

    /// Digits (no trailing zeros) and decimal-point position of `value` rounded to `count` significant digits.
    static func significantDigits(_ value: Double, count: Int) -> (String, Int) {
        let text = String(format: "%.\(count - 1)e", value)  // d.ddddde±XX, correctly rounded by the C library
        return splitScientific(text)
    }

    /// Digits and decimal-point position of the shortest text that reads back as `value`.
    static func shortestDigits(_ value: Double) -> (String, Int) {
        // Swift's description is the shortest round-trip form; normalise it to scientific form.
        let text = value.description
        if text.contains("e") { return splitScientific(text) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = integerPart + fraction
        var decimalPoint = integerPart.count
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            decimalPoint -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (digits, decimalPoint)
    }

    private static func splitScientific(_ text: String) -> (String, Int) {
        let parts = text.lowercased().split(separator: "e")
        let mantissa = parts[0].replacingOccurrences(of: ".", with: "")
        let exponent = Int(parts[1]) ?? 0
        var digits = String(mantissa)
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (digits, exponent + 1)
    }
}
