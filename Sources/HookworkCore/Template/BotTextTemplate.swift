/// A text in the bot-text dialect (the reference's `translateMessage`, spec §8.4), compiled once: e-mail subjects and
/// bodies, text messages, and the Rest API's `custom_args_N`.
///
/// No conformance cases record this dialect, so the behaviour below is derived from spec §8.4 and the reference's
/// `translateMessage`; each choice is stated where it is made.
///
/// * `{args.PATH}` resolves PATH (dot-separated, spec §4.5) against the trigger arguments. A missing value prints as
///   `""`, a scalar as PHP's string cast, a department, operator, mail message or conversation as its text form, and
///   anything else (a list, a map, another model object) as its JSON.
/// * Suffixes, separated by `__`: `__url` (RFC 3986 percent-encoding), `__escape` (`htmlspecialchars`), `__json`
///   (`json_encode`, missing gives `null`), `__direct` (the plain text, unescaped), `__datef__FORMAT` (PHP `date()`
///   of a unix time, in UTC), `__not_empty__TEXT` / `__is_empty__TEXT` (TEXT when the value is / is not empty in
///   PHP's `empty()` sense, else nothing), and `a__or__b` (the first alternative that is not empty, else the last
///   one). An alternative is a path, with or without `args.`; `TEXT__literal` makes it literal text. `__` is only a
///   separator in front of one of these words, so `name___json_text` stays a path step.
/// * In JSON mode (a template whose result is parsed as JSON) a plain `{args.PATH}` is written as JSON (strings quoted,
///   missing as `null`), and `__direct` writes the bare text.
/// * `{lhc.nick}`, `{lhc.email}`, `{lhc.department}` read the chat; `{lhc.var.K}` and `{lhc.add.K}` read the chat's
///   variables and additional data, and, as in the reference, stay as written when the chat has no string or number
///   under K.
/// * `{current_time_ts}` is the unix time.
/// * `{identifier__Default text}` is a translation item: Hookwork has no translation groups, so it prints the default
///   text; a `__t[FROM:TO]` argument (optionally `||DAYS`, ISO weekdays `1`–`7`) limits it to those UTC hours and days.
/// * Anything else in braces stays as written. Placeholders do not nest, and a substituted value is not scanned again.
public struct BotTextTemplate: Sendable {
    /// The text as written.
    public let source: String
    /// Whether plain `{args.…}` values are written as JSON.
    public let jsonMode: Bool
    let pieces: [Piece]

    /// Compiles `text`; `jsonMode` is for texts whose result is parsed as JSON.
    public init(_ text: String, jsonMode: Bool = false) {
        source = text
        self.jsonMode = jsonMode
        pieces = Self.parse(text)
    }

    /// Renders against the trigger arguments (`args.chat` is the chat) at unix time `now`.
    public func render(args: JSONValue, now: Int) -> String {
        render(args: args, now: now, rootKind: .argsWithChat)
    }

    /// Renders against arguments whose object nodes are described by `rootKind`.
    public func render(args: JSONValue, now: Int, rootKind: NodeKind) -> String {
        var out = ""
        out.reserveCapacity(source.utf8.count + 32)
        for piece in pieces {
            switch piece {
            case .text(let text):
                out += text
            case .argument(let argument):
                out += argument.render(args: args, rootKind: rootKind, jsonMode: jsonMode)
            case .chat(let field, let written):
                out += field.render(chat: args["chat"]?.objectValue) ?? written
            case .currentTime:
                out += String(now)
            case .translation(let text, let window):
                out += window.map { $0.contains(now) } ?? true ? text : ""
            }
        }
        return out
    }
}

extension BotTextTemplate {
    indirect enum Piece: Sendable {
        case text(String)
        case argument(Argument)
        /// A `{lhc.…}` field and the placeholder as written (kept when the field has no value).
        case chat(ChatField, written: String)
        case currentTime
        case translation(String, window: Window?)
    }

    /// `{lhc.…}` fields.
    enum ChatField: Sendable {
        case nick
        case email
        case department
        case variable(String)
        case additional(String)

        /// The text, or nil when the reference has no replacement for it.
        func render(chat: JSONObject?) -> String? {
            switch self {
            case .nick: return chat?["nick"].flatMap(PHPText.scalarText) ?? ""
            case .email: return chat?["email"].flatMap(PHPText.scalarText) ?? ""
            case .department:
                guard let department = chat?["department"] else { return "" }
                return PHPText.text(of: department, kind: .department) ?? ""
            case .variable(let key):
                guard let chat else { return nil }
                return RestTemplate.Scope.chatVariable(chat, key: key).flatMap(PHPText.scalarText)
            case .additional(let key):
                guard let chat else { return nil }
                return RestTemplate.Scope.additionalData(chat, key: key).flatMap(PHPText.scalarText)
            }
        }
    }

    /// The hours (and weekdays) a translation item is shown in.
    struct Window: Sendable {
        let from: Int
        let to: Int
        let weekdays: [Int]?

        func contains(_ now: Int) -> Bool {
            let fields = PHPDate.Fields(now)
            guard from <= fields.hour, to > fields.hour else { return false }
            return weekdays.map { $0.contains(fields.weekday) } ?? true
        }
    }

    /// One alternative of an `{args.…}` placeholder.
    enum Alternative: Sendable {
        case path(DotPath)
        case literal(String)
    }

    enum Encoding: Sendable {
        case plain
        case url
        case escape
        case json
        case direct
    }

    /// `{args.PATH…}` with its suffixes.
    struct Argument: Sendable {
        var alternatives: [Alternative]
        var encoding: Encoding = .plain
        /// `__not_empty__TEXT` (true) or `__is_empty__TEXT` (false).
        var condition: (whenFilled: Bool, text: String)?
        var dateFormat: String?

        func render(args: JSONValue, rootKind: NodeKind, jsonMode: Bool) -> String {
            var chosen: (JSONValue, NodeKind)?
            for alternative in alternatives {
                switch alternative {
                case .literal(let text): chosen = (.string(text), .plain)
                case .path(let path):
                    if case .found(let value, let kind) = path.resolve(in: args, rootKind: rootKind) {
                        chosen = (value, kind)
                    } else {
                        chosen = nil
                    }
                }
                if let (value, kind) = chosen, !Self.isEmpty(value, kind: kind) { break }
            }
            if let condition {
                let filled = chosen.map { !Self.isEmpty($0.0, kind: $0.1) } ?? false
                return filled == condition.whenFilled ? condition.text : ""
            }
            var text = chosen.map { Self.text($0.0, kind: $0.1) } ?? ""
            if let dateFormat {
                text = chosen.flatMap { Self.timestamp($0.0) }.map { PHPDate.format(dateFormat, $0) } ?? ""
                chosen = (.string(text), .plain)
            }
            switch encoding {
            case .url: return PHPString.rawURLEncode(text)
            case .escape: return PHPString.htmlSpecialChars(text)
            case .json: return chosen?.0.phpJSON() ?? "null"
            case .direct: return text
            case .plain: return jsonMode ? (chosen?.0.phpJSON() ?? "null") : text
            }
        }

        /// PHP's `empty()`; a model object is never empty.
        static func isEmpty(_ value: JSONValue, kind: NodeKind) -> Bool {
            if case .object = value, kind.isModelObject { return false }
            return PHPString.isEmpty(value)
        }

        static func text(_ value: JSONValue, kind: NodeKind) -> String {
            PHPText.text(of: value, kind: kind) ?? value.phpJSON()
        }

        /// A unix time from an integer, a float or a numeric string.
        static func timestamp(_ value: JSONValue) -> Int? {
            switch value {
            case .int(let integer): return integer
            case .double(let double) where double.isFinite && abs(double) < 9e15: return Int(double)
            case .string(let string): return PHPLoose.numericValue(string).flatMap(timestamp)
            default: return nil
            }
        }
    }

    private static let modifiers = ["or", "literal", "url", "escape", "json", "direct", "not_empty", "is_empty", "datef"]

    static func parse(_ text: String) -> [Piece] {
        let bytes = Array(text.utf8)
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "{"), let (name, end) = RestTemplate.Parser.braced(bytes, from: index + 1, closing: 1),
                let piece = piece(for: name, written: String(decoding: bytes[index..<end], as: UTF8.self))
            {
                if !literal.isEmpty { pieces.append(.text(String(decoding: literal, as: UTF8.self))) }
                literal.removeAll(keepingCapacity: true)
                pieces.append(piece)
                index = end
                continue
            }
            literal.append(bytes[index])
            index += 1
        }
        if !literal.isEmpty { pieces.append(.text(String(decoding: literal, as: UTF8.self))) }
        return pieces
    }

    static func piece(for name: String, written: String) -> Piece? {
        switch name {
        case "lhc.nick": return .chat(.nick, written: written)
        case "lhc.email": return .chat(.email, written: written)
        case "lhc.department": return .chat(.department, written: written)
        case "current_time_ts": return .currentTime
        default: break
        }
        if name.hasPrefix("lhc.var.") { return .chat(.variable(String(name.dropFirst(8))), written: written) }
        if name.hasPrefix("lhc.add.") { return .chat(.additional(String(name.dropFirst(8))), written: written) }
        if name.hasPrefix("args.") { return .argument(argument(name)) }
        let parts = name.components(separatedBy: "__")
        guard parts.count > 1 else { return nil }
        // A translation item: the default text, and an optional `t[FROM:TO]||DAYS` display window.
        let window = parts.dropFirst(2).compactMap(Self.window).last
        return .translation(parts[1], window: window)
    }

    static func window(_ argument: String) -> Window? {
        guard argument.hasPrefix("t["), let close = argument.firstIndex(of: "]") else { return nil }
        let hours = argument[argument.index(argument.startIndex, offsetBy: 2)..<close].split(separator: ":", omittingEmptySubsequences: false)
        let from = hours.first.map { leadingInteger($0) } ?? 0
        let to = hours.count > 1 ? leadingInteger(hours[1]) : 0
        let rest = argument[argument.index(after: close)...]
        var weekdays: [Int]?
        if rest.hasPrefix("||") { weekdays = rest.dropFirst(2).split(separator: ",").map { leadingInteger($0) } }
        return Window(from: from, to: to, weekdays: weekdays)
    }

    /// PHP's `(int)` of a string: leading blanks, an optional sign, then digits up to the first non-digit.
    static func leadingInteger(_ text: Substring) -> Int {
        var bytes = text.utf8.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C }
        var sign = 1
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            sign = first == UInt8(ascii: "-") ? -1 : 1
            bytes = bytes.dropFirst()
        }
        var value = 0
        for byte in bytes {
            guard PHPURL.isDigit(byte), value < Int.max / 10 - 9 else { break }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return sign * value
    }

    /// Splits `args.PATH__mod…` at the `__` that precede a modifier word.
    static func argument(_ name: String) -> Argument {
        let bytes = Array(name.utf8)
        let words = modifiers.map { ($0, Array("__\($0)".utf8)) }
        /// The next `__word` at or after `start` that is followed by the end or by `__`.
        func boundary(from start: Int) -> (index: Int, word: String, end: Int)? {
            var index = start
            while index + 1 < bytes.count {
                if bytes[index] == UInt8(ascii: "_"), bytes[index + 1] == UInt8(ascii: "_") {
                    for (word, marker) in words where PHPString.hasPrefix(marker, in: bytes, at: index) {
                        let end = index + marker.count
                        if end == bytes.count || PHPString.hasPrefix([0x5F, 0x5F], in: bytes, at: end) { return (index, word, end) }
                    }
                }
                index += 1
            }
            return nil
        }
        func text(_ start: Int, _ end: Int) -> String { String(decoding: bytes[start..<end], as: UTF8.self) }
        func alternative(_ written: String) -> Alternative {
            .path(DotPath(written.hasPrefix("args.") ? String(written.dropFirst(5)) : written))
        }

        var next = boundary(from: 0)
        var argument = Argument(alternatives: [alternative(text(0, next?.index ?? bytes.count))])
        var alternativeTexts = [text(0, next?.index ?? bytes.count)]
        while let (_, word, end) = next {
            let rest = end + 2 <= bytes.count ? end + 2 : bytes.count
            switch word {
            case "or":
                guard end < bytes.count else { return argument }
                let following = boundary(from: rest)
                let written = text(rest, following?.index ?? bytes.count)
                argument.alternatives.append(alternative(written))
                alternativeTexts.append(written)
                next = following
                continue
            case "literal":
                argument.alternatives[argument.alternatives.count - 1] = .literal(alternativeTexts[alternativeTexts.count - 1])
            case "url": argument.encoding = .url
            case "escape": argument.encoding = .escape
            case "json": argument.encoding = .json
            case "direct": argument.encoding = .direct
            case "not_empty", "is_empty":
                argument.condition = (word == "not_empty", text(rest, bytes.count))
                return argument
            case "datef":
                argument.dateFormat = text(rest, bytes.count)
                return argument
            default:
                break
            }
            next = boundary(from: end)
        }
        return argument
    }
}
