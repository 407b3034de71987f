import Foundation

/// A side's arithmetic, parsed once: what the reference's `eval('$x = ' . $side . ';')` computes (spec §4.4 step 3).
///
/// Only the characters the reference lets through reach this parser: digits, `. ( ) * - / +` and `%`. Within that
/// alphabet it follows PHP 8 exactly: `0123` is octal, `08` is "Invalid numeric literal", `1.`/`.5` are floats,
/// `--`/`++`/`...` are syntax errors, `/*…*/` is a comment, `//` comments out the rest (so it is a syntax error),
/// `.` concatenates, `**` is a right-associative power binding tighter than unary minus, and `+ - * / %` have PHP's
/// int/float rules (int overflow becomes float, `/` gives an int only for exact division).
public struct ArithmeticExpression: Sendable {
    /// The expression in postfix order, built by the parser without a tree, so that neither evaluation nor release
    /// recurses however long the expression is.
    let program: [ArithmeticInstruction]
    /// The deepest the postfix evaluation stack gets.
    let stackDepth: Int
    /// How many leaves (substituted values) the expression has.
    public let leafCount: Int

    /// The most bytes a side may have to be evaluated at all; longer text is not parsed (`ArithmeticError.limit`).
    public static let maxLength = 65_536
    /// The most tokens (numbers, operators, parentheses) an expression may have.
    public static let maxTokens = 10_000
    /// The deepest nesting of parentheses, unary signs and `**` right operands; the parser recurses once per level,
    /// so this keeps it well inside the smallest thread stack.
    public static let maxNesting = 100

    /// Parses plain text, as `eval` would; the error is a PHP `ParseError`, or `.limit` past the limits above.
    public init(parsing text: String) throws(ArithmeticError) {
        guard text.utf8.count <= Self.maxLength else {
            throw .limit("the arithmetic is \(text.utf8.count) bytes long, over the limit of \(Self.maxLength)")
        }
        let bytes = Array(text.utf8)
        // Bytes from 0x80 up mark leaves in `init(symbols:)`; in plain text they are just invalid characters.
        guard !bytes.contains(where: { $0 >= 0x80 }) else { throw .syntax("syntax error, unexpected character") }
        try self.init(symbols: bytes)
    }

    /// Parses symbols: bytes of text, where a byte `0x80 + n` stands for leaf `n` (a value substituted later).
    ///
    /// A leaf must stand as a number token of its own (no digit or `.` next to it); otherwise the substituted text
    /// would lex differently, and `ArithmeticError.leafNotIsolated` says so.
    init(symbols: [UInt8]) throws(ArithmeticError) {
        guard symbols.count <= Self.maxLength else {
            throw .limit("the arithmetic is \(symbols.count) bytes long, over the limit of \(Self.maxLength)")
        }
        var lexer = ArithmeticLexer(symbols: symbols)
        var tokens: [ArithmeticToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if case .end = token { break }
            guard tokens.count <= Self.maxTokens else {
                throw .limit("the arithmetic has more than \(Self.maxTokens) tokens")
            }
        }
        var parser = ArithmeticParser(tokens: tokens)
        try parser.parseProgram()
        leafCount = lexer.maxLeaf + 1
        program = parser.program
        stackDepth = max(parser.deepest, 1)
    }

    /// Evaluates the expression; `leaf(n)` gives the integer substituted for leaf `n`.
    public func evaluate(leaf: (Int) -> Int = { _ in 0 }) throws(ArithmeticError) -> PHPScalar {
        if let number = evaluateNumber(leaf: leaf) {
            switch number {
            case .int(let value): return .int(value)
            case .double(let value): return .double(value)
            }
        }
        return try evaluateExactly(leaf: leaf)
    }

    /// The exact route over PHP scalars (concatenation, and every error), in the same postfix order: operands left
    /// to right, each operator after its operands, as the reference evaluates them.
    func evaluateExactly(leaf: (Int) -> Int) throws(ArithmeticError) -> PHPScalar {
        var stack: [PHPScalar] = []
        stack.reserveCapacity(stackDepth)
        for instruction in program {
            switch instruction {
            case .push(.int(let value)): stack.append(.int(value))
            case .push(.double(let value)): stack.append(.double(value))
            case .leaf(let index): stack.append(.int(leaf(index)))
            case .negate:
                stack[stack.count - 1] = PHPMath.multiply(try PHPMath.number(stack[stack.count - 1]), .int(-1)).scalar
            case .identity:
                stack[stack.count - 1] = PHPMath.multiply(try PHPMath.number(stack[stack.count - 1]), .int(1)).scalar
            case .binary(let op):
                let right = stack.removeLast()
                let left = stack.removeLast()
                if case .concat = op {
                    stack.append(.string(left.text + right.text))
                    continue
                }
                let a = try PHPMath.number(left)
                let b = try PHPMath.number(right)
                switch op {
                case .add: stack.append(PHPMath.add(a, b).scalar)
                case .subtract: stack.append(PHPMath.subtract(a, b).scalar)
                case .multiply: stack.append(PHPMath.multiply(a, b).scalar)
                case .divide: stack.append(try PHPMath.divide(a, b).scalar)
                case .modulo: stack.append(try PHPMath.modulo(a, b).scalar)
                case .power: stack.append(PHPMath.power(a, b).scalar)
                case .concat: stack.append(.string(left.text + right.text))
                }
            }
        }
        return stack[0]
    }

    /// The common case without allocation or reference counting: nil when the expression concatenates or raises,
    /// and `evaluate(leaf:)` must then take the exact route.
    @inline(__always)
    func evaluateNumber(leaf: (Int) -> Int) -> PHPNumberValue? {
        if program.count == 1, case .leaf(let index) = program[0] { return .int(leaf(index)) }
        return withUnsafeTemporaryAllocation(of: PHPNumberValue.self, capacity: stackDepth) { stack -> PHPNumberValue? in
            var top = -1
            for instruction in program {
                switch instruction {
                case .push(let value):
                    top += 1
                    stack.initializeElement(at: top, to: value)
                case .leaf(let index):
                    top += 1
                    stack.initializeElement(at: top, to: .int(leaf(index)))
                case .negate:
                    stack[top] = PHPMath.multiply(stack[top], .int(-1))
                case .identity:
                    stack[top] = PHPMath.multiply(stack[top], .int(1))
                case .binary(let op):
                    let right = stack[top]
                    top -= 1
                    let left = stack[top]
                    switch op {
                    case .add: stack[top] = PHPMath.add(left, right)
                    case .subtract: stack[top] = PHPMath.subtract(left, right)
                    case .multiply: stack[top] = PHPMath.multiply(left, right)
                    case .divide:
                        guard let value = try? PHPMath.divide(left, right) else { return nil }
                        stack[top] = value
                    case .modulo:
                        guard let value = try? PHPMath.modulo(left, right) else { return nil }
                        stack[top] = value
                    case .power: stack[top] = PHPMath.power(left, right)
                    case .concat: return nil
                    }
                }
            }
            return stack[0]
        }
    }

    /// Parses and evaluates `text` in one go.
    public static func evaluate(_ text: String) throws(ArithmeticError) -> PHPScalar {
        try ArithmeticExpression(parsing: text).evaluate()
    }
}

/// Why arithmetic failed: a PHP `ParseError` (the side is left as it was, or raised), a `DivisionByZeroError`, or
/// a `TypeError` from arithmetic on a non-numeric string.
public enum ArithmeticError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is not a valid PHP expression.
    case syntax(String)
    /// `x / 0`.
    case divisionByZero
    /// `x % 0`.
    case moduloByZero
    /// Arithmetic on a string that is not numeric (only reachable through `.` concatenation).
    case unsupportedOperand
    /// A leaf is glued to a digit or `.`, so its value's text would merge into a neighbouring number.
    case leafNotIsolated
    /// The text is longer, has more tokens or nests deeper than `ArithmeticExpression`'s limits (not PHP's: a
    /// deviation that keeps hostile values from exhausting the stack; the condition is then false with this reason).
    case limit(String)

    /// Whether this is a parse-time error (PHP `ParseError`) rather than a run-time one.
    public var isParseError: Bool {
        switch self {
        case .syntax, .leafNotIsolated: return true
        default: return false
        }
    }

    /// The PHP error class and message.
    public var description: String {
        switch self {
        case .syntax(let message): return "ParseError: \(message)"
        case .divisionByZero: return "DivisionByZeroError: Division by zero"
        case .moduloByZero: return "DivisionByZeroError: Modulo by zero"
        case .unsupportedOperand: return "TypeError: Unsupported operand types"
        case .leafNotIsolated: return "ParseError: a substituted value is glued to a number"
        case .limit(let message): return "LimitError: \(message)"
        }
    }
}

/// A binary operator of the arithmetic subset.
enum ArithmeticOperator: Sendable {
    case add, subtract, multiply, divide, modulo, power, concat
}

/// One step of the postfix form.
enum ArithmeticInstruction: Sendable {
    case push(PHPNumberValue)
    case leaf(Int)
    case negate
    case identity
    case binary(ArithmeticOperator)
}

enum ArithmeticToken: Sendable {
    case number(PHPNumberValue)
    case leaf(Int)
    case plus, minus, star, slash, percent, power, openParen, closeParen, dot
    case invalid(String)
    case end
}

/// PHP's scanner restricted to the arithmetic alphabet (`zend_language_scanner.l`).
struct ArithmeticLexer {
    let symbols: [UInt8]
    var position = 0
    var maxLeaf = -1

    init(symbols: [UInt8]) { self.symbols = symbols }

    func at(_ offset: Int) -> UInt8? { offset < symbols.count ? symbols[offset] : nil }

    static func isDigit(_ byte: UInt8?) -> Bool { byte.map { $0 &- 0x30 < 10 } ?? false }
    static func isLeaf(_ byte: UInt8?) -> Bool { byte.map { $0 >= 0x80 } ?? false }

    mutating func next() throws(ArithmeticError) -> ArithmeticToken {
        while true {
            guard let byte = at(position) else { return .end }
            let following = at(position + 1)
            if byte == UInt8(ascii: "/") && following == UInt8(ascii: "*") {
                // A block comment; unterminated, it runs to the end and swallows the `;`.
                var scan = position + 2
                var closed = false
                while scan < symbols.count {
                    if symbols[scan] == UInt8(ascii: "*") && at(scan + 1) == UInt8(ascii: "/") {
                        closed = true
                        break
                    }
                    scan += 1
                }
                guard closed else { throw .syntax("syntax error, unexpected end of file") }
                position = scan + 2
                continue
            }
            if byte == UInt8(ascii: "/") && following == UInt8(ascii: "/") {
                // A line comment runs to the end of the line, taking the statement's `;` with it.
                throw .syntax("syntax error, unexpected end of file")
            }
            break
        }
        let byte = symbols[position]
        let following = at(position + 1)
        if byte >= 0x80 {
            let previous = position > 0 ? symbols[position - 1] : nil
            if Self.isDigit(previous) || previous == UInt8(ascii: ".") || Self.isLeaf(previous)
                || Self.isDigit(following) || following == UInt8(ascii: ".") || Self.isLeaf(following)
            {
                throw .leafNotIsolated
            }
            position += 1
            maxLeaf = max(maxLeaf, Int(byte - 0x80))
            return .leaf(Int(byte - 0x80))
        }
        if Self.isDigit(byte) || (byte == UInt8(ascii: ".") && Self.isDigit(following)) {
            return try number()
        }
        position += 1
        switch byte {
        case UInt8(ascii: "+"):
            if following == UInt8(ascii: "+") { return .invalid("\"++\"") }
            return .plus
        case UInt8(ascii: "-"):
            if following == UInt8(ascii: "-") { return .invalid("\"--\"") }
            return .minus
        case UInt8(ascii: "*"):
            if following == UInt8(ascii: "*") {
                position += 1
                return .power
            }
            return .star
        case UInt8(ascii: "/"): return .slash
        case UInt8(ascii: "%"): return .percent
        case UInt8(ascii: "("): return .openParen
        case UInt8(ascii: ")"): return .closeParen
        case UInt8(ascii: "."):
            if following == UInt8(ascii: ".") && at(position + 1) == UInt8(ascii: ".") { return .invalid("\"...\"") }
            return .dot
        default:
            return .invalid("character \(byte)")
        }
    }

    /// `LNUM` (`[0-9]+`, octal when it starts with `0`) or `DNUM` (`[0-9]*.[0-9]+` or `[0-9]+.[0-9]*`).
    mutating func number() throws(ArithmeticError) -> ArithmeticToken {
        let start = position
        while Self.isDigit(at(position)) { position += 1 }
        let integerEnd = position
        if at(position) == UInt8(ascii: ".") {
            position += 1
            while Self.isDigit(at(position)) { position += 1 }
            let text = String(decoding: symbols[start..<position], as: UTF8.self)
            return .number(.double(Double(text) ?? 0))
        }
        let digits = symbols[start..<integerEnd]
        if digits.first == UInt8(ascii: "0") && digits.count > 1 {
            // Digits 8 and 9 are illegal in octal literals.
            if digits.contains(where: { $0 == UInt8(ascii: "8") || $0 == UInt8(ascii: "9") }) {
                throw .syntax("Invalid numeric literal")
            }
            var value = 0
            var overflowed = false
            for digit in digits {
                let (times, o1) = value.multipliedReportingOverflow(by: 8)
                let (plus, o2) = times.addingReportingOverflow(Int(digit - 0x30))
                if o1 || o2 {
                    overflowed = true
                    break
                }
                value = plus
            }
            if !overflowed { return .number(.int(value)) }
            // `zend_oct_strtod`.
            var double = 0.0
            for digit in digits { double = double * 8 + Double(digit - 0x30) }
            return .number(.double(double))
        }
        var value = 0
        for digit in digits {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int(digit - 0x30))
            if o1 || o2 {
                return .number(.double(Double(String(decoding: digits, as: UTF8.self)) ?? .infinity))
            }
            value = plus
        }
        return .number(.int(value))
    }
}

/// PHP's grammar for this subset (`zend_language_parser.y`), lowest precedence first:
/// `.` < `+ -` < `* / %` < unary `+ -` < `**` (right-associative, its right operand may be unary).
///
/// It appends the postfix program as it goes instead of building a tree: left-associative chains are loops, and
/// only nesting (parentheses, unary signs, `**`) recurses, at most `ArithmeticExpression.maxNesting` levels.
struct ArithmeticParser {
    let tokens: [ArithmeticToken]
    var position = 0
    var program: [ArithmeticInstruction] = []
    /// The evaluation stack's size after the instructions so far, and its maximum.
    var depth = 0
    var deepest = 0
    var nesting = 0

    init(tokens: [ArithmeticToken]) { self.tokens = tokens }

    var current: ArithmeticToken { tokens[position] }

    mutating func parseProgram() throws(ArithmeticError) {
        try parseConcat()
        guard case .end = current else { throw unexpected() }
    }

    func unexpected() -> ArithmeticError {
        switch current {
        case .end: return .syntax("syntax error, unexpected token \";\"")
        case .number(.int): return .syntax("syntax error, unexpected integer")
        case .number(.double): return .syntax("syntax error, unexpected floating-point number")
        case .invalid(let text): return .syntax("syntax error, unexpected token \(text)")
        default: return .syntax("syntax error, unexpected token")
        }
    }

    mutating func push(_ instruction: ArithmeticInstruction) {
        program.append(instruction)
        depth += 1
        deepest = max(deepest, depth)
    }

    mutating func binary(_ op: ArithmeticOperator) {
        program.append(.binary(op))
        depth -= 1
    }

    /// Enters one level of nesting, refusing past the limit.
    mutating func enter() throws(ArithmeticError) {
        nesting += 1
        guard nesting <= ArithmeticExpression.maxNesting else {
            throw .limit("the arithmetic nests deeper than \(ArithmeticExpression.maxNesting) levels")
        }
    }

    mutating func parseConcat() throws(ArithmeticError) {
        try parseAdditive()
        while case .dot = current {
            position += 1
            try parseAdditive()
            binary(.concat)
        }
    }

    mutating func parseAdditive() throws(ArithmeticError) {
        try parseMultiplicative()
        while true {
            switch current {
            case .plus:
                position += 1
                try parseMultiplicative()
                binary(.add)
            case .minus:
                position += 1
                try parseMultiplicative()
                binary(.subtract)
            default:
                return
            }
        }
    }

    mutating func parseMultiplicative() throws(ArithmeticError) {
        try parseUnary()
        while true {
            let op: ArithmeticOperator
            switch current {
            case .star: op = .multiply
            case .slash: op = .divide
            case .percent: op = .modulo
            default: return
            }
            position += 1
            try parseUnary()
            binary(op)
        }
    }

    mutating func parseUnary() throws(ArithmeticError) {
        switch current {
        case .minus:
            position += 1
            try enter()
            try parseUnary()
            nesting -= 1
            program.append(.negate)
        case .plus:
            position += 1
            try enter()
            try parseUnary()
            nesting -= 1
            program.append(.identity)
        default:
            try parsePower()
        }
    }

    mutating func parsePower() throws(ArithmeticError) {
        try parsePrimary()
        guard case .power = current else { return }
        position += 1
        try enter()
        try parseUnary()
        nesting -= 1
        binary(.power)
    }

    mutating func parsePrimary() throws(ArithmeticError) {
        switch current {
        case .number(let value):
            position += 1
            push(.push(value))
        case .leaf(let index):
            position += 1
            push(.leaf(index))
        case .openParen:
            position += 1
            try enter()
            try parseConcat()
            nesting -= 1
            guard case .closeParen = current else { throw unexpected() }
            position += 1
        default:
            throw unexpected()
        }
    }
}

/// PHP 8's arithmetic operators on scalars (`zend_operators.c`).
enum PHPMath {
    /// A string operand becomes a number (`"12abc"` -> 12 with a warning); a non-numeric one is a `TypeError`.
    static func number(_ value: PHPScalar) throws(ArithmeticError) -> PHPNumberValue {
        switch value {
        case .int(let integer): return .int(integer)
        case .double(let double): return .double(double)
        case .string(let text):
            guard let parsed = PHPCompare.numeric(text, allowErrors: true) else { throw .unsupportedOperand }
            return parsed.value
        }
    }

    @inline(__always)
    static func add(_ a: PHPNumberValue, _ b: PHPNumberValue) -> PHPNumberValue {
        if case .int(let x) = a, case .int(let y) = b {
            let (sum, overflow) = x.addingReportingOverflow(y)
            return overflow ? .double(Double(x) + Double(y)) : .int(sum)
        }
        return .double(a.double + b.double)
    }

    @inline(__always)
    static func subtract(_ a: PHPNumberValue, _ b: PHPNumberValue) -> PHPNumberValue {
        if case .int(let x) = a, case .int(let y) = b {
            let (difference, overflow) = x.subtractingReportingOverflow(y)
            return overflow ? .double(Double(x) - Double(y)) : .int(difference)
        }
        return .double(a.double - b.double)
    }

    @inline(__always)
    static func multiply(_ a: PHPNumberValue, _ b: PHPNumberValue) -> PHPNumberValue {
        if case .int(let x) = a, case .int(let y) = b {
            let (product, overflow) = x.multipliedReportingOverflow(by: y)
            return overflow ? .double(Double(x) * Double(y)) : .int(product)
        }
        return .double(a.double * b.double)
    }

    static func divide(_ a: PHPNumberValue, _ b: PHPNumberValue) throws(ArithmeticError) -> PHPNumberValue {
        if case .int(let x) = a, case .int(let y) = b {
            if y == 0 { throw .divisionByZero }
            if y == -1 && x == Int.min { return .double(Double(x) / -1) }
            return x % y == 0 ? .int(x / y) : .double(Double(x) / Double(y))
        }
        if b.double == 0 { throw .divisionByZero }
        return .double(a.double / b.double)
    }

    static func modulo(_ a: PHPNumberValue, _ b: PHPNumberValue) throws(ArithmeticError) -> PHPNumberValue {
        let x = integer(a)
        let y = integer(b)
        if y == 0 { throw .moduloByZero }
        if y == -1 { return .int(0) }
        return .int(x % y)
    }

    static func power(_ a: PHPNumberValue, _ b: PHPNumberValue) -> PHPNumberValue {
        if case .int(let base) = a, case .int(let exponent) = b, exponent >= 0 {
            if exponent == 0 { return .int(1) }
            if base == 0 { return .int(0) }
            // `pow_function_base`: square-and-multiply, switching to float at the first overflow.
            var l1 = 1
            var l2 = base
            var i = exponent
            while i >= 1 {
                if i % 2 != 0 {
                    i -= 1
                    let (product, overflow) = l1.multipliedReportingOverflow(by: l2)
                    if overflow { return .double(Double(l1) * Double(l2) * Foundation.pow(Double(l2), Double(i))) }
                    l1 = product
                } else {
                    i /= 2
                    let (square, overflow) = l2.multipliedReportingOverflow(by: l2)
                    if overflow { return .double(Double(l1) * Foundation.pow(Double(l2) * Double(l2), Double(i))) }
                    l2 = square
                }
            }
            return .int(l1)
        }
        return .double(Foundation.pow(a.double, b.double))
    }

    /// `zval_get_long` of a number: floats truncate; out-of-range floats wrap modulo 2^64, NaN and infinities give 0.
    static func integer(_ value: PHPNumberValue) -> Int {
        switch value {
        case .int(let integer): return integer
        case .double(let double):
            guard double.isFinite else { return 0 }
            if double >= -9.223372036854775808e18 && double < 9.223372036854775808e18 { return Int(double) }
            let twoTo64 = 18446744073709551616.0
            var remainder = fmod(double, twoTo64)
            if remainder < 0 { remainder += twoTo64 }
            return Int(bitPattern: UInt(remainder))
        }
    }
}

extension PHPNumberValue {
    /// The value as a PHP scalar.
    var scalar: PHPScalar {
        switch self {
        case .int(let integer): return .int(integer)
        case .double(let double): return .double(double)
        }
    }

    /// The value as a float.
    var double: Double {
        switch self {
        case .int(let integer): return Double(integer)
        case .double(let double): return double
        }
    }
}
