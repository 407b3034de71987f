import Foundation

/// What a JSON object stands for at its place in the arguments (conformance README, "Object nodes in args").
///
/// The reference passes model objects, not arrays, at some places; they differ in their text form and in which
/// path steps apply to them.
public enum NodeKind: Sendable, Hashable {
    /// A plain PHP array: a list or a map.
    case plain
    /// The argument root whose `chat` is a chat.
    case argsWithChat
    /// The argument root whose `chat` is a mail message (continuous mail, or a hook event that carries `mail`).
    case argsWithMail
    /// A chat (`lh_chat`).
    case chat
    /// A mail message (`lhc_mailconv_msg`); its text form is its `subject`.
    case mailMessage
    /// A mail conversation; its text form is its `mail`.
    case conversation
    /// A chat message.
    case message
    /// An operator (`lh_users`); its text form is `"username (email)"`.
    case `operator`
    /// A department; its text form is its `name`.
    case department
    /// A department's statistics object.
    case stats
    /// A visitor session (`online_user`).
    case onlineUser

    /// Whether values of this kind are model objects (property reads only) rather than PHP arrays.
    public var isModelObject: Bool {
        switch self {
        case .plain, .argsWithChat, .argsWithMail: return false
        default: return true
        }
    }

    /// The kind of the member `key` of a node of this kind, when that member is a JSON object.
    func memberKind(_ key: String) -> NodeKind {
        switch self {
        case .argsWithChat, .argsWithMail:
            switch key {
            case "chat": return self == .argsWithChat ? .chat : .mailMessage
            case "mail": return .mailMessage
            case "conversation": return .conversation
            case "msg": return .message
            case "user_data", "user": return .operator
            case "department": return .department
            default: return .plain
            }
        case .chat:
            switch key {
            case "department": return .department
            case "user": return .operator
            case "last_msg", "last_msg_text", "last_message": return .message
            case "online_user": return .onlineUser
            default: return .plain
            }
        case .mailMessage, .conversation:
            switch key {
            case "conversation" where self == .mailMessage: return .conversation
            case "department": return .department
            case "user": return .operator
            default: return .plain
            }
        case .department:
            return key == "stats" ? .stats : .plain
        default:
            return .plain
        }
    }
}

/// The outcome of resolving a path: not found, or a value with the kind of node it is.
public enum PathResult: Sendable, Hashable {
    case notFound
    case found(JSONValue, NodeKind)

    /// The found value, or nil.
    public var value: JSONValue? {
        if case .found(let value, _) = self { return value }
        return nil
    }
}

/// A compiled dot-path (`chat.department.name`, `list.[t=a].v`, `tags___array_pop`, `x^implode==,`), spec §4.5.
///
/// Mirrors the reference's `extractAttribute`: the path is split on the separator once, here, so that resolving
/// parses nothing.
public struct DotPath: Sendable, Hashable {
    /// The path as written.
    public let source: String
    let steps: [Step]
    let implode: Implode?

    /// One path segment, classified once.
    enum Step: Sendable, Hashable {
        /// A member name; `index` is set when the name is a canonical integer (list index, string offset).
        case member(String, index: Int?, suffix: Suffix)
        /// `[key=value]`, or `[key]` (value nil): the last item whose `key` is PHP-loose equal to `value`.
        case filter(key: String, value: String?)
        /// `[key=__EXIST__]`: the last item that has `key`.
        case exists(key: String)
        /// An empty segment (`a..b`, a leading or trailing separator): never found.
        case empty
    }

    /// The array-only suffix of a member segment, applied when the whole name is not itself a key.
    enum Suffix: Sendable, Hashable {
        case none
        case jsonText(name: String)
        case arrayPop(name: String)
    }

    /// The `^implode==TEMPLATE` suffix: join a list's items.
    struct Implode: Sendable, Hashable {
        let template: String
    }

    /// The most segments a path may have where it is saved (a condition, a template); resolution is a loop, so a
    /// longer path that arrives otherwise costs only its length.
    public static let maxSegments = 64

    /// Compiles `text`, split on `separator` (`.` in conditions and templates, `:` in Rest API response rules).
    public init(_ text: String, separator: Character = ".") {
        source = text
        let caretParts = text.split(separator: "^", maxSplits: 1, omittingEmptySubsequences: false)
        let pathText = caretParts.isEmpty ? "" : String(caretParts[0])
        if caretParts.count > 1 {
            let pieces = caretParts[1].components(separatedBy: "==")
            implode = pieces.count > 1 && pieces[0] == "implode" ? Implode(template: pieces[1]) : nil
        } else {
            implode = nil
        }
        steps = pathText.split(separator: separator, omittingEmptySubsequences: false).map { Self.step(String($0)) }
    }

    static func step(_ segment: String) -> Step {
        if segment.isEmpty { return .empty }
        if segment.hasPrefix("["), segment.hasSuffix("]"), segment.count >= 2 {
            let inner = segment.dropFirst().dropLast()
            let pieces = inner.components(separatedBy: "=")
            let key = pieces[0]
            guard pieces.count > 1 else { return .filter(key: key, value: nil) }
            if pieces[1] == "__EXIST__" { return .exists(key: key) }
            return .filter(key: key, value: pieces[1])
        }
        let suffix: Suffix
        if let range = segment.range(of: "___json_text") {
            suffix = .jsonText(name: String(segment[..<range.lowerBound]))
        } else if let range = segment.range(of: "___array_pop") {
            suffix = .arrayPop(name: String(segment[..<range.lowerBound]))
        } else {
            suffix = .none
        }
        return .member(segment, index: canonicalInteger(segment), suffix: suffix)
    }

    /// The integer a PHP array key string becomes (`"12"`, `"-3"`, not `"012"` or `"+1"`).
    static func canonicalInteger(_ text: String) -> Int? {
        guard let value = Int(text), String(value) == text else { return nil }
        return value
    }

    /// Resolves the path against `root`, whose kind decides which members are object nodes.
    public func resolve(in root: JSONValue, rootKind: NodeKind = .argsWithChat) -> PathResult {
        guard !source.isEmpty else { return .notFound }
        var current = root
        var kind = rootKind
        for step in steps {
            guard let next = Self.apply(step, to: current, kind: kind) else { return .notFound }
            (current, kind) = next
        }
        if let implode { current = implode.apply(to: current) }
        return .found(current, kind)
    }

    static func apply(_ step: Step, to current: JSONValue, kind: NodeKind) -> (JSONValue, NodeKind)? {
        switch step {
        case .empty:
            return nil
        case .filter(let key, let wanted):
            var match: JSONValue?
            forEachItem(of: current) { item in
                guard let value = itemMember(item, key) else { return }
                // `[key]` has no value part: PHP compares with null, which equals every falsy value.
                let equal = wanted.map { PHPLoose.equals(value, $0) } ?? !PHPLoose.isTruthyValue(value)
                if equal { match = item }
            }
            return match.map { ($0, .plain) }
        case .exists(let key):
            var match: JSONValue?
            forEachItem(of: current) { item in
                if itemMember(item, key) != nil { match = item }
            }
            return match.map { ($0, .plain) }
        case .member(let name, let index, let suffix):
            if kind.isModelObject {
                // A model object: a property read; `___` suffixes and numeric offsets do not apply (README table, item 3).
                guard case .object(let object) = current, let value = object[name], !value.isNull else { return nil }
                return (value, childKind(of: kind, key: name, value: value))
            }
            switch current {
            case .object(let object):
                if let value = object[name], !value.isNull { return (value, childKind(of: kind, key: name, value: value)) }
                return applySuffix(suffix, lookup: { object[$0] })
            case .array(let list):
                if let index, list.indices.contains(index), !list[index].isNull { return (list[index], .plain) }
                return applySuffix(suffix) { key in
                    guard let position = canonicalInteger(key), list.indices.contains(position) else { return nil }
                    return list[position]
                }
            case .string(let string):
                // A numeric segment on a string picks one byte, as PHP's string offsets do (negative counts from the end).
                guard let index else { return nil }
                let bytes = Array(string.utf8)
                let position = index < 0 ? bytes.count + index : index
                guard bytes.indices.contains(position) else { return nil }
                return (.string(String(decoding: [bytes[position]], as: UTF8.self)), .plain)
            default:
                return nil
            }
        }
    }

    static func applySuffix(_ suffix: Suffix, lookup: (String) -> JSONValue?) -> (JSONValue, NodeKind)? {
        switch suffix {
        case .none:
            return nil
        case .jsonText(let name):
            guard case .string(let text)? = lookup(name) else { return nil }
            // Invalid JSON decodes to null, which still counts as found (path-000029).
            return ((try? JSONValue(parsing: text)) ?? .null, .plain)
        case .arrayPop(let name):
            switch lookup(name) {
            case .array(let list)?: return (list.last ?? .null, .plain)
            case .object(let object)?: return (object.values.last ?? .null, .plain)
            default: return nil
            }
        }
    }

    static func childKind(of kind: NodeKind, key: String, value: JSONValue) -> NodeKind {
        guard case .object = value else { return .plain }
        return kind.memberKind(key)
    }

    /// Calls `body` with each element of a list or each value of a map (PHP's `foreach`).
    static func forEachItem(of value: JSONValue, _ body: (JSONValue) -> Void) {
        switch value {
        case .array(let list): list.forEach(body)
        case .object(let object): object.values.forEach(body)
        default: break
        }
    }

    /// `$item[$key]` when set (not null): a map member, a list index or a string offset.
    static func itemMember(_ item: JSONValue, _ key: String) -> JSONValue? {
        switch item {
        case .object(let object):
            guard let value = object[key], !value.isNull else { return nil }
            return value
        case .array(let list):
            guard let index = canonicalInteger(key), list.indices.contains(index), !list[index].isNull else { return nil }
            return list[index]
        case .string(let string):
            guard let index = canonicalInteger(key) else { return nil }
            let bytes = Array(string.utf8)
            let position = index < 0 ? bytes.count + index : index
            guard bytes.indices.contains(position) else { return nil }
            return .string(String(decoding: [bytes[position]], as: UTF8.self))
        default:
            return nil
        }
    }
}

extension DotPath.Implode {
    /// Joins a list's items: `TEMPLATE` after each item, or `{item}`/`{item:KEY}` substituted; `{n}` is a newline; trimmed.
    func apply(to value: JSONValue) -> JSONValue {
        switch value {
        case .array, .object: break
        default: return value  // only arrays are imploded (path-000052, path-000058)
        }
        var items: [JSONValue] = []
        DotPath.forEachItem(of: value) { items.append($0) }
        var out = ""
        let usesItem = template.contains("{item")
        for item in items {
            if usesItem {
                var piece = template
                if case .object(let object) = item {
                    for (key, member) in object { piece = piece.replacingOccurrences(of: "{item:\(key)}", with: PHPText.scalarText(member) ?? "") }
                }
                piece = piece.replacingOccurrences(of: "{item}", with: PHPText.scalarText(item) ?? "")
                out += piece
            } else {
                out += (PHPText.scalarText(item) ?? "") + template
            }
        }
        out = out.replacingOccurrences(of: "{n}", with: "\n")
        return .string(out.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
