extension JSONValue {
    /// Compact standard JSON: keys in order, strings escaped only where JSON requires it, floats in their shortest
    /// round-trip form (`0.1`, `2.0`, `1e-07`); the form Hookwork's own API writes.
    ///
    /// Floats that are not finite cannot be written in JSON and become `null`.
    public func jsonText() -> String {
        var out = ""
        JSONWriter.standard(self, into: &out)
        return out
    }

    /// PHP's `json_encode($value)` with default flags, as the reference puts values into Rest API bodies (spec §8.4).
    ///
    /// `/` is escaped as `\/`; non-ASCII characters become lower-case `\uXXXX` escapes (surrogate pairs above U+FFFF);
    /// floats use `serialize_precision = -1` (`0.1`, `1.0e-7`, and `2.0` as `2`, since `JSON_PRESERVE_ZERO_FRACTION`
    /// is off by default). An object is a PHP array here: empty, or with exactly the keys `"0"`…`"n-1"` in order, it
    /// is written as a list. When `json_encode` would fail (an infinite or NaN float) the result is `""`, which is
    /// what the reference's `false` turns into when it is spliced into text.
    public func phpJSON() -> String {
        phpJSONIfEncodable() ?? ""
    }

    /// `json_encode($value)`, or nil where PHP returns `false` (an infinite or NaN float anywhere in the value).
    func phpJSONIfEncodable() -> String? {
        var out = ""
        guard JSONWriter.php(self, into: &out) else { return nil }
        return out
    }
}

/// The two JSON writers behind `jsonText()` and `phpJSON()`.
enum JSONWriter {
    private static let hexDigits: [Character] = Array("0123456789abcdef")

    static func standard(_ value: JSONValue, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let integer): out += String(integer)
        case .double(let double): out += double.isFinite ? double.description : "null"
        case .string(let string): standardString(string, into: &out)
        case .array(let list):
            out += "["
            for (offset, item) in list.enumerated() {
                if offset > 0 { out += "," }
                standard(item, into: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            for (offset, (key, member)) in object.enumerated() {
                if offset > 0 { out += "," }
                standardString(key, into: &out)
                out += ":"
                standard(member, into: &out)
            }
            out += "}"
        }
    }

    /// Returns false where `json_encode` fails.
    static func php(_ value: JSONValue, into out: inout String) -> Bool {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let integer): out += String(integer)
        case .double(let double):
            guard double.isFinite else { return false }
            out += PHPNumber.json(double)
        case .string(let string): phpString(string, into: &out)
        case .array(let list):
            out += "["
            for (offset, item) in list.enumerated() {
                if offset > 0 { out += "," }
                guard php(item, into: &out) else { return false }
            }
            out += "]"
        case .object(let object):
            if isPHPList(object) {
                out += "["
                for (offset, item) in object.values.enumerated() {
                    if offset > 0 { out += "," }
                    guard php(item, into: &out) else { return false }
                }
                out += "]"
                return true
            }
            out += "{"
            for (offset, (key, member)) in object.enumerated() {
                if offset > 0 { out += "," }
                phpString(key, into: &out)
                out += ":"
                guard php(member, into: &out) else { return false }
            }
            out += "}"
        }
        return true
    }

    /// Whether a decoded object is a list to PHP: `json_decode(..., true)` turns `"0"`, `"1"`… into integer keys, and
    /// an array whose keys are 0…n-1 in order encodes as a list (an empty one included).
    static func isPHPList(_ object: JSONObject) -> Bool {
        for (offset, key) in object.keys.enumerated() where !key.utf8.elementsEqual(String(offset).utf8) { return false }
        return true
    }

    private static func standardString(_ string: String, into out: inout String) {
        quotedString(string, php: false, into: &out)
    }

    private static func phpString(_ string: String, into out: inout String) {
        quotedString(string, php: true, into: &out)
    }

    /// A quoted JSON string; `php` adds what `json_encode` does by default: `\/` and `\uXXXX` for everything
    /// outside ASCII (surrogate pairs beyond the BMP).
    private static func quotedString(_ string: String, php: Bool, into out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where php: out += "\\/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                let value = scalar.value
                if value < 0x20 {
                    appendEscape(value, into: &out)
                } else if value < 0x80 || !php {
                    out.unicodeScalars.append(scalar)
                } else if value <= 0xFFFF {
                    appendEscape(value, into: &out)
                } else {
                    // Outside the BMP PHP writes the UTF-16 surrogate pair.
                    let offset = value - 0x10000
                    appendEscape(0xD800 + (offset >> 10), into: &out)
                    appendEscape(0xDC00 + (offset & 0x3FF), into: &out)
                }
            }
        }
        out += "\""
    }

    private static func appendEscape(_ unit: UInt32, into out: inout String) {
        out += "\\u"
        for shift in stride(from: 12, through: 0, by: -4) {
            out.append(hexDigits[Int((unit >> UInt32(shift)) & 0xF)])
        }
    }
}
