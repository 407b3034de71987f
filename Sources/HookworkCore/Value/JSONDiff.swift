/// One difference between two JSON documents: the member at `path` (a JSON Pointer, RFC 6901) was added (no
/// `before`), removed (no `after`) or changed.
public struct JSONChange: Sendable, Equatable {
    /// Where, as a JSON Pointer: `/conditions/2/value`.
    public var path: String
    /// The value before; nil when the member was added.
    public var before: JSONValue?
    /// The value after; nil when the member was removed.
    public var after: JSONValue?

    /// A change.
    public init(path: String, before: JSONValue?, after: JSONValue?) {
        self.path = path
        self.before = before
        self.after = after
    }

    /// `added`, `removed` or `changed`.
    public var operation: String { before == nil ? "added" : after == nil ? "removed" : "changed" }
}

/// The differences between two JSON documents, member by member: objects are compared by key (a moved key is not a
/// change), arrays position by position. Bounded: below `maxDepth` levels a differing value is one change as a
/// whole, and at most `maxChanges` are listed.
public struct JSONDiff: Sendable, Equatable {
    /// The changes: at each level the members removed and added first, then those changed inside.
    public private(set) var changes: [JSONChange] = []
    /// Whether more changes were found than were listed.
    public private(set) var truncated = false

    /// The differences from `before` to `after`.
    public init(from before: JSONValue, to after: JSONValue, maxDepth: Int = 32, maxChanges: Int = 500) {
        var pending: [(path: String, before: JSONValue, after: JSONValue, depth: Int)] = [("", before, after, 0)]
        // An explicit stack, last first, so that a deep document costs no native recursion.
        while let (path, old, new, depth) = pending.popLast() {
            if changes.count >= maxChanges {
                truncated = true
                return
            }
            switch (old, new) {
            case (.object(let left), .object(let right)) where depth <= maxDepth:
                var children: [(String, JSONValue, JSONValue, Int)] = []
                for (key, value) in left {
                    let child = path + "/" + Self.escaped(key)
                    if let other = right[key] {
                        if other != value { children.append((child, value, other, depth + 1)) }
                    } else {
                        append(JSONChange(path: child, before: value, after: nil), limit: maxChanges)
                    }
                }
                for (key, value) in right where left[key] == nil {
                    append(JSONChange(path: path + "/" + Self.escaped(key), before: nil, after: value), limit: maxChanges)
                }
                pending += children.reversed()
            case (.array(let left), .array(let right)) where depth <= maxDepth:
                var children: [(String, JSONValue, JSONValue, Int)] = []
                for index in 0..<max(left.count, right.count) {
                    let child = path + "/\(index)"
                    let value: JSONValue? = index < left.count ? .some(left[index]) : .none
                    let other: JSONValue? = index < right.count ? .some(right[index]) : .none
                    switch (value, other) {
                    case (let value?, let other?) where value != other: children.append((child, value, other, depth + 1))
                    case (let value?, nil): append(JSONChange(path: child, before: value, after: nil), limit: maxChanges)
                    case (nil, let other?): append(JSONChange(path: child, before: nil, after: other), limit: maxChanges)
                    default: break
                    }
                }
                pending += children.reversed()
            default:
                if old != new { append(JSONChange(path: path, before: old, after: new), limit: maxChanges) }
            }
        }
    }

    private mutating func append(_ change: JSONChange, limit: Int) {
        guard changes.count < limit else {
            truncated = true
            return
        }
        changes.append(change)
    }

    /// A key as a JSON Pointer token: `~` is `~0`, `/` is `~1`.
    static func escaped(_ key: String) -> String {
        guard key.contains("~") || key.contains("/") else { return key }
        var token = ""
        for character in key {
            switch character {
            case "~": token += "~0"
            case "/": token += "~1"
            default: token.append(character)
            }
        }
        return token
    }
}

extension JSONValue {
    /// The value at a JSON Pointer (RFC 6901) as `JSONDiff` writes them, or nil when there is none.
    public func value(atPointer pointer: String) -> JSONValue? {
        var current = self
        for token in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let key = token.contains("~") ? String(token).unescapedPointerToken : String(token)
            switch current {
            case .object(let object):
                guard let next = object[key] else { return nil }
                current = next
            case .array(let array):
                guard let index = Int(key), array.indices.contains(index) else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }
}

extension String {
    /// A JSON Pointer token read back: `~1` is `/`, `~0` is `~`.
    fileprivate var unescapedPointerToken: String {
        var result = ""
        var escaping = false
        for character in self {
            if escaping {
                result.append(character == "1" ? "/" : character == "0" ? "~" : character)
                escaping = false
            } else if character == "~" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}
