/// Steps 3 of the type-3 pipeline (spec §4.4) on a side whose placeholders and `{time}` are already substituted.
enum SidePipeline {
    /// Whitespace removal and arithmetic, unless the operator keeps text.
    ///
    /// `preg_replace('/\s+/', '', …)` deletes ASCII whitespace. The side is evaluated when it is non-empty and made
    /// only of the characters the filter keeps. A parse error leaves it as it was; a division by zero is raised in
    /// the hook flavour and ignored (side unchanged) in the continuous one (spec §4.8). Arithmetic past
    /// `ArithmeticExpression`'s limits is a fault in both.
    static func finish(_ text: String, textOperator: Bool, flavor: ConditionFlavor) -> SideValue {
        if textOperator { return .value(.string(text)) }
        let stripped: String
        if text.utf8.contains(where: isWhitespace) {
            stripped = String(decoding: text.utf8.filter { !isWhitespace($0) }, as: UTF8.self)
        } else {
            stripped = text
        }
        guard !stripped.isEmpty, stripped.utf8.allSatisfy({ isArithmetic($0, keepsPercent: flavor.keepsPercent) }) else {
            return .value(.string(stripped))
        }
        if let integer = plainInteger(stripped.utf8) { return .value(.int(integer)) }
        let expression: ArithmeticExpression
        do {
            expression = try ArithmeticExpression(parsing: stripped)
        } catch {
            // Past the parser's limits the side is neither evaluated nor compared: the condition is false, and the
            // trace says why (DESIGN §5 deviation 1). A PHP parse error leaves the side as it was.
            if case .limit = error { return .fault(error.description) }
            return .value(.string(stripped))
        }
        do {
            return .value(try expression.evaluate())
        } catch {
            return flavor == .hook ? .fault(error.description) : .value(.string(stripped))
        }
    }

    /// Digits without a leading zero (or `"0"`), short enough for an `Int`: what PHP's scanner reads as that int.
    @inline(__always)
    static func plainInteger<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
        guard let first = bytes.first, bytes.count <= 18, first &- 0x30 < 10, first != 0x30 || bytes.count == 1 else { return nil }
        var value = 0
        for byte in bytes {
            let digit = byte &- 0x30
            guard digit < 10 else { return nil }
            value = value &* 10 &+ Int(digit)
        }
        return value
    }

    /// PCRE's `\s` without the `u` flag: space, `\t`, `\n`, `\v`, `\f`, `\r`.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    /// The characters the arithmetic filter keeps: digits and `( ) . * - / +`, and `%` in the continuous copies.
    @inline(__always)
    static func isArithmetic(_ byte: UInt8, keepsPercent: Bool) -> Bool {
        switch byte {
        case 0x30...0x39, UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "."), UInt8(ascii: "*"), UInt8(ascii: "-"),
            UInt8(ascii: "/"), UInt8(ascii: "+"):
            return true
        case UInt8(ascii: "%"):
            return keepsPercent
        default:
            return false
        }
    }

    /// `str_replace('{time}', $now, $text)`.
    static func replacingTime(_ text: String, now: Int) -> String {
        let bytes = Array(text.utf8)
        guard PlaceholderScanner.contains(bytes, PlaceholderScanner.timeToken) else { return text }
        return String(decoding: PlaceholderScanner.replaceAll(PlaceholderScanner.timeToken, with: Array(String(now).utf8), in: bytes), as: UTF8.self)
    }
}
