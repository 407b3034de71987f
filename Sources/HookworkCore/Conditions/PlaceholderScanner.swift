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
    ///
    /// One pass with a stack of open `{args.` starts: a `}` closes the innermost (that start's match ends there), a
    /// `{` that does not open `{args.` fails every open start (their scans would stop on it), and nesting deeper than
    /// PCRE's recursion limit fails the outermost. The alternatives start with different characters and the run is
    /// possessive, so this is the only way the pattern can match, and a text of any length costs one pass.
    static func argsMatches(in bytes: [UInt8]) -> [Match] {
        var ends = [Int](repeating: -1, count: bytes.count)
        var open: [Int] = []
        var failedBelow = 0
        var anyEnd = false
        for index in bytes.indices {
            switch bytes[index] {
            case UInt8(ascii: "{"):
                if hasPrefix(bytes, argsPrefix, at: index) {
                    if open.count - failedBelow >= maxNesting { failedBelow += 1 }
                    open.append(index)
                } else {
                    open.removeAll(keepingCapacity: true)
                    failedBelow = 0
                }
            case UInt8(ascii: "}"):
                if open.count > failedBelow {
                    ends[open.removeLast()] = index + 1
                    anyEnd = true
                }
            default:
                break
            }
        }
        guard anyEnd else { return [] }
        var matches: [Match] = []
        var cursor = 0
        for start in bytes.indices where start >= cursor && ends[start] >= 0 {
            let end = ends[start]
            matches.append(Match(range: start..<end, pathRange: (start + argsPrefix.count)..<(end - 1)))
            cursor = end
        }
        return matches
    }

    /// PCRE gives up on recursion this deep; so does the scan.
    static let maxNesting = 250

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

/// The bounds on condition text that arrives from an administrator or a visitor (README, "Limits").
public enum ConditionLimits {
    /// The longest `attr` or `value` a condition may have when it is saved.
    public static let maxSideLength = 65_536
}
