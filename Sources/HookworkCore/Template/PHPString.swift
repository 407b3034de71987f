/// The PHP string functions the template dialects lean on, byte for byte as PHP runs them.
///
/// They work on UTF-8 bytes rather than on `Character`s because PHP compares bytes: Swift's `String` equality would
/// treat a composed and a decomposed accent as the same text, PHP does not.
enum PHPString {
    /// `trim($text)`: strips space, `\t`, `\n`, `\r`, `\0` and `\x0B` from both ends.
    static func trim(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var start = 0
        var end = bytes.count
        while start < end, isTrimmed(bytes[start]) { start += 1 }
        while end > start, isTrimmed(bytes[end - 1]) { end -= 1 }
        if start == 0, end == bytes.count { return text }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    @inline(__always) static func isTrimmed(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x00 || byte == 0x0B
    }

    /// `rawurlencode($text)` (RFC 3986): everything but `A-Z a-z 0-9 - . _ ~` becomes `%XX` in upper-case hex.
    static func rawURLEncode(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(byte >> 4)])
                out.append(upperHex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    @inline(__always) private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// `htmlspecialchars($text)` with PHP 8.1's default flags (`ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML401`).
    static func htmlSpecialChars(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#039;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `str_replace($search, $replace, $subject)` for one pair: every non-overlapping occurrence, left to right.
    static func replace(_ search: String, with replacement: String, in subject: String) -> String {
        let needle = Array(search.utf8)
        let bytes = Array(subject.utf8)
        guard !needle.isEmpty, find(needle, in: bytes, from: 0) != nil else { return subject }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var position = 0
        while let hit = find(needle, in: bytes, from: position) {
            out += bytes[position..<hit]
            out += replacement.utf8
            position = hit + needle.count
        }
        out += bytes[position...]
        return String(decoding: out, as: UTF8.self)
    }

    /// The first index at or after `start` where `needle` occurs in `bytes`, before `end` (default: the end).
    static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int, to end: Int? = nil) -> Int? {
        let limit = (end ?? bytes.count) - needle.count
        guard !needle.isEmpty, start <= limit else { return nil }
        let first = needle[0]
        var index = start
        while index <= limit {
            if bytes[index] == first {
                var matched = true
                for offset in 1..<needle.count where bytes[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    /// Whether `bytes` has `prefix` at `index`.
    static func hasPrefix(_ prefix: [UInt8], in bytes: [UInt8], at index: Int) -> Bool {
        guard index >= 0, index + prefix.count <= bytes.count else { return false }
        for offset in 0..<prefix.count where bytes[index + offset] != prefix[offset] { return false }
        return true
    }

    /// `preg_replace('/OPEN(.*?)CLOSE/ms', '', $text)`: deletes each OPEN…CLOSE block (the nearest CLOSE wins).
    static func removeBlocks(_ bytes: [UInt8], open: String, close: String) -> [UInt8] {
        let openBytes = Array(open.utf8)
        let closeBytes = Array(close.utf8)
        guard find(openBytes, in: bytes, from: 0) != nil else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var position = 0
        while let start = find(openBytes, in: bytes, from: position),
            let end = find(closeBytes, in: bytes, from: start + openBytes.count)
        {
            out += bytes[position..<start]
            position = end + closeBytes.count
        }
        out += bytes[position...]
        return out
    }

    /// PHP's `empty($value)`: null, false, 0, 0.0, `""`, `"0"` and an empty array.
    static func isEmpty(_ value: JSONValue) -> Bool {
        !PHPLoose.isTruthyValue(value)
    }

    /// The first `count` bytes of `text` (`substr($text, 0, $count)`), and whether the cut split a character (PHP then
    /// holds invalid UTF-8; Swift keeps the whole characters before the cut).
    static func prefix(_ text: String, bytes count: Int) -> (text: String, isBroken: Bool) {
        let utf8 = Array(text.utf8)
        guard utf8.count > count else { return (text, false) }
        var end = max(count, 0)
        // A UTF-8 continuation byte at the cut means a character was split; back off to its start.
        let broken = end < utf8.count && (utf8[end] & 0xC0) == 0x80
        while end > 0, end < utf8.count, (utf8[end] & 0xC0) == 0x80 { end -= 1 }
        return (String(decoding: utf8[..<end], as: UTF8.self), broken)
    }
}
