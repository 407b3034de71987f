import HookworkCore
import Testing

@Suite("The one loose integer reader")
struct LooseIntTests {
    @Test(
        "ints, integral floats, booleans and numeric strings are integers; anything else is not",
        arguments: [
            (JSONValue.int(2), 2), (.double(2.0), 2), (.double(-3), -3), (.bool(true), 1), (.bool(false), 0), (.string("2"), 2), (.string(" 2 "), 2),
            (.string("2.0"), 2), (.string("\t5\n"), 5), (.string("1e3"), 1000), (.string("-7"), -7),
        ] as [(JSONValue, Int)])
    func integers(value: JSONValue, expected: Int) {
        #expect(value.looseInt == expected)
    }

    @Test(
        "fractions, words, empty text, huge and non-finite numbers, null, arrays and objects are not integers",
        arguments: [
            JSONValue.double(2.5), .string("2.5"), .string("two"), .string(""), .string("  "), .string("1e30"), .string("inf"), .string("nan"), .null,
            .array([.int(1)]), .object(["a": 1]), .double(1e30),
        ])
    func notIntegers(value: JSONValue) {
        #expect(value.looseInt == nil)
    }
}
