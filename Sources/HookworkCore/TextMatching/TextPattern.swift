import Foundation

/// Which reading of a text-matching pattern to use.
public enum TextPatternCompatibility: Sendable, Hashable {
    /// Hookwork's reading: the reference's, plus the documented `cash$*` form read as `cash*$`.
    case hookwork
    /// Exactly what the reference does (`cash$*` keeps a literal `$`), used by the conformance runner.
    case reference
}

/// Whether a pattern matched, and how many typos the winning alternatives used (spec §7.1 step 5).
public struct TextMatchResult: Sendable, Equatable {
    /// Whether every `&&` part matched.
    public var found: Bool
    /// Typos used by the matched parts, counted even when a later part failed (conformance tm-000134).
    public var typosUsed: Int

    /// A result.
    public init(found: Bool, typosUsed: Int) {
        self.found = found
        self.typosUsed = typosUsed
    }
}

/// A text-matching pattern compiled once (`hello,hi && price{1}$ [params max_words=3]`), spec §7.
public struct TextPattern: Sendable, Hashable {
    /// The pattern as written.
    public let source: String
    /// The compatibility it was compiled with.
    public let compatibility: TextPatternCompatibility
    let parts: [[Alternative]]
    let maxWords: MaxWords?

    /// `[params max_words=N]`: the value as written, because PHP compares a non-numeric one as a string.
    enum MaxWords: Sendable, Hashable {
        case number(Int)
        case text(String)
    }

    /// One `,`-separated alternative.
    enum Alternative: Sendable, Hashable {
        case regex(PatternRegex?)
        case word(Word)
        case skip
    }

    /// A word or phrase with its modifiers, lower-cased into code points.
    struct Word: Sendable, Hashable {
        var letters: [UInt32]
        var typos: Int?
        var exactLast: Bool
        var anySuffix: Bool
        var anyPrefix: Bool
    }

    /// Compiles `pattern`; never fails: a malformed regex alternative simply never matches.
    public init(_ pattern: String, compatibility: TextPatternCompatibility = .hookwork) {
        source = pattern
        self.compatibility = compatibility
        var expression = pattern
        var maxWords: MaxWords?
        if let range = pattern.range(of: "[params ") {
            expression = String(pattern[..<range.lowerBound])
            var params = String(pattern[range.upperBound...])
            if params.hasSuffix("]") { params.removeLast() }
            for pair in params.split(separator: " ", omittingEmptySubsequences: false) {
                let pieces = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard pieces.count == 2, pieces[0] == "max_words" else { continue }
                let value = String(pieces[1])
                guard PHPLoose.isTruthy(value) else { maxWords = nil; continue }
                if let number = PHPLoose.numericValue(value)?.doubleValue {
                    maxWords = .number(Int(number))
                } else {
                    maxWords = .text(value)
                }
            }
        }
        self.maxWords = maxWords
        let trimmed = expression.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            parts = []
        } else {
            parts = trimmed.components(separatedBy: "&&").map { part in
                part.components(separatedBy: ",").map { Self.alternative($0, compatibility: compatibility) }
            }
        }
    }

    public static func == (lhs: TextPattern, rhs: TextPattern) -> Bool {
        lhs.source == rhs.source && lhs.compatibility == rhs.compatibility
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        hasher.combine(compatibility)
    }

    static func alternative(_ raw: String, compatibility: TextPatternCompatibility) -> Alternative {
        if PatternRegex.looksLikeRegex(raw) {
            return .regex(PatternRegex(raw.replacingOccurrences(of: "_com_", with: ",")))
        }
        var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return .skip }
        var typos: Int?
        // The first `{d}` sets the word's allowance; every copy of that same token is removed, other `{d}` stay
        // literal (spec §7.2; conformance tm-000124 and tm-000522).
        if let range = text.range(of: #"\{[0-9]\}"#, options: .regularExpression) {
            let token = String(text[range])
            typos = Int(String(token.dropFirst().dropLast()))
            text = text.replacingOccurrences(of: token, with: "")
        }
        if compatibility == .hookwork, text.hasSuffix("$*") {
            // The documented `cash$*` form, read as the `cash*$` the reference understands.
            text.removeLast(2)
            text += "*$"
        }
        var exactLast = false
        if text.hasSuffix("$") {
            exactLast = true
            text = text.replacingOccurrences(of: "$", with: "")
        }
        var anySuffix = false
        if text.hasSuffix("*") {
            anySuffix = true
            text.removeLast()
        }
        var anyPrefix = false
        if text.hasPrefix("*") {
            anyPrefix = true
            text.removeFirst()
        }
        return .word(Word(letters: Self.normalised(text), typos: typos, exactLast: exactLast, anySuffix: anySuffix, anyPrefix: anyPrefix))
    }

    /// Matches `text` with `typos` as the global allowance (webhooks pass 0).
    public func match(_ text: String, typos: Int) -> TextMatchResult {
        if let maxWords, Self.exceeds(Self.wordCount(text), maxWords) { return TextMatchResult(found: false, typosUsed: 0) }
        guard !parts.isEmpty else { return TextMatchResult(found: false, typosUsed: 0) }
        var letters: [UInt32]?
        var used = 0
        for alternatives in parts {
            var partTypos: Int?
            for alternative in alternatives {
                switch alternative {
                case .skip:
                    continue
                case .regex(let regex):
                    if regex?.matches(text) == true { partTypos = 0 }
                case .word(let word):
                    if letters == nil { letters = Self.normalised(text) }
                    partTypos = word.match(letters!, globalTypos: typos)
                }
                if partTypos != nil { break }
            }
            guard let partTypos else { return TextMatchResult(found: false, typosUsed: used) }
            used += partTypos
        }
        return TextMatchResult(found: true, typosUsed: used)
    }

    static func exceeds(_ count: Int, _ limit: MaxWords) -> Bool {
        switch limit {
        case .number(let number): return count > number
        // PHP 8 compares an int with a non-numeric string as strings.
        case .text(let text): return String(count).utf8.lexicographicallyPrecedes(text.utf8) == false && String(count) != text
        }
    }

    /// Words as the reference counts them: line breaks become spaces, `" , ' : . ? !` go, and single spaces split.
    static func wordCount(_ text: String) -> Int {
        var count = 1
        var previousCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n":
                if !previousCR { count += 1 }
            case " ", "\r":
                if scalar == "\r" {
                    previousCR = true
                    continue
                }
                count += 1
            default: break
            }
            if previousCR && scalar != "\n" {
                // A lone CR is not a line break for the reference.
            }
            previousCR = false
        }
        return count
    }

    /// Lower-cases code point by code point and turns CRLF and LF into spaces (spec §7.2 step 4).
    static func normalised(_ text: String) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(text.utf8.count)
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" {
                out.append(0x20)
                index += 2
                continue
            }
            if scalar == "\n" {
                out.append(0x20)
            } else if scalar.isASCII {
                let value = scalar.value
                out.append(value >= 0x41 && value <= 0x5A ? value + 0x20 : value)
            } else {
                for lowered in scalar.properties.lowercaseMapping.unicodeScalars { out.append(lowered.value) }
            }
            index += 1
        }
        return out
    }

    @inline(__always) static func isBoundary(_ letter: UInt32) -> Bool {
        switch letter {
        case 0x22, 0x2C, 0x20, 0x27, 0x3A, 0x2E, 0x3F, 0x21: return true  // " , space ' : . ? !
        default: return false
        }
    }
}

extension TextPattern.Word {
    /// The reference's letter scan (spec §7.2 step 6): substitutions only, never on the first letter.
    func match(_ fullText: [UInt32], globalTypos: Int) -> Int? {
        let allowance = typos ?? globalTypos
        var text = fullText[...]
        if anyPrefix, let first = letters.first, let start = fullText.firstIndex(of: first) {
            // Not a real suffix search: the text is cut at the first occurrence of the first letter (spec §7.2 step 5).
            text = fullText[start...]
        }
        let base = text.startIndex
        var position = 0
        var mistakes = 0
        var index = base
        while index < text.endIndex {
            let letter = text[index]
            if position >= letters.count || letter != letters[position] { mistakes += 1 }
            if mistakes > allowance || (mistakes == 1 && position == 0) {
                position = 0
                mistakes = 0
            } else if position > 0 || index == base || TextPattern.isBoundary(text[index - 1]) {
                position += 1
            } else {
                position = 0
                mistakes = 0
            }
            if position == letters.count {
                if exactLast && (letters.isEmpty || letter != letters[letters.count - 1]) {
                    position = 0
                    mistakes = 0
                } else if index + 1 == text.endIndex || anySuffix || TextPattern.isBoundary(text[index + 1]) {
                    return mistakes
                } else {
                    position = 0
                    mistakes = 0
                }
            }
            index += 1
        }
        return nil
    }
}

/// A `/regex/flags` alternative, compiled once with PCRE's meaning as closely as ICU allows.
final class PatternRegex: Sendable, Hashable {
    // NSRegularExpression is immutable after init and documented as safe to use from several threads.
    let regex: NSRegularExpression
    let byteMode: Bool
    let source: String

    /// Whether an untrimmed alternative has the regex form: `/…/` plus optional lower-case flags.
    static func looksLikeRegex(_ text: String) -> Bool {
        guard text.hasPrefix("/"), text.count >= 2 else { return false }
        let withoutFlags = text.reversed().drop { $0 >= "a" && $0 <= "z" }
        return withoutFlags.first == "/" && withoutFlags.count >= 2
    }

    /// Compiles `/body/flags`; nil when PHP's `preg_match` would fail (bad syntax, unknown modifier).
    init?(_ text: String) {
        source = text
        let scalars = Array(text.unicodeScalars)
        var index = 1
        var body = String.UnicodeScalarView()
        var closed = false
        // PHP ends the pattern at the first unescaped delimiter; whatever follows must be modifiers.
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\", index + 1 < scalars.count {
                body.append(scalar)
                body.append(scalars[index + 1])
                index += 2
                continue
            }
            if scalar == "/" {
                closed = true
                index += 1
                break
            }
            body.append(scalar)
            index += 1
        }
        guard closed else { return nil }
        var options: NSRegularExpression.Options = []
        var unicode = false
        for flag in scalars[index...] {
            switch flag {
            case "i": options.insert(.caseInsensitive)
            case "m": options.insert(.anchorsMatchLines)
            case "s": options.insert(.dotMatchesLineSeparators)
            case "x": options.insert(.allowCommentsAndWhitespace)
            case "u": unicode = true
            case "n": break
            default: return nil  // PHP: "Unknown modifier", preg_match returns false
            }
        }
        byteMode = !unicode
        // Without `u`, PCRE works on bytes: map each byte to one code point (Latin-1) so `.` and classes see bytes.
        let pattern = unicode ? String(body) : Self.latin1(String(body))
        guard let regex = try? NSRegularExpression(pattern: pattern, options: options) else { return nil }
        self.regex = regex
    }

    func matches(_ text: String) -> Bool {
        let subject = byteMode ? Self.latin1(text) : text
        let range = NSRange(subject.startIndex..., in: subject)
        return regex.firstMatch(in: subject, options: [], range: range) != nil
    }

    static func latin1(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in text.utf8 { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }

    static func == (lhs: PatternRegex, rhs: PatternRegex) -> Bool { lhs.source == rhs.source }
    func hash(into hasher: inout Hasher) { hasher.combine(source) }
}
