/// Finds `{args.PATH}` placeholders the way the reference does (spec §4.4 step 1):
/// `preg_match_all('~\{args\.((?:[^\{\}\}]++|(?R))*)\}~', …)`.
///
/// The pattern is recursive, so braces inside a placeholder must themselves open `{args.` placeholders and balance:
/// `{args.a.{args.b}}` is one placeholder whose path is `a.{args.b}`, while `{args.a{b}}` and `{args.a` are none.
enum PlaceholderScanner {
    /// One match: its byte range in the side and the byte range of its path (the capture group).
    struct Match: Equatable {
        var range: Range<Int>
        var pathRange: Range<Int>
    }

    static let argsPrefix: [UInt8] = Array("{args.".utf8)
    static let conditionPrefix: [UInt8] = Array("{condition.".utf8)
    static let timeToken: [UInt8] = Array("{time}".utf8)

    /// Every non-overlapping match, left to right, as `preg_match_all` reports them.
    static func argsMatches(in bytes: [UInt8]) -> [Match] {
        var matches: [Match] = []
        var start = 0
        while start < bytes.count {
            if bytes[start] == UInt8(ascii: "{"), let end = matchArgs(bytes, at: start, depth: 0) {
                matches.append(Match(range: start..<end, pathRange: (start + argsPrefix.count)..<(end - 1)))
                start = end
            } else {
                start += 1
            }
        }
        return matches
    }

    /// The end of a match starting at `start`, or nil. The alternatives start with different characters and the
    /// character run is possessive, so there is never more than one way to match: no backtracking is needed.
    static func matchArgs(_ bytes: [UInt8], at start: Int, depth: Int) -> Int? {
        // PCRE gives up on very deep recursion; so does this.
        guard depth < 250, hasPrefix(bytes, argsPrefix, at: start) else { return nil }
        var position = start + argsPrefix.count
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "}") { return position + 1 }
            if byte == UInt8(ascii: "{") {
                guard let end = matchArgs(bytes, at: position, depth: depth + 1) else { return nil }
                position = end
            } else {
                position += 1
            }
        }
        return nil
    }

    /// `{condition.IDENT}` occurrences (the bot text translator's syntax, spec §8.4): ranges and identifiers.
    static func conditionMatches(in bytes: [UInt8]) -> [(range: Range<Int>, identifier: String)] {
        var matches: [(Range<Int>, String)] = []
        var start = 0
        while start < bytes.count {
            if hasPrefix(bytes, conditionPrefix, at: start) {
                var end = start + conditionPrefix.count
                while end < bytes.count, bytes[end] != UInt8(ascii: "}"), bytes[end] != UInt8(ascii: "{") { end += 1 }
                if end < bytes.count, bytes[end] == UInt8(ascii: "}"), end > start + conditionPrefix.count {
                    let identifier = String(decoding: bytes[(start + conditionPrefix.count)..<end], as: UTF8.self)
                    matches.append((start..<(end + 1), identifier))
                    start = end + 1
                    continue
                }
            }
            start += 1
        }
        return matches
    }

    static func hasPrefix(_ bytes: [UInt8], _ prefix: [UInt8], at start: Int) -> Bool {
        guard start + prefix.count <= bytes.count else { return false }
        for offset in 0..<prefix.count where bytes[start + offset] != prefix[offset] { return false }
        return true
    }

    static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        firstIndex(of: needle, in: bytes, from: 0) != nil
    }

    static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return needle.isEmpty ? start : nil }
        var position = start
        while position + needle.count <= bytes.count {
            if hasPrefix(bytes, needle, at: position) { return position }
            position += 1
        }
        return nil
    }

    /// PHP's `str_replace($search, $replace, $subject)` on bytes: every non-overlapping occurrence, left to right.
    static func replaceAll(_ needle: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard !needle.isEmpty, var next = firstIndex(of: needle, in: bytes, from: 0) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var copied = 0
        while true {
            out.append(contentsOf: bytes[copied..<next])
            out.append(contentsOf: replacement)
            copied = next + needle.count
            guard let found = firstIndex(of: needle, in: bytes, from: copied) else { break }
            next = found
        }
        out.append(contentsOf: bytes[copied...])
        return out
    }
}
