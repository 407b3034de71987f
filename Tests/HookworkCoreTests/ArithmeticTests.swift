import Testing

@testable import HookworkCore

/// PHP 8's `eval` of the characters the condition pipeline keeps (spec §4.4 step 3).
@Suite("PHP arithmetic")
struct ArithmeticTests {
    /// What `eval('$x = ' . TEXT . ';')` leaves in `$x`, as PHP prints it with `(string)`.
    @Test(
        "values and their text form",
        arguments: [
            ("2024-01-01", "2022"),  // 01 is octal 1
            ("+37060000000", "37060000000"),
            ("0.0", "0"),
            ("007", "7"),
            ("0123", "83"),
            ("010", "8"),
            ("1/3", "0.33333333333333"),
            ("1.5*300", "450"),
            ("12345678901234567890", "1.2345678901235E+19"),
            ("6/3", "2"),
            ("7/2", "3.5"),
            ("-2**2", "-4"),
            ("2**-1", "0.5"),
            ("2**3**2", "512"),
            ("(-2)**2", "4"),
            ("2**63", "9.2233720368548E+18"),
            ("9223372036854775807+1", "9.2233720368548E+18"),
            ("10%3", "1"),
            ("-7%3", "-1"),
            ("7.9%3", "1"),
            (".5", "0.5"),
            ("5.", "5"),
            ("1/*2*/+3", "4"),
            ("(1).(2)", "12"),
            ("2*(3+4)", "14"),
            ("1-2-3", "-4"),
            ("2*3%4", "2"),
            ("-(-5)", "5"),
            ("1732450000-60", "1732449940"),
        ])
    func value(_ text: String, _ expected: String) throws {
        #expect(try ArithmeticExpression.evaluate(text).text == expected)
    }

    @Test("int and float results follow PHP: exact division stays an int, overflow becomes a float")
    func types() throws {
        #expect(try ArithmeticExpression.evaluate("6/3") == .int(2))
        #expect(try ArithmeticExpression.evaluate("7/2") == .double(3.5))
        #expect(try ArithmeticExpression.evaluate("0.0") == .double(0))
        #expect(try ArithmeticExpression.evaluate("9223372036854775807*2") == .double(18446744073709551616))
        #expect(try ArithmeticExpression.evaluate("-9223372036854775807-1") == .int(Int.min))
    }

    /// Each of these is a PHP `ParseError`; the pipeline then leaves the side as it was.
    @Test("syntax errors", arguments: ["08", "--5", "1-", "(1+2", "1..2", "...", "1++2", "1//2", "1/*2", "()", "(1)(2)", "1.5.3", "%3", "**2"])
    func syntaxError(_ text: String) {
        #expect(throws: ArithmeticError.self) { try ArithmeticExpression(parsing: text) }
        do {
            _ = try ArithmeticExpression(parsing: text)
        } catch {
            #expect(error.isParseError)
        }
    }

    @Test("an invalid octal literal is PHP's own message")
    func invalidOctal() {
        #expect(throws: ArithmeticError.syntax("Invalid numeric literal")) { try ArithmeticExpression(parsing: "08") }
    }

    @Test("division and modulo by zero are run-time errors, after parsing succeeded")
    func divisionByZero() throws {
        let division = try ArithmeticExpression(parsing: "1/0")
        #expect(throws: ArithmeticError.divisionByZero) { try division.evaluate() }
        let floatDivision = try ArithmeticExpression(parsing: "1/0.0")
        #expect(throws: ArithmeticError.divisionByZero) { try floatDivision.evaluate() }
        let modulo = try ArithmeticExpression(parsing: "5%0")
        #expect(throws: ArithmeticError.moduloByZero) { try modulo.evaluate() }
        #expect(ArithmeticError.divisionByZero.description == "DivisionByZeroError: Division by zero")
    }

    @Test("leaves stand for substituted integers and must lex as numbers of their own")
    func leaves() throws {
        // "{time}-({a}+{b})" with leaf 0 = a, 1 = b, 2 = time.
        let expression = try ArithmeticExpression(symbols: [0x82] + Array("-(".utf8) + [0x80, UInt8(ascii: "+"), 0x81, UInt8(ascii: ")")])
        #expect(try expression.evaluate(leaf: { [1000, 30, 1732450000][$0] }) == .int(1732450000 - 1030))
        #expect(throws: ArithmeticError.leafNotIsolated) { try ArithmeticExpression(symbols: [0x80] + Array("5".utf8)) }
        #expect(throws: ArithmeticError.leafNotIsolated) { try ArithmeticExpression(symbols: Array("1.".utf8) + [0x80]) }
    }

    @Test("plain text with bytes above 0x7F is never read as leaves")
    func nonASCII() {
        #expect(throws: ArithmeticError.self) { try ArithmeticExpression(parsing: "1+é") }
    }
}
