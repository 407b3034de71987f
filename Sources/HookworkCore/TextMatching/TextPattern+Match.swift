extension TextPattern {
    /// Matches `text`, with `typos` as the global allowance for words without their own `{d}` (webhooks pass 0).
    public func match(_ text: String, typos: Int) -> TextMatchResult {
        if let wordLimit, wordLimit.isExceeded(by: Self.wordCount(of: text)) {
            return TextMatchResult(found: false, typosUsed: 0)
        }
        guard needsLetters else {
            return evaluate(text, letters: UnsafeBufferPointer(start: nil, count: 0), typos: typos)
        }
        // A text never has more letters than UTF-8 bytes, so one temporary buffer (on the stack when small) holds
        // them and a match allocates nothing for its words.
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(text.utf8.count, 1)) { buffer in
            let count = Self.writeLetters(of: text, into: buffer)
            return evaluate(text, letters: UnsafeBufferPointer(rebasing: buffer[..<count]), typos: typos)
        }
    }

    /// Spec §7.1 steps 2-5: every part needs a matching alternative; the winners' typos add up, also on failure.
    private func evaluate(_ text: String, letters: UnsafeBufferPointer<UInt32>, typos: Int) -> TextMatchResult {
        var used = 0
        for alternatives in parts {
            var partTypos: Int?
            for alternative in alternatives {
                switch alternative {
                case .regex(let regex):
                    // The regex sees the raw text: no lower-casing, line breaks kept (spec §7.2).
                    switch regex?.matches(text) {
                    case .matched: partTypos = 0
                    case .timedOut: return TextMatchResult(found: false, typosUsed: used, timedOut: true)
                    case .notMatched, nil: break
                    }
                case .word(let word):
                    partTypos = word.typosUsed(in: letters, globalTypos: typos)
                }
                if partTypos != nil { break }
            }
            guard let partTypos else { return TextMatchResult(found: false, typosUsed: used) }
            used += partTypos
        }
        return TextMatchResult(found: true, typosUsed: used)
    }

    /// The reference's word count for `max_words` (spec §7.1 step 1): CRLF and LF become spaces and the text is
    /// split on single spaces, so the count is one more than the spaces; deleting `" , ' : . ? !` changes nothing.
    static func wordCount(of text: String) -> Int {
        var count = 1
        for byte in text.utf8 where byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") {
            count += 1  // a CRLF is one LF, so it counts once; a lone CR is no break for the reference
        }
        return count
    }
}

// MARK: - Letters

extension TextPattern {
    /// A text's letters as `splitWord` makes them (spec §7.2 step 4): CRLF and LF become one space, and each code
    /// point is lower-cased on its own (`mb_strtolower` per character).
    static func letters(of text: String) -> [UInt32] {
        [UInt32](unsafeUninitializedCapacity: max(text.utf8.count, 1)) { buffer, count in
            count = writeLetters(of: text, into: buffer)
        }
    }

    /// Writes the letters of `text` into `buffer` (at least `text.utf8.count` long) and returns how many there are.
    static func writeLetters(of text: String, into buffer: UnsafeMutableBufferPointer<UInt32>) -> Int {
        var text = text
        // Native strings are contiguous UTF-8; an all-ASCII message (the common case) needs no decoding at all.
        let ascii = text.withUTF8 { bytes -> Int? in
            var count = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte >= 0x80 { return nil }
                if byte == UInt8(ascii: "\r"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                    buffer[count] = 0x20
                    index += 2
                } else {
                    buffer[count] = byte == UInt8(ascii: "\n") ? 0x20 : asciiLetter(UInt32(byte))
                    index += 1
                }
                count += 1
            }
            return count
        }
        if let ascii { return ascii }
        var count = 0
        var pendingCR = false
        for scalar in text.unicodeScalars {
            if pendingCR {
                pendingCR = false
                if scalar == "\n" {
                    buffer[count] = 0x20
                    count += 1
                    continue
                }
                buffer[count] = 0x0D
                count += 1
            }
            if scalar == "\r" {
                pendingCR = true
            } else if scalar == "\n" {
                buffer[count] = 0x20
                count += 1
            } else {
                buffer[count] = letter(scalar)
                count += 1
            }
        }
        if pendingCR {
            buffer[count] = 0x0D
            count += 1
        }
        return count
    }

    /// The letter a code point becomes: its lower case when that is one code point. The one code point whose lower
    /// case is longer (U+0130 "İ" -> "i̇") stays a single letter of its own, as `mb_strtolower` of one character
    /// keeps it one array element; the high bit keeps it apart from every real code point.
    @inline(__always) static func letter(_ scalar: Unicode.Scalar) -> UInt32 {
        scalar.value < 0x80 ? asciiLetter(scalar.value) : nonASCIILetter(scalar)
    }

    @inline(__always) static func asciiLetter(_ value: UInt32) -> UInt32 {
        value &- 0x41 < 26 ? value | 0x20 : value
    }

    static func nonASCIILetter(_ scalar: Unicode.Scalar) -> UInt32 {
        scalar.value < 0x1000 ? commonLetters[Int(scalar.value) - 0x80] : computedLetter(scalar)
    }

    /// The letters of U+0080-U+0FFF (Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic, ...), worked out once: looking
    /// up Unicode properties per character would cost more than the whole scan.
    static let commonLetters: [UInt32] = (0x80..<0x1000).map { value in
        Unicode.Scalar(UInt32(value)).map(computedLetter) ?? UInt32(value)
    }

    static func computedLetter(_ scalar: Unicode.Scalar) -> UInt32 {
        let properties = scalar.properties
        // Most text (lower-case letters, CJK, emoji) is already lower case; skip building a mapping string for it.
        guard properties.changesWhenLowercased else { return scalar.value }
        let lowered = properties.lowercaseMapping.unicodeScalars
        if lowered.count == 1, let single = lowered.first { return single.value }
        return 0x8000_0000 | scalar.value
    }

    /// The characters that end a word (spec §7.2): `"` `,` space `'` `:` `.` `?` `!`.
    @inline(__always) static func isSeparator(_ letter: UInt32) -> Bool {
        switch letter {
        case 0x20, 0x21, 0x22, 0x27, 0x2C, 0x2E, 0x3A, 0x3F: true
        default: false
        }
    }
}

// MARK: - Word scan

extension TextPattern.Word {
    /// The typos of the first match of this word in `text` (spec §7.2 steps 5-6), or nil when there is none.
    func typosUsed(in text: UnsafeBufferPointer<UInt32>, globalTypos: Int) -> Int? {
        var start = 0
        if anyPrefix, let first = letters.first {
            // Not a real suffix search: the text is cut at the first occurrence of the first letter (tm-000042).
            start = text.firstIndex(of: first) ?? 0
        }
        return letters.withUnsafeBufferPointer { word in
            scan(text, from: start, word: word, allowance: typos ?? globalTypos)
        }
    }

    /// The reference's letter-by-letter scan: substitutions only, never on the first letter, and the current
    /// letter is not retried after a reset.
    private func scan(_ text: UnsafeBufferPointer<UInt32>, from start: Int, word: UnsafeBufferPointer<UInt32>, allowance: Int) -> Int? {
        let length = word.count
        var position = 0
        var mistakes = 0
        var index = start
        while index < text.count {
            let letter = text[index]
            // An empty word compares against PHP's null and so always mismatches (tm-000117, tm-000118).
            let same = position < length && letter == word[position]
            if !same { mistakes += 1 }
            if mistakes > allowance || (mistakes == 1 && position == 0) {
                position = 0
                mistakes = 0
            } else if position > 0 || index == start || TextPattern.isSeparator(text[index - 1]) {
                position += 1
            } else {
                position = 0
                mistakes = 0
            }
            if position == length {
                let next = index + 1
                if next == text.count || anySuffix || TextPattern.isSeparator(text[next]) {
                    if !(exactLast && !same) { return mistakes }
                }
                position = 0
                mistakes = 0
            }
            index += 1
        }
        return nil
    }
}
