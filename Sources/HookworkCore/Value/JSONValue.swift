/// A JSON value that keeps object key order and tells integers from floats, as PHP's `json_decode` does.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// An ordered JSON object: keys keep their insertion order (PHP arrays do), lookups are hashed.
public struct JSONObject: Sendable, Hashable, Sequence {
    /// The keys in insertion order.
    public private(set) var keys: [String]
    /// The values, parallel to `keys`.
    public private(set) var values: [JSONValue]
    /// Key positions, kept only from `indexedCount` keys on: a smaller object is searched in order, which is as fast
    /// and spares a hash table for every message and small record a cache of open chats holds.
    private var index: [String: Int]?
    /// The number of keys from which an object keeps an index.
    static let indexedCount = 17

    /// An empty object.
    public init() {
        keys = []
        values = []
        index = nil
    }

    /// An object from ordered pairs; a repeated key keeps its first position and its last value (as `json_decode`).
    public init(_ pairs: [(String, JSONValue)]) {
        self.init()
        keys.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        if pairs.count >= Self.indexedCount { index = Dictionary(minimumCapacity: pairs.count) }
        for (key, value) in pairs { self[key] = value }
    }

    /// The number of keys.
    public var count: Int { keys.count }
    /// Whether the object has no keys.
    public var isEmpty: Bool { keys.isEmpty }

    /// The value at `key`, or nil; setting nil removes the key.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = position(of: key) else { return nil }
            return values[position]
        }
        set {
            if let position = position(of: key) {
                if let newValue {
                    values[position] = newValue
                } else {
                    keys.remove(at: position)
                    values.remove(at: position)
                    reindex()
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
                if index != nil {
                    index![key] = keys.count - 1
                } else if keys.count >= Self.indexedCount {
                    reindex()
                }
            }
        }
    }

    /// Where `key` is.
    @inline(__always)
    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return keys.firstIndex(of: key)
    }

    /// Builds the index again, or drops it for a small object.
    private mutating func reindex() {
        guard keys.count >= Self.indexedCount else {
            index = nil
            return
        }
        var fresh = [String: Int](minimumCapacity: keys.count)
        for (offset, key) in keys.enumerated() { fresh[key] = offset }
        index = fresh
    }

    /// Iterates `(key, value)` pairs in order.
    public func makeIterator() -> some IteratorProtocol<(key: String, value: JSONValue)> {
        var position = 0
        let keys = keys
        let values = values
        return AnyIterator {
            guard position < keys.count else { return nil }
            defer { position += 1 }
            return (key: keys[position], value: values[position])
        }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.keys == rhs.keys && lhs.values == rhs.values
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(keys)
        hasher.combine(values)
    }
}

extension JSONValue {
    /// The object, if this is one.
    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The list, if this is one.
    public var arrayValue: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The integer, if this is one (floats with an integral value included).
    public var intValue: Int? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value.rounded() == value && abs(value) < 9.2e18: return Int(value)
        default: return nil
        }
    }

    /// The one loose integer reader: an int, an integral float, a boolean (1 or 0), or a string that is one of these
    /// numbers once ASCII whitespace is trimmed (`"5"`, `" 5 "`, `"2.0"`, `"1e3"`). Chat platforms written in PHP send
    /// ids and statuses in any of these forms; the store's indexed columns, the SQL filters and the engine all read
    /// them through this, so that `"2.0"` is closed everywhere.
    public var looseInt: Int? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value.rounded(.towardZero) == value && abs(value) < 9.2e18: return Int(value)
        case .bool(let flag): return flag ? 1 : 0
        case .string(let text):
            let trimmed = text.trimmingASCIISpaces
            if let number = Int(trimmed) { return number }
            if let number = Double(trimmed), number.isFinite, number.rounded(.towardZero) == number, abs(number) < 9.2e18 { return Int(number) }
            return nil
        default: return nil
        }
    }

    /// The number as a Double, if this is a number.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    /// The boolean, if this is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Whether this is JSON `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The member at `key` of an object; nil for anything else.
    public subscript(key: String) -> JSONValue? {
        get { objectValue?[key] }
        set {
            guard case .object(var object) = self else { return }
            self = .null
            object[key] = newValue
            self = .object(object)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }
}

extension String {
    /// The text without leading and trailing ASCII whitespace (space, tab, CR, LF).
    fileprivate var trimmingASCIISpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[start...end]
    }
}
