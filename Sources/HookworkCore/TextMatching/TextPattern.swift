import Synchronization

/// Which reading of a text-matching pattern to use.
public enum TextPatternCompatibility: Sendable, Hashable {
    /// Hookwork's reading: the reference's, plus the documented `cash$*` form read as `cash*$` (departs from spec §7.2).
    case hookwork
    /// Exactly the reference's reading (`cash$*` keeps a literal `$`); the conformance runner uses it.
    case reference
}

/// Whether a pattern matched, and how many typos its matched `&&` parts used (spec §7.1 step 5).
public struct TextMatchResult: Sendable, Equatable {
    /// Whether every `&&` part matched.
    public var found: Bool
    /// Typos used by the parts that matched, counted even when a later part failed (conformance tm-000134).
    public var typosUsed: Int

    /// Whether a regular expression ran out of time (`PCREPattern.timeLimitMilliseconds`); `found` is then false.
    public var timedOut: Bool

    /// A result as the reference reports it.
    public init(found: Bool, typosUsed: Int, timedOut: Bool = false) {
        self.found = found
        self.typosUsed = typosUsed
        self.timedOut = timedOut
    }

    /// The reason a condition gives when a regular expression ran out of time.
    public static var timeoutReason: String {
        "a regular expression ran longer than its time limit of \(PCREPattern.timeLimitMilliseconds.load(ordering: .relaxed)) ms"
    }

}

/// A text-matching pattern compiled once ("hello,hi && price{1}$ [params max_words=3]"), spec §7.
public struct TextPattern: Sendable, Hashable {
    /// The pattern as written.
    public let source: String
    /// The reading the pattern was compiled with.
    public let compatibility: TextPatternCompatibility
    /// `[params max_words=N]`, when present and truthy.
    let wordLimit: WordLimit?
    /// The `&&` parts; each needs one of its alternatives to match. Never empty (an empty expression is one empty part).
    let parts: [[Alternative]]
    /// Whether any alternative is a word, so `match` lower-cases the text only when something reads it.
    let needsLetters: Bool

    /// Compiles `pattern` with Hookwork's reading; never fails: a malformed regex alternative simply never matches.
    public init(_ pattern: String) {
        self.init(pattern, compatibility: .hookwork)
    }

    /// Compiles `pattern` with the given reading; never fails: a malformed regex alternative simply never matches.
    public init(_ pattern: String, compatibility: TextPatternCompatibility) {
        source = pattern
        self.compatibility = compatibility
        // The reference works on PHP byte strings, so the pattern is cut as UTF-8 bytes, never as Swift Characters
        // (a combining mark after "," or "*" would otherwise glue to it). Every marker is ASCII, so no cut lands
        // inside a multi-byte character.
        let bytes = Array(pattern.utf8)[...]
        // Spec §7.1 step 1: explode on "[params "; the first piece is the expression, the second the parameters.
        let pieces = Self.explode(bytes, "[params ")
        wordLimit = pieces.count > 1 ? WordLimit(parameters: pieces[1]) : nil
        // Steps 2-3: trim the whole expression, split on "&&", then on "," without trimming (a regex needs its
        // untrimmed form).
        parts = Self.explode(Self.phpTrim(pieces[0]), "&&").map { part in
            Self.explode(part, ",").compactMap { Alternative($0, compatibility: compatibility) }
        }
        needsLetters = parts.contains { $0.contains { if case .word = $0 { true } else { false } } }
    }

    /// The comma alternatives alone, as the reference's `checkPresence` reads them where it is called directly (the
    /// Rest API `like` and `notlike` checks): no `&&` parts and no `[params …]`.
    public init(presence pattern: String) {
        source = pattern
        compatibility = .reference
        wordLimit = nil
        let alternatives = Self.explode(Array(pattern.utf8)[...], ",").compactMap { Alternative($0, compatibility: .reference) }
        parts = [alternatives]
        needsLetters = alternatives.contains { if case .word = $0 { true } else { false } }
    }

    /// Equal when written with the same code points and compiled with the same reading.
    ///
    /// Compared by UTF-8 rather than by `String ==`: composed and decomposed accents are equal Swift strings but
    /// match different texts.
    public static func == (lhs: TextPattern, rhs: TextPattern) -> Bool {
        lhs.compatibility == rhs.compatibility && lhs.source.utf8.elementsEqual(rhs.source.utf8)
    }

    /// Hashes the source's UTF-8 and the reading, matching `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(compatibility)
        hasher.combine(source.utf8.count)
        for byte in source.utf8 { hasher.combine(byte) }
    }
}

// MARK: - PHP string functions on UTF-8 bytes

extension TextPattern {
    /// PHP's `explode`: the pieces between non-overlapping separators, left to right, empty pieces kept.
    static func explode(_ bytes: ArraySlice<UInt8>, _ separator: StaticString) -> [ArraySlice<UInt8>] {
        let needle = UnsafeBufferPointer(start: separator.utf8Start, count: separator.utf8CodeUnitCount)
        var pieces: [ArraySlice<UInt8>] = []
        var pieceStart = bytes.startIndex
        var index = bytes.startIndex
        while index + needle.count <= bytes.endIndex {
            if bytes[index..<(index + needle.count)].elementsEqual(needle) {
                pieces.append(bytes[pieceStart..<index])
                index += needle.count
                pieceStart = index
            } else {
                index += 1
            }
        }
        pieces.append(bytes[pieceStart...])
        return pieces
    }

    /// PHP's `trim`: only space, tab, LF, CR, NUL and vertical tab go, so a no-break space stays.
    static func phpTrim(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        func isTrimmed(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x00 || byte == 0x0B
        }
        guard let first = bytes.firstIndex(where: { !isTrimmed($0) }), let last = bytes.lastIndex(where: { !isTrimmed($0) }) else {
            return bytes[bytes.startIndex..<bytes.startIndex]
        }
        return bytes[first...last]
    }

    /// PHP's `str_replace($needle, $replacement, …)`, left to right without overlaps.
    static func replacingAll(_ needle: some Collection<UInt8>, with replacement: some Collection<UInt8>, in bytes: [UInt8]) -> [UInt8] {
        let needle = Array(needle)
        guard !needle.isEmpty else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if index + needle.count <= bytes.count, bytes[index..<(index + needle.count)].elementsEqual(needle) {
                result.append(contentsOf: replacement)
                index += needle.count
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }
}

extension TextPattern {
    /// One `,`-separated alternative of a part.
    enum Alternative: Sendable {
        /// `/body/flags`; nil when PHP's `preg_match` would fail on it, so it never matches (tm-000109, tm-000110).
        case regex(PCREPattern?)
        /// A word or phrase with its modifiers.
        case word(Word)

        /// Compiles one untrimmed alternative; nil when it is blank, which the reference skips.
        init?(_ raw: ArraySlice<UInt8>, compatibility: TextPatternCompatibility) {
            // Spec §7.2: the regex test looks at the untrimmed alternative, so "x, /re/" is a literal word.
            if PCREPattern.hasRegexForm(raw) {
                let body = TextPattern.replacingAll("_com_".utf8, with: ",".utf8, in: Array(raw))
                self = .regex(PCREPattern(String(decoding: body, as: UTF8.self)))
                return
            }
            let trimmed = TextPattern.phpTrim(raw)
            guard !trimmed.isEmpty else { return nil }
            self = .word(Word(trimmed, compatibility: compatibility))
        }
    }

    /// A word or phrase, lower-cased into letters, with the modifiers of spec §7.2 step 2.
    struct Word: Sendable {
        /// The letters to compare, normalised as the text is (see `TextPattern.letter(_:)`).
        let letters: [UInt32]
        /// The word's own `{d}` allowance, overriding the caller's.
        let typos: Int?
        /// `$`: the last letter may not be a typo.
        let exactLast: Bool
        /// Trailing `*`: any letters may follow.
        let anySuffix: Bool
        /// Leading `*`: the text is cut at the first occurrence of the first letter (not a real suffix search).
        let anyPrefix: Bool

        init(_ trimmed: ArraySlice<UInt8>, compatibility: TextPatternCompatibility) {
            var word = Array(trimmed)
            // The first `{d}` (PHP's /\{[0-9]\}/) sets the allowance. PHP removes it with str_replace, so every copy
            // of that same token goes while other `{d}` stay literal: "is{1}s{1}$" becomes "iss" (tm-000522),
            // "he{1}{2}llo" becomes "he{2}llo" (tm-000125).
            var typos: Int?
            if let start = word.indices.dropLast(2).first(where: {
                word[$0] == UInt8(ascii: "{") && word[$0 + 2] == UInt8(ascii: "}") && (0x30...0x39).contains(word[$0 + 1])
            }) {
                typos = Int(word[start + 1] - 0x30)
                word = TextPattern.replacingAll(word[start..<(start + 3)], with: [], in: word)
            }
            // Hookwork reads the documented `cash$*` as `cash*$`; the reference leaves a literal `$` (tm-000026).
            if compatibility == .hookwork, word.count >= 2, word[word.count - 2] == UInt8(ascii: "$"), word.last == UInt8(ascii: "*") {
                word.swapAt(word.count - 2, word.count - 1)
            }
            var exactLast = false
            if word.last == UInt8(ascii: "$") {
                exactLast = true
                word.removeAll { $0 == UInt8(ascii: "$") }
            }
            var anySuffix = false
            if word.last == UInt8(ascii: "*") {
                anySuffix = true
                word.removeLast()
            }
            var anyPrefix = false
            if word.first == UInt8(ascii: "*") {
                anyPrefix = true
                word.removeFirst()
            }
            letters = TextPattern.letters(of: String(decoding: word, as: UTF8.self))
            self.typos = typos
            self.exactLast = exactLast
            self.anySuffix = anySuffix
            self.anyPrefix = anyPrefix
        }
    }

    /// `[params max_words=N]` (spec §7.1 step 1), kept as PHP would compare it with the word count.
    enum WordLimit: Sendable {
        /// A numeric string: compared as a number.
        case number(Double)
        /// Any other truthy string ("abc", "3x"): PHP 8 compares the count's decimal text with it byte by byte.
        case text([UInt8])

        /// Reads the text after "[params "; nil when `max_words` is absent or falsy ("0", "", no "="), which disables it.
        init?(parameters: ArraySlice<UInt8>) {
            var list = parameters
            if list.last == UInt8(ascii: "]") { list.removeLast() }
            var value: ArraySlice<UInt8>?
            for pair in TextPattern.explode(list, " ") {
                // explode('=', …): the key is the first piece, the value the second; a later max_words wins.
                let pieces = TextPattern.explode(pair, "=")
                guard pieces[0].elementsEqual("max_words".utf8) else { continue }
                value = pieces.count > 1 ? pieces[1] : nil
            }
            // PHP truthiness: "" and "0" are false.
            guard let value, !value.isEmpty, !value.elementsEqual("0".utf8) else { return nil }
            if let number = PHPLoose.numericValue(String(decoding: value, as: UTF8.self))?.doubleValue {
                self = .number(number)
            } else {
                self = .text(Array(value))
            }
        }

        /// Whether `count` words is too many (`count > N` with PHP 8 comparison rules).
        func isExceeded(by count: Int) -> Bool {
            switch self {
            case .number(let limit):
                return Double(count) > limit
            case .text(let limit):
                // A non-numeric string: PHP 8 turns the int into its decimal text and compares the bytes.
                var digits: [UInt8] = []
                digits.reserveCapacity(20)
                digits.append(contentsOf: String(count).utf8)
                return limit.lexicographicallyPrecedes(digits)
            }
        }
    }
}

extension TextPattern {
    /// Sets the time limit of one regular-expression match (`HOOKWORK_REGEX_TIME_LIMIT_MS`), at start.
    public static func setRegexTimeLimit(milliseconds: Int) {
        PCREPattern.timeLimitMilliseconds.store(max(1, milliseconds), ordering: .relaxed)
    }
}
