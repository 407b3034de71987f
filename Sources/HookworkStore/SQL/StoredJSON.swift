import HookworkCore

/// Compact JSON text for documents kept in the store; `JSONValue(parsing:)` reads it back unchanged
/// (key order kept, integers stay integers, floats keep a fraction or an exponent).
///
/// The store's own writer rather than HookworkCore's `jsonText()`, which writes NaN and infinities as `null`: the store
/// refuses them instead (code `invalid`), so that what it keeps always reads back as what it was given.
enum StoredJSON {
    /// The text of `value`, or `invalid` if it holds a number JSON cannot express.
    static func text(_ value: JSONValue) throws(StoreError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        try write(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The text of an object.
    static func text(_ object: JSONObject) throws(StoreError) -> String {
        try text(.object(object))
    }

    /// Parses a stored document; a document that is not an object means the table was edited by hand.
    static func object(_ text: String) throws(StoreError) -> JSONObject {
        guard case .object(let object) = try value(text) else {
            throw StoreError(code: "invalid", message: "a stored document is not a JSON object; repair or delete the row")
        }
        return object
    }

    /// Parses stored JSON text.
    static func value(_ text: String) throws(StoreError) -> JSONValue {
        do {
            return try JSONValue(parsing: text)
        } catch {
            throw StoreError(code: "invalid", message: "stored JSON cannot be read (\(error)); repair or delete the row")
        }
    }

    private static func write(_ value: JSONValue, to out: inout [UInt8]) throws(StoreError) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .double(let number):
            guard number.isFinite else {
                throw StoreError(code: "invalid", message: "the number \(number) has no JSON form; send a finite number or a string")
            }
            // Swift's shortest round-trip form ("1.0", "1e-05", "1e+20") is valid JSON and always reads back as a float.
            out.append(contentsOf: number.description.utf8)
        case .string(let string): writeString(string, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (offset, item) in items.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                try write(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, member) in object {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                try write(member, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func writeString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
