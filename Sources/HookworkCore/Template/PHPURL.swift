/// PHP's URL parsing and `filter_var($url, FILTER_VALIDATE_URL)`, the check the reference runs on every Rest API URL
/// after substitution (spec §8.3.1 step 5).
///
/// Ported from `ext/standard/url.c` (`php_url_parse_ex2`) and `ext/filter/logical_filters.c`
/// (`php_filter_validate_url`), byte for byte, so that the same URLs pass and fail.
enum PHPURL {
    /// The parts `parse_url` returns; a nil part is absent, an empty one is present but empty.
    struct Parts {
        var scheme: [UInt8]?
        var user: [UInt8]?
        var pass: [UInt8]?
        var host: [UInt8]?
        var port: Int = 0
        var path: [UInt8]?
        var query: [UInt8]?
        var fragment: [UInt8]?
    }

    /// `filter_var($url, FILTER_VALIDATE_URL) !== false`.
    static func isValid(_ url: String) -> Bool {
        let bytes = Array(url.utf8)
        // FILTER_SANITIZE_URL keeps only printable ASCII; the validator fails when that changed the length.
        guard bytes.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else { return false }
        guard let parts = parse(bytes) else { return false }
        if let scheme = parts.scheme, equalsIgnoringCase(scheme, "http") || equalsIgnoringCase(scheme, "https") {
            guard let host = parts.host else { return false }
            guard isBracketedIPv6(host) || isValidHostname(host) else { return false }
        }
        guard let scheme = parts.scheme else { return false }
        if parts.host == nil, !["mailto", "news", "file"].contains(where: { scheme.elementsEqual($0.utf8) }) { return false }
        if let user = parts.user, !isValidUserInfo(user) { return false }
        if let pass = parts.pass, !isValidUserInfo(pass) { return false }
        return true
    }

    /// `parse_url($url)['scheme']`, for the reference's follow-up "http or https only" check (compared case-sensitively).
    static func scheme(_ url: String) -> String? {
        parse(Array(url.utf8))?.scheme.map { String(decoding: $0, as: UTF8.self) }
    }

    /// `php_url_parse_ex2`: nil where `parse_url` returns false.
    static func parse(_ str: [UInt8]) -> Parts? {
        var ret = Parts()
        let ue = str.count
        var s = 0

        enum Step { case port(Int), host, path }
        var step: Step

        if let e = memchr(str, UInt8(ascii: ":"), s, ue), e != s {
            var schemeIsValid = true
            step = .path
            for p in s..<e
            where !isAlpha(str[p]) && !isDigit(str[p]) && str[p] != UInt8(ascii: "+") && str[p] != UInt8(ascii: ".")
                && str[p] != UInt8(ascii: "-")
            {
                schemeIsValid = false
                if e + 1 < ue && e < strcspn(str, s, ue, "?#") {
                    step = .port(e)
                } else if s + 1 < ue && str[s] == UInt8(ascii: "/") && str[s + 1] == UInt8(ascii: "/") {
                    s += 2
                    step = .host
                } else {
                    step = .path
                }
                break
            }
            if schemeIsValid {
                if e + 1 == ue {  // only a scheme
                    ret.scheme = Array(str[s..<e])
                    return ret
                }
                if str[e + 1] != UInt8(ascii: "/") {
                    // `host:port` without a scheme, e.g. `a.com:80`
                    var p = e + 1
                    while p < ue && isDigit(str[p]) { p += 1 }
                    if (p == ue || str[p] == UInt8(ascii: "/")) && p - e < 7 {
                        step = .port(e)
                    } else {
                        ret.scheme = Array(str[s..<e])
                        s = e + 1
                        step = .path
                    }
                } else {
                    ret.scheme = Array(str[s..<e])
                    if e + 2 < ue && str[e + 2] == UInt8(ascii: "/") {
                        s = e + 3
                        step = .host
                        if equalsIgnoringCase(ret.scheme!, "file"), e + 3 < ue, str[e + 3] == UInt8(ascii: "/") {
                            // file:///c:/dir keeps the drive letter in the path
                            if e + 5 < ue && str[e + 5] == UInt8(ascii: ":") { s = e + 4 }
                            step = .path
                        }
                    } else {
                        s = e + 1
                        step = .path
                    }
                }
            }
        } else if let e = memchr(str, UInt8(ascii: ":"), s, ue) {  // starts with a colon
            step = .port(e)
        } else if s + 1 < ue && str[s] == UInt8(ascii: "/") && str[s + 1] == UInt8(ascii: "/") {
            s += 2
            step = .host
        } else {
            step = .path
        }

        if case .port(let e) = step {
            let p = e + 1
            var pp = p
            while pp < ue && pp - p < 6 && isDigit(str[pp]) { pp += 1 }
            if pp - p > 0 && pp - p < 6 && (pp == ue || str[pp] == UInt8(ascii: "/")) {
                guard let port = strtol(str[p..<pp]), port >= 0, port <= 65535 else { return nil }
                ret.port = port
                if s + 1 < ue && str[s] == UInt8(ascii: "/") && str[s + 1] == UInt8(ascii: "/") { s += 2 }
                step = .host
            } else if p == pp && pp == ue {
                return nil
            } else if s + 1 < ue && str[s] == UInt8(ascii: "/") && str[s + 1] == UInt8(ascii: "/") {
                s += 2
                step = .host
            } else {
                step = .path
            }
        }

        if case .host = step {
            let e = strcspn(str, s, ue, "/?#")
            if let at = memrchr(str, UInt8(ascii: "@"), s, e) {
                if let colon = memchr(str, UInt8(ascii: ":"), s, at) {
                    ret.user = Array(str[s..<colon])
                    ret.pass = Array(str[(colon + 1)..<at])
                } else {
                    ret.user = Array(str[s..<at])
                }
                s = at + 1
            }
            var hostEnd = e
            // `[…]` is an IPv6 literal: its colons are not a port separator.
            let colon = (s < ue && str[s] == UInt8(ascii: "[") && str[e - 1] == UInt8(ascii: "]")) ? nil : memrchr(str, UInt8(ascii: ":"), s, e)
            if let colon {
                if ret.port == 0 {
                    let p = colon + 1
                    if e - p > 5 { return nil }
                    if e - p > 0 {
                        guard let port = strtol(str[p..<e]), port >= 0, port <= 65535 else { return nil }
                        ret.port = port
                    }
                }
                hostEnd = colon
            }
            guard hostEnd - s >= 1 else { return nil }
            ret.host = Array(str[s..<hostEnd])
            if e == ue { return ret }
            s = e
        }

        // just_path
        var e = ue
        if let hash = memchr(str, UInt8(ascii: "#"), s, e) {
            ret.fragment = Array(str[(hash + 1)..<e])
            e = hash
        }
        if let question = memchr(str, UInt8(ascii: "?"), s, e) {
            ret.query = Array(str[(question + 1)..<e])
            e = question
        }
        if s < e || s == ue { ret.path = Array(str[s..<e]) }
        return ret
    }

    /// `php_filter_validate_domain_ex($host, FILTER_FLAG_HOSTNAME)`.
    static func isValidHostname(_ host: [UInt8]) -> Bool {
        var length = host.count
        var end = host.count
        if length > 0 && host[end - 1] == UInt8(ascii: ".") {  // a trailing dot is ignored
            end -= 1
            length -= 1
        }
        guard length <= 253, let first = host.first, first != UInt8(ascii: "."), isAlnum(first) else { return false }
        var label = 1
        var s = 0
        while s < end {
            let byte = host[s]
            if byte == UInt8(ascii: ".") {
                // A label starts and ends with a letter or digit. Past the end of the host C reads the NUL terminator.
                let next: UInt8 = s + 1 < host.count ? host[s + 1] : 0
                if next == UInt8(ascii: ".") || !isAlnum(host[s - 1]) || !isAlnum(next) { return false }
                label = 1
            } else {
                let atEnd = s + 1 == host.count
                if label > 63 || ((byte != UInt8(ascii: "-") || atEnd) && !isAlnum(byte)) { return false }
                label += 1
            }
            s += 1
        }
        return true
    }

    /// `is_userinfo_valid`: unreserved, sub-delims, `:` and `%` followed by a digit and a hex digit.
    static func isValidUserInfo(_ text: [UInt8]) -> Bool {
        let allowed = Array("-._~!$&'()*+,;=:".utf8)
        var p = 0
        while p < text.count {
            let byte = text[p]
            if isAlpha(byte) || isDigit(byte) || allowed.contains(byte) {
                p += 1
            } else if byte == UInt8(ascii: "%") && p + 2 < text.count && isDigit(text[p + 1]) && isHexDigit(text[p + 2]) {
                p += 3
            } else {
                return false
            }
        }
        return true
    }

    static func isBracketedIPv6(_ host: [UInt8]) -> Bool {
        guard host.count >= 2, host.first == UInt8(ascii: "["), host.last == UInt8(ascii: "]") else { return false }
        return isIPv6(Array(host[1..<(host.count - 1)]))
    }

    /// `_php_filter_validate_ipv6`.
    static func isIPv6(_ text: [UInt8]) -> Bool {
        guard text.contains(UInt8(ascii: ":")) else { return false }
        var length = text.count
        var blocks = 0
        if let dot = text.firstIndex(of: UInt8(ascii: ".")) {
            // An embedded IPv4 tail counts as two blocks.
            var ipv4 = dot
            while ipv4 > 0 && text[ipv4 - 1] != UInt8(ascii: ":") { ipv4 -= 1 }
            guard isIPv4(Array(text[ipv4...])) else { return false }
            length = ipv4
            guard length >= 2 else { return false }
            if text[ipv4 - 2] != UInt8(ascii: ":") { length -= 1 }
            blocks = 2
        }
        var compressed = false
        var s = 0
        while s < length {
            if text[s] == UInt8(ascii: ":") {
                s += 1
                if s >= length { return false }
                if text[s] == UInt8(ascii: ":") {
                    if compressed { return false }
                    compressed = true
                    blocks += 1
                    s += 1
                    if s == length { return blocks <= 8 }
                } else if s - 1 == 0 {
                    return false
                }
            }
            var digits = 0
            while s < length && isHexDigit(text[s]) {
                digits += 1
                s += 1
            }
            if digits < 1 || digits > 4 { return false }
            blocks += 1
            if blocks > 8 { return false }
        }
        return (compressed && blocks <= 8) || blocks == 8
    }

    /// `_php_filter_validate_ipv4`: four decimal parts 0–255, no leading zeros.
    static func isIPv4(_ text: [UInt8]) -> Bool {
        var s = 0
        var parts = 0
        while s < text.count {
            guard isDigit(text[s]) else { return false }
            let leadingZero = text[s] == UInt8(ascii: "0")
            var digits = 1
            var number = Int(text[s] - UInt8(ascii: "0"))
            s += 1
            while s < text.count && isDigit(text[s]) {
                number = number * 10 + Int(text[s] - UInt8(ascii: "0"))
                digits += 1
                if number > 255 || digits > 3 { return false }
                s += 1
            }
            if leadingZero && (number != 0 || digits > 1) { return false }
            parts += 1
            if parts == 4 { return s == text.count }
            guard s < text.count, text[s] == UInt8(ascii: ".") else { return false }
            s += 1
        }
        return false
    }

    // MARK: C library stand-ins (C locale)

    /// `strtol` on a short buffer: leading whitespace, an optional sign, digits; nil when no digit was read.
    static func strtol(_ bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        while index < bytes.endIndex, bytes[index] == 0x20 || (0x09...0x0D).contains(bytes[index]) { index += 1 }
        var negative = false
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var value = 0
        var sawDigit = false
        while index < bytes.endIndex, isDigit(bytes[index]) {
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            sawDigit = true
            index += 1
        }
        guard sawDigit else { return nil }
        return negative ? -value : value
    }

    private static func memchr(_ bytes: [UInt8], _ byte: UInt8, _ start: Int, _ end: Int) -> Int? {
        var index = start
        while index < end {
            if bytes[index] == byte { return index }
            index += 1
        }
        return nil
    }

    private static func memrchr(_ bytes: [UInt8], _ byte: UInt8, _ start: Int, _ end: Int) -> Int? {
        var index = end - 1
        while index >= start {
            if bytes[index] == byte { return index }
            index -= 1
        }
        return nil
    }

    /// `binary_strcspn`: the first position before `end` holding any of `characters`, else `end`.
    private static func strcspn(_ bytes: [UInt8], _ start: Int, _ end: Int, _ characters: String) -> Int {
        var limit = end
        for character in characters.utf8 {
            if let hit = memchr(bytes, character, start, limit) { limit = hit }
        }
        return limit
    }

    private static func equalsIgnoringCase(_ bytes: [UInt8], _ text: String) -> Bool {
        bytes.count == text.utf8.count && zip(bytes, text.utf8).allSatisfy { lower($0) == lower($1) }
    }

    @inline(__always) private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    @inline(__always) static func isAlpha(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    @inline(__always) static func isAlnum(_ byte: UInt8) -> Bool { isAlpha(byte) || isDigit(byte) }

    @inline(__always) static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }
}
