import Testing

@testable import HookworkCore

/// PHP 8's loose comparison and string-to-number rules (spec §4.7).
@Suite("PHP loose comparison")
struct PHPCompareTests {
    @Test(
        "string == string",
        arguments: [
            ("1", "01", true),
            ("1", "1.0", true),
            ("1", " 1", true),
            ("1", "1 ", true),  // PHP 8 allows trailing whitespace
            ("1e1", "10", true),
            (".5", "0.5", true),
            ("1e3", "1000", true),
            ("-0", "0", true),
            ("abc", "abc", true),
            ("abc", "ABC", false),
            ("0", "", false),
            ("", "0", false),
            ("null", "0", false),
            ("0x10", "16", false),
            ("1abc", "1", false),
            ("John Smith", "JohnSmith", false),
            ("9223372036854775807", "9223372036854775808", false),  // an int against an overflowed integer
            ("1e1000", "2e1000", false),  // both infinite: compared as text
            ("caf\u{E9}", "cafe\u{301}", false),  // composed and decomposed accents are different bytes
        ])
    func looseEquals(_ lhs: String, _ rhs: String, _ equal: Bool) {
        #expect(PHPCompare.looseEquals(lhs, rhs) == equal)
        #expect(PHPCompare.looseEquals(rhs, lhs) == equal)
    }

    @Test(
        "an int against a string gives the same answer as its decimal text",
        arguments: ["5", "05", "5.0", " 5", "5abc", "", "x", "5e0", "9223372036854775808"])
    func intAgainstString(_ text: String) {
        #expect(PHPCompare.looseEquals(5, text) == PHPCompare.looseEquals("5", text))
    }

    @Test(
        "numeric strings",
        arguments: [
            (" 1", PHPNumberValue?.some(.int(1))),
            ("1 ", .int(1)),
            ("-12", .int(-12)),
            ("+7", .int(7)),
            ("1.0", .double(1)),
            ("1.", .double(1)),
            ("-.5", .double(-0.5)),
            ("1e1", .double(10)),
            ("abc", nil),
            ("", nil),
            (".", nil),
            ("1e", nil),
            ("0x1A", nil),
            ("1 2", nil),
        ])
    func numeric(_ text: String, _ expected: PHPNumberValue?) {
        #expect(PHPCompare.numeric(text)?.value == expected)
    }

    @Test(
        "(float) takes the leading number",
        arguments: [
            ("12abc", 12.0), ("abc", 0), ("3.5", 3.5), ("1e3x", 1000), (".5", 0.5), ("-", 0), ("0x1A", 0), ("1e", 1), ("-2.5e-1", -0.25),
        ])
    func leadingFloat(_ text: String, _ expected: Double) {
        #expect(PHPCompare.leadingFloat(text) == expected)
    }

    @Test(
        "round() to 3 places, half away from zero, with PHP's pre-rounding",
        arguments: [
            (1.0005, 1.001), (1.0004, 1.0), (-1.0005, -1.001), (1732449940.0, 1732449940.0), (0.1 + 0.2, 0.3), (2.5e-4, 0.0), (5e-4, 0.001),
            (123456789012.3456, 123456789012.346),
        ])
    func round(_ value: Double, _ expected: Double) {
        #expect(PHPCompare.round(value, places: 3) == expected)
    }

    @Test("round() leaves integers below 1e15 alone, which the integer shortcut relies on")
    func roundIntegers() {
        for value in [0.0, 7, -7, 999, 1_000_000_007, 1_732_450_000, 99_999_999_999_999, -123_456_789_012_345, 999_999_999_999_999] {
            #expect(PHPCompare.round(value, places: 3) == value)
        }
    }

    @Test("trim() strips PHP's default set, which has \\0 and \\v but not \\f")
    func trim() {
        #expect(PHPCompare.trim(" \t\n\r\0\u{0B}x \u{0C}") == "x \u{0C}")
        #expect(PHPCompare.trim("x") == "x")
    }

    @Test("strtolower() is ASCII-only")
    func lowercase() {
        #expect(PHPCompare.asciiLowercase("ÄBC Def") == "Äbc def")
    }

    @Test("json_encode() of strings escapes slashes and non-ASCII")
    func json() {
        #expect(PHPCompare.jsonString("a/b \"c\" é") == #""a\/b \"c\" \u00e9""#)
    }
}
