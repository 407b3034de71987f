import Foundation
import Synchronization

/// A `/body/flags` alternative (spec §7.2, regex form), compiled once into ICU with PHP `preg_match`'s meaning as far
/// as ICU allows.
///
/// Without the `u` flag PCRE works on UTF-8 bytes: `.` matches one byte and `/i` folds ASCII only, so `/привет/i`
/// does not match "ПРИВЕТ" (tm-000106). Such a pattern and its subject are both rewritten with every non-ASCII byte
/// as one private-use code point, which ICU never treats as a letter, digit, space or cased character. Known gaps,
/// all rare in chat patterns: ICU folds case fully (`ß` ~ `ss`) where PCRE folds simply, and constructs ICU lacks
/// (recursion, `\K`, `(?|…)`) make the alternative never match instead of matching.
struct PCREPattern: Sendable {
    /// NSRegularExpression is immutable after init and safe to match from many threads at once (and Sendable).
    let expression: NSRegularExpression
    /// No `u` flag: match the subject's UTF-8 bytes, not its characters.
    let bytewise: Bool

    /// Where the private-use code points standing for the bytes 0x80-0xFF start (U+F780-U+F7FF).
    static let byteBase: UInt32 = 0xF700

    /// Whether an untrimmed alternative has the regex form: starts with `/`, ends with `/` plus lower-case letters.
    static func hasRegexForm(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.first == UInt8(ascii: "/") else { return false }
        let body = bytes.dropFirst().reversed().drop { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
        return body.first == UInt8(ascii: "/")
    }

    /// Compiles `/body/flags` (with `_com_` already turned into `,`); nil wherever `preg_match` would fail.
    init?(_ pattern: String) {
        let scalars = Array(pattern.unicodeScalars)
        // PHP ends the pattern at the first unescaped delimiter, so "/a/b/" has the modifiers "b/" and fails.
        var index = 1
        while index < scalars.count, scalars[index] != "/" {
            index += scalars[index] == "\\" ? 2 : 1
        }
        guard index < scalars.count else { return nil }
        // useUnixLineSeparators: PHP's PCRE knows only LF as a newline, for `.`, `^`, `$` and `\Z` alike.
        var options: NSRegularExpression.Options = [.useUnixLineSeparators]
        var unicode = false
        for flag in scalars[(index + 1)...] {
            switch flag {
            case "i": options.insert(.caseInsensitive)
            case "m": options.insert(.anchorsMatchLines)
            case "s": options.insert(.dotMatchesLineSeparators)
            case "x": options.insert(.allowCommentsAndWhitespace)
            case "u": unicode = true
            case "n": break  // PHP 8.2's NO_AUTO_CAPTURE changes captures, never whether the pattern matches
            case " ", "\n", "\r": break  // PHP skips whitespace among the modifiers
            // Everything else fails in PHP: "e" was removed in PHP 7 (tm-000110), the rest are unknown modifiers.
            // PHP 8.4's "r" is treated the same, as the reference's PHP version does not promise it.
            default: return nil
            }
        }
        bytewise = !unicode
        guard let body = Self.icuPattern(scalars[1..<index], bytewise: bytewise),
            let expression = try? NSRegularExpression(pattern: body, options: options)
        else { return nil }
        self.expression = expression
    }

    /// The outcome of one match: ICU backtracks, so a hostile pattern and subject could run for minutes.
    enum Outcome: Sendable, Equatable {
        case matched, notMatched, timedOut
    }

    /// The longest one match may run, in milliseconds (`HOOKWORK_REGEX_TIME_LIMIT_MS`, default 50); set once at start.
    static let timeLimitMilliseconds = Atomic<Int>(50)

    /// Whether the pattern matches somewhere in the raw `text`, within the time limit.
    ///
    /// ICU calls the block now and then during a long match (`.reportProgress`); past the deadline the block stops
    /// the match, and the outcome is `timedOut` (the condition is then false, with the reason in the trace).
    func matches(_ text: String) -> Outcome {
        let subject = bytewise && !text.utf8.allSatisfy({ $0 < 0x80 }) ? Self.byteString(text) : text
        let range = NSRange(location: 0, length: subject.utf16.count)
        let limit = Duration.milliseconds(Self.timeLimitMilliseconds.load(ordering: .relaxed))
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: limit)
        var outcome = Outcome.notMatched
        expression.enumerateMatches(in: subject, options: [.reportProgress], range: range) { match, _, stop in
            if match != nil {
                outcome = .matched
                stop.pointee = true
            } else if clock.now >= deadline {
                outcome = .timedOut
                stop.pointee = true
            }
        }
        return outcome
    }

    /// `text` with each non-ASCII UTF-8 byte turned into its private-use code point.
    static func byteString(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in text.utf8 { scalars.append(byteScalar(byte)) }
        return String(scalars)
    }

    static func byteScalar(_ byte: UInt8) -> Unicode.Scalar {
        byte < 0x80 ? Unicode.Scalar(byte) : Unicode.Scalar(byteBase + UInt32(byte))!
    }
}

// MARK: - PCRE to ICU

extension PCREPattern {
    /// Rewrites a PCRE pattern body into ICU syntax; nil for what PCRE rejects and ICU would accept differently.
    ///
    /// The differences handled: PCRE takes a `{` that starts no quantifier, a lone `}`, and `[` inside a class as
    /// literal text where ICU fails; `\pL`, `\o{…}` and `(?P<name>…)` are spelt ICU's way; escapes of unknown
    /// letters (`\y`) fail in PCRE but would be literals in ICU; and in byte mode, non-ASCII text and `\x` escapes
    /// become the private-use code points of their bytes.
    static func icuPattern(_ body: ArraySlice<Unicode.Scalar>, bytewise: Bool) -> String? {
        let source = Array(body)
        var out = String.UnicodeScalarView()
        func literal(_ scalar: Unicode.Scalar) {
            if bytewise && !scalar.isASCII {
                for byte in String(scalar).utf8 { out.append(byteScalar(byte)) }
            } else {
                out.append(scalar)
            }
        }
        func code(_ value: UInt32) -> Bool {
            var value = value
            if bytewise {
                // Without `u`, a code above 0xFF is a compile error in PCRE; 0x80-0xFF is a byte.
                guard value <= 0xFF else { return false }
                if value >= 0x80 { value += byteBase }
            }
            out.append(contentsOf: "\\x{\(String(value, radix: 16))}".unicodeScalars)
            return true
        }
        func hexValue(_ scalar: Unicode.Scalar) -> UInt32? { scalar.properties.isASCIIHexDigit ? UInt32(String(scalar), radix: 16) : nil }

        var index = 0
        var inClass = false
        var classStart = false
        while index < source.count {
            let scalar = source[index]
            if scalar == "\\" {
                guard index + 1 < source.count else { return nil }  // a trailing backslash
                let escaped = source[index + 1]
                index += 2
                switch escaped {
                case "Q":
                    // \Q…\E quotes everything up to \E (or the end).
                    while index < source.count, !(source[index] == "\\" && index + 1 < source.count && source[index + 1] == "E") {
                        let quoted = source[index]
                        if quoted.isASCII && !quoted.properties.isAlphabetic && !("0"..."9").contains(quoted) {
                            out.append("\\")  // ASCII punctuation and spaces, escaped so ICU reads them as text
                        }
                        literal(quoted)
                        index += 1
                    }
                    index += 2
                case "E":
                    break  // a stray \E is ignored by PCRE
                case "x":
                    var value: UInt32 = 0
                    if index < source.count, source[index] == "{" {
                        guard let close = source[index...].firstIndex(of: "}") else { return nil }
                        for digit in source[(index + 1)..<close] {
                            guard let digitValue = hexValue(digit), value <= 0x10_FFFF else { return nil }
                            value = value * 16 + digitValue
                        }
                        index = close + 1
                    } else {
                        var digits = 0
                        while digits < 2, index < source.count, let digitValue = hexValue(source[index]) {
                            value = value * 16 + digitValue
                            index += 1
                            digits += 1
                        }
                    }
                    guard code(value) else { return nil }
                case "o":
                    guard index < source.count, source[index] == "{", let close = source[index...].firstIndex(of: "}") else { return nil }
                    var value: UInt32 = 0
                    for digit in source[(index + 1)..<close] {
                        guard ("0"..."7").contains(digit), value <= 0x10_FFFF else { return nil }
                        value = value * 8 + (digit.value - 0x30)
                    }
                    index = close + 1
                    guard code(value) else { return nil }
                case "p", "P":
                    // PCRE's one-letter form \pL is ICU's \p{L}.
                    out.append("\\")
                    out.append(escaped)
                    if index < source.count, source[index] != "{" {
                        out.append("{")
                        out.append(source[index])
                        out.append("}")
                        index += 1
                    }
                case "F", "I", "J", "L", "M", "O", "T", "U", "Y", "i", "j", "l", "m", "q", "u", "y", "g", "N":
                    // Unknown escapes are errors in PCRE2 ("unrecognized character follows \"); \g and \N exist
                    // there but not in ICU with the same meaning.
                    return nil
                default:
                    out.append("\\")
                    literal(escaped)
                }
                classStart = false
                continue
            }
            if inClass {
                switch scalar {
                case "]" where classStart:
                    out.append(contentsOf: "\\]".unicodeScalars)  // "[]a]": a leading "]" is literal
                case "]":
                    inClass = false
                    out.append("]")
                case "[":
                    // A POSIX class "[:alpha:]" (ICU knows the same names); any other "[" is literal in PCRE.
                    if index + 1 < source.count, source[index + 1] == ":",
                        let end = (index + 2..<source.count).first(where: { source[$0] == ":" && $0 + 1 < source.count && source[$0 + 1] == "]" })
                    {
                        out.append(contentsOf: source[index...(end + 1)])
                        index = end + 2
                        classStart = false
                        continue
                    }
                    out.append(contentsOf: "\\[".unicodeScalars)
                case "{", "}", "&", "#":
                    out.append("\\")
                    out.append(scalar)
                case " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}":
                    // Whitespace in a class is literal in PCRE even with /x; ICU would drop it there.
                    _ = code(scalar.value)
                default:
                    literal(scalar)
                }
                classStart = false
                index += 1
                continue
            }
            switch scalar {
            case "[":
                inClass = true
                classStart = true
                out.append("[")
                if index + 1 < source.count, source[index + 1] == "^" {
                    out.append("^")
                    index += 1
                }
                index += 1
                continue
            case "{":
                if let end = quantifierEnd(source, from: index) {
                    out.append(contentsOf: source[index...end])
                    index = end + 1
                    continue
                }
                out.append(contentsOf: "\\{".unicodeScalars)
            case "}":
                out.append(contentsOf: "\\}".unicodeScalars)
            case "(":
                // Python-style names: (?P<name>…) and (?P=name).
                if source[index...].starts(with: "(?P<".unicodeScalars) {
                    out.append(contentsOf: "(?<".unicodeScalars)
                    index += 4
                    continue
                }
                if source[index...].starts(with: "(?P=".unicodeScalars), let close = source[index...].firstIndex(of: ")") {
                    out.append(contentsOf: "\\k<".unicodeScalars)
                    out.append(contentsOf: source[(index + 4)..<close])
                    out.append(">")
                    index = close + 1
                    continue
                }
                out.append("(")
            default:
                literal(scalar)
            }
            index += 1
        }
        // ICU refuses an empty pattern; PCRE's empty pattern matches everywhere, as "(?:)" does.
        return out.isEmpty ? "(?:)" : String(out)
    }

    /// The index of the `}` closing a PCRE quantifier `{n}`, `{n,}` or `{n,m}` starting at `start`, if it is one.
    static func quantifierEnd(_ source: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start + 1
        func digits() -> Int {
            let begin = index
            while index < source.count, ("0"..."9").contains(source[index]) { index += 1 }
            return index - begin
        }
        guard digits() > 0 else { return nil }
        if index < source.count, source[index] == "," {
            index += 1
            _ = digits()
        }
        return index < source.count && source[index] == "}" ? index : nil
    }
}
