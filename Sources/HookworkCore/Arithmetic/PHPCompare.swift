import Foundation

/// PHP 8's string-to-number rules and loose comparison as the condition operators use them (spec §4.6, §4.7).
///
/// Everything works on UTF-8 bytes, as PHP does: Swift's `String ==` (canonical equivalence) would call composed
/// and decomposed accents equal, PHP does not.
public enum PHPCompare {
    /// A string that PHP's `is_numeric_string` accepts, with the value it stands for.
    public struct NumericString: Sendable, Equatable {
        /// The value: an integer when the text is an integer that fits in 64 bits, otherwise a float.
        public var value: PHPNumberValue
        /// +1 or -1 when the integer part has too many digits for an `int` (PHP's `oflow`), else 0.
        public var overflow: Int
        /// Whether text other than whitespace follows the number (only reported when errors are allowed).
        public var trailingData: Bool
    }

    /// `$a == $b` for two PHP strings (`zendi_smart_str_equals`): numerically when both are numeric strings, else
    /// byte for byte.
    public static func looseEquals(_ lhs: String, _ rhs: String) -> Bool {
        if lhs.utf8.elementsEqual(rhs.utf8) { return true }
        // Fast path of `zend_fast_equal_strings`: a string starting above '9' can never be numeric.
        guard let first = lhs.utf8.first, let other = rhs.utf8.first, first <= 0x39, other <= 0x39 else { return false }
        guard let left = numeric(lhs), let right = numeric(rhs) else { return false }
        return numericEquals(left, right, lhs, rhs)
    }

    /// The numeric-string comparison of `zendi_smart_str_equals`, including its overflow rules.
    static func numericEquals(_ left: NumericString, _ right: NumericString, _ lhs: String, _ rhs: String) -> Bool {
        switch (left.value, right.value) {
        case (.int(let a), .int(let b)):
            return a == b
        case (.int(let a), .double(let b)):
            if right.overflow != 0 { return false }
            return Double(a) == b
        case (.double(let a), .int(let b)):
            if left.overflow != 0 { return false }
            return a == Double(b)
        case (.double(let a), .double(let b)):
            // Integers that overflowed to the same side, or equal infinities, compare as text.
            if left.overflow != 0 && left.overflow == right.overflow && a - b == 0 { return lhs.utf8.elementsEqual(rhs.utf8) }
            if a == b && !a.isFinite { return lhs.utf8.elementsEqual(rhs.utf8) }
            return a == b
        }
    }

    /// `$int == $string` without building the int's text: the same answer as `looseEquals(String(value), text)`.
    public static func looseEquals(_ value: Int, _ text: String) -> Bool {
        guard let first = text.utf8.first, first <= 0x39, let parsed = numeric(text) else { return false }
        switch parsed.value {
        case .int(let other): return value == other
        case .double(let other): return parsed.overflow == 0 && Double(value) == other
        }
    }

    /// PHP's `is_numeric_string_ex`: leading whitespace, a sign, digits, a decimal point, an exponent and trailing
    /// whitespace. With `allowErrors`, a leading number followed by other text is accepted and flagged.
    public static func numeric(_ text: String, allowErrors: Bool = false) -> NumericString? {
        var text = text
        return text.withUTF8 { numeric(bytes: $0, allowErrors: allowErrors) }
    }

    /// `numeric(_:allowErrors:)` over raw bytes.
    static func numeric(bytes: UnsafeBufferPointer<UInt8>, allowErrors: Bool) -> NumericString? {
        let count = bytes.count
        var position = 0
        while position < count, isNumericWhitespace(bytes[position]) { position += 1 }
        let start = position
        var negative = false
        if position < count, bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            negative = bytes[position] == UInt8(ascii: "-")
            position += 1
        }
        let digitsStart = position
        while position < count, isDigit(bytes[position]) { position += 1 }
        let integerDigitsEnd = position
        var isInteger = true
        var sawDigit = integerDigitsEnd > digitsStart
        if position < count, bytes[position] == UInt8(ascii: ".") {
            let afterPoint = position + 1
            var scan = afterPoint
            while scan < count, isDigit(bytes[scan]) { scan += 1 }
            if sawDigit || scan > afterPoint {
                isInteger = false
                sawDigit = true
                position = scan
            }
        }
        guard sawDigit else { return nil }
        if position < count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            var scan = position + 1
            if scan < count, bytes[scan] == UInt8(ascii: "-") || bytes[scan] == UInt8(ascii: "+") { scan += 1 }
            let exponentStart = scan
            while scan < count, isDigit(bytes[scan]) { scan += 1 }
            if scan > exponentStart {
                isInteger = false
                position = scan
            }
        }
        let numberEnd = position
        while position < count, isNumericWhitespace(bytes[position]) { position += 1 }
        let trailing = position != count
        if trailing && !allowErrors { return nil }

        // Digits of the integer part after leading zeros: 20 or more means PHP gave up on an int (`oflow`).
        var significant = digitsStart
        while significant < integerDigitsEnd, bytes[significant] == UInt8(ascii: "0") { significant += 1 }
        let overflowSign = negative ? -1 : 1
        var overflow = integerDigitsEnd - significant >= 20 ? overflowSign : 0
        if isInteger {
            var value = 0
            var fits = overflow == 0
            if fits {
                for index in significant..<integerDigitsEnd {
                    let digit = Int(bytes[index] - 0x30)
                    let (times, o1) = value.multipliedReportingOverflow(by: 10)
                    let (plus, o2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
                    if o1 || o2 {
                        fits = false
                        break
                    }
                    value = plus
                }
            }
            if fits { return NumericString(value: .int(value), overflow: 0, trailingData: trailing) }
            overflow = overflowSign
        }
        let double = parseDouble(UnsafeBufferPointer(rebasing: bytes[start..<numberEnd]))
        return NumericString(value: .double(double), overflow: overflow, trailingData: trailing)
    }

    /// `(float)$string` (`zend_strtod` on the text): the leading number, or 0 when there is none.
    public static func leadingFloat(_ text: String) -> Double {
        var text = text
        return text.withUTF8 { bytes in
            let count = bytes.count
            var position = 0
            while position < count, isNumericWhitespace(bytes[position]) { position += 1 }
            let start = position
            if position < count, bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") { position += 1 }
            let digitsStart = position
            while position < count, isDigit(bytes[position]) { position += 1 }
            var sawDigit = position > digitsStart
            if position < count, bytes[position] == UInt8(ascii: ".") {
                var scan = position + 1
                let fractionStart = scan
                while scan < count, isDigit(bytes[scan]) { scan += 1 }
                if sawDigit || scan > fractionStart {
                    sawDigit = true
                    position = scan
                }
            }
            guard sawDigit else { return 0 }
            if position < count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                var scan = position + 1
                if scan < count, bytes[scan] == UInt8(ascii: "-") || bytes[scan] == UInt8(ascii: "+") { scan += 1 }
                let exponentStart = scan
                while scan < count, isDigit(bytes[scan]) { scan += 1 }
                if scan > exponentStart { position = scan }
            }
            return parseDouble(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        }
    }

    /// Converts already-validated decimal float text (`-1.5e3`, `.5`, `7.`) with correct rounding.
    static func parseDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double {
        // Swift's parser also reads hex and "inf"; the caller only passes decimal text, so this is strtod's answer.
        Double(String(decoding: bytes, as: UTF8.self)) ?? 0
    }

    /// PHP's `round($value, $places)` with the pre-rounding of PHP 5.3-8.3 (`_php_math_round`, half away from zero).
    public static func round(_ value: Double, places: Int) -> Double {
        guard value.isFinite, value != 0 else { return value }
        // Integers below 1e15 come back unchanged: every intermediate product is an exact integer below 2^53.
        if places >= 0, Swift.abs(value) < 1e15, value == value.rounded(.towardZero) { return value }
        let precisionPlaces = 14 - Int(Foundation.floor(log10(Swift.abs(value))))
        let f1 = intPow10(Swift.abs(places))
        var temporary: Double
        if precisionPlaces > places && precisionPlaces - 15 < places {
            let usePrecision = max(precisionPlaces, Int(Int32.min) + 1)
            temporary = roundHelper(basic(value, places: usePrecision))
            let rest = max(places - usePrecision, Int(Int32.min) + 1)
            // places < precisionPlaces, so this divides the pre-rounded digits back down.
            temporary = temporary / intPow10(Swift.abs(rest))
        } else {
            temporary = places >= 0 ? value * f1 : value / f1
            if Swift.abs(temporary) >= 1e15 { return value }
        }
        temporary = roundHelper(temporary)
        if Swift.abs(places) < 23 {
            temporary = places > 0 ? temporary / f1 : temporary * f1
        } else {
            let text = String(format: "%15fe%d", temporary, -places)
            guard let parsed = Double(text.trimmingCharacters(in: .whitespaces)), parsed.isFinite else { return value }
            temporary = parsed
        }
        return temporary
    }

    static func basic(_ value: Double, places: Int) -> Double {
        let factor = intPow10(Swift.abs(places))
        return places >= 0 ? value * factor : value / factor
    }

    static func roundHelper(_ value: Double) -> Double {
        value >= 0 ? Foundation.floor(value + 0.5) : Foundation.ceil(value - 0.5)
    }

    static func intPow10(_ power: Int) -> Double {
        if power < 0 || power > 22 { return Foundation.pow(10.0, Double(power)) }
        return powersOfTen[power]
    }

    private static let powersOfTen: [Double] = (0...22).map { Foundation.pow(10.0, Double($0)) }

    /// PHP's `trim()` with its default set: space, `\t`, `\n`, `\r`, `\0` and `\x0B` (not `\f`).
    public static func trim(_ text: String) -> String {
        let utf8 = text.utf8
        guard let first = utf8.first, let last = utf8.last, isTrimmed(first) || isTrimmed(last) else { return text }
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, isTrimmed(utf8[start]) { start = utf8.index(after: start) }
        while end > start, isTrimmed(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        return String(Substring(utf8[start..<end]))
    }

    /// PHP 8.2's `strtolower()`: ASCII letters only, whatever the locale.
    public static func asciiLowercase(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return text }
        return String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// PHP's `json_encode()` of a string with default flags: `/` escaped, non-ASCII as lower-case `\uXXXX`.
    public static func jsonString(_ text: String) -> String {
        var out = "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x2F: out += "\\/"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    /// The whitespace PHP allows around a numeric string: space, `\t`, `\n`, `\r`, `\v`, `\f`.
    @inline(__always) static func isNumericWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    @inline(__always) static func isTrimmed(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x00 || byte == 0x0B
    }
}

/// A PHP number: an `int` or a `float`.
public enum PHPNumberValue: Sendable, Hashable {
    /// A 64-bit PHP `int`.
    case int(Int)
    /// A PHP `float`.
    case double(Double)
}
