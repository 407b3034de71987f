/// PHP 8's loose (`==`) comparison and numeric-string rules, spec §4.7.
public enum PHPLoose {
    /// The number a PHP "numeric string" stands for (`" 1"`, `"1.0"`, `"1e1"`, `"-.5 "`), or nil when it is not one.
    ///
    /// Leading and trailing whitespace (space, \t, \n, \r, \v, \f) is allowed, as in PHP 8.
    public static func numericValue(_ text: String) -> JSONValue? {
        var utf8 = text.utf8[...]
        while let first = utf8.first, isWhitespace(first) { utf8 = utf8.dropFirst() }
        while let last = utf8.last, isWhitespace(last) { utf8 = utf8.dropLast() }
        guard !utf8.isEmpty else { return nil }
        var position = utf8.startIndex
        var sawDigit = false
        var isInteger = true
        if utf8[position] == UInt8(ascii: "+") || utf8[position] == UInt8(ascii: "-") { position = utf8.index(after: position) }
        while position < utf8.endIndex, isDigit(utf8[position]) {
            sawDigit = true
            position = utf8.index(after: position)
        }
        if position < utf8.endIndex, utf8[position] == UInt8(ascii: ".") {
            isInteger = false
            position = utf8.index(after: position)
            while position < utf8.endIndex, isDigit(utf8[position]) {
                sawDigit = true
                position = utf8.index(after: position)
            }
        }
        guard sawDigit else { return nil }
        if position < utf8.endIndex, utf8[position] == UInt8(ascii: "e") || utf8[position] == UInt8(ascii: "E") {
            isInteger = false
            position = utf8.index(after: position)
            if position < utf8.endIndex, utf8[position] == UInt8(ascii: "+") || utf8[position] == UInt8(ascii: "-") {
                position = utf8.index(after: position)
            }
            var sawExponentDigit = false
            while position < utf8.endIndex, isDigit(utf8[position]) {
                sawExponentDigit = true
                position = utf8.index(after: position)
            }
            guard sawExponentDigit else { return nil }
        }
        guard position == utf8.endIndex else { return nil }
        let body = String(Substring(utf8))
        if isInteger, let integer = Int(body.hasPrefix("+") ? String(body.dropFirst()) : body) { return .int(integer) }
        guard let double = Double(body) else { return nil }
        return .double(double)
    }

    /// `$a == $b` for two strings: numerically when both are numeric strings, else byte for byte.
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        // One implementation of PHP's string comparison: byte-exact, with its integer-overflow rules.
        PHPCompare.looseEquals(lhs, rhs)
    }

    /// `$value == $text` for a decoded JSON value against a string, with PHP 8 rules.
    public static func equals(_ value: JSONValue, _ text: String) -> Bool {
        switch value {
        case .null: return text.isEmpty
        case .bool(let flag): return flag == isTruthy(text)
        case .string(let string): return equals(string, text)
        case .int, .double:
            if let number = numericValue(text) { return numbersEqual(value, number) }
            return PHPNumber.string(value) == text
        case .array, .object: return false
        }
    }

    /// PHP's truthiness of a string: everything but `""` and `"0"`.
    public static func isTruthy(_ text: String) -> Bool { !(text.isEmpty || text == "0") }

    static func numbersEqual(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        if case .int(let left) = lhs, case .int(let right) = rhs { return left == right }
        guard let left = lhs.doubleValue, let right = rhs.doubleValue else { return false }
        return left == right
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    @inline(__always) static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }
}

extension PHPLoose {
    /// PHP's truthiness of a decoded JSON value.
    public static func isTruthyValue(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return false
        case .bool(let flag): return flag
        case .int(let integer): return integer != 0
        case .double(let double): return double != 0
        case .string(let string): return isTruthy(string)
        case .array(let list): return !list.isEmpty
        case .object(let object): return !object.isEmpty
        }
    }
}
