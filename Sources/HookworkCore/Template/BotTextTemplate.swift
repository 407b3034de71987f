import Foundation

/// A text in the bot-text dialect (the reference's `translateMessage`, spec §8.4): e-mail recipients, senders,
/// subjects and bodies, text messages, and the Rest API's `custom_args_N`.
///
/// The translation follows the recorded reference cases (`shared/conformance/bot_text.jsonl`), in this order:
///
/// 1. A text that is a number as a whole comes back unchanged.
/// 2. `{current_time_ts}` becomes the unix time.
/// 3. `{lhc.nick}`, `{lhc.email}`, `{lhc.department}`, then `{lhc.add.K}` (additional data, by `identifier`, else
///    `key`; the later item of a name wins) and `{lhc.var.K}` (chat variables, in key order) are replaced one after
///    the other over the whole text, so a value may bring in a later placeholder. `{lhc.add.K}` and `{lhc.var.K}`
///    without a string or number value stay as written.
/// 4. The `{args.…}` placeholders (the recursive brace pattern of conditions) are found in that text and handled in
///    order of appearance; each replaces every occurrence of its exact text in the current text.
/// 5. A placeholder body: every `__url`, `__escape`, `__json`, `__direct` is cut out and sets a flag; the body is cut
///    at `__datef__` (the rest is the date format), then at `__not_empty__` and `__is_empty__` (the rest is their
///    text), and what is left splits at `__or__` into alternatives: `string__TEXT` (literal TEXT) or a path from the
///    argument root (no `args.` prefix). The first found, non-empty alternative wins, else the last one's result.
/// 6. A date format turns a found value into PHP's `date()` (UTC); `__not_empty__TEXT` replaces a found, non-empty
///    value, then `__is_empty__TEXT` a missing or empty one. `__url` percent-encodes, else `__escape` HTML-escapes;
///    `__json` and `__direct` change nothing. Not found is `""`.
///
/// Where the reference raises an error (a value that is a list, a map or a model object without a text form; a date
/// of a non-numeric text), `translate` reports it; `render` carries on instead (DESIGN §5 deviation 1): a list or map
/// is written as its JSON, and such a date is empty.
///
/// Translation items `{identifier__Default text}` (optionally `__t[FROM:TO]||DAYS`, UTC hours and ISO weekdays) print
/// their default text: Hookwork has no translation groups. They are read in the text as written, before any value is
/// inserted. Anything else in braces stays as written.
public struct BotTextTemplate: Sendable {
    /// The text as written.
    public let source: String
    /// Whether plain `{args.…}` values are written as JSON (strings quoted, missing as `null`); `__direct` writes the
    /// bare text.
    public let jsonMode: Bool

    /// The longest text a translation may grow to; a replacement that would pass it is left out.
    public static let maxLength = 1 << 20
    /// The most `{args.…}` placeholders handled in one text; later ones stay as written.
    public static let maxPlaceholders = 4096
    /// The most bytes the `{args.…}` replacements may scan in one text, all placeholders together.
    static let maxWork = 1 << 26

    /// Compiles `text`; `jsonMode` is for texts whose result is parsed as JSON.
    public init(_ text: String, jsonMode: Bool = false) {
        source = text
        self.jsonMode = jsonMode
    }

    /// Renders against the trigger arguments (`args.chat` is the chat) at unix time `now`.
    public func render(args: JSONValue, now: Int) -> String {
        render(args: args, now: now, rootKind: .argsWithChat)
    }

    /// Renders against arguments whose object nodes are described by `rootKind`. Never fails: where the reference
    /// would raise, a list or map is written as JSON and an impossible date is empty.
    public func render(args: JSONValue, now: Int, rootKind: NodeKind) -> String {
        (try? run(args: args, now: now, rootKind: rootKind, strict: false)) ?? ""
    }

    /// Translates as the reference does, or the error the reference raises.
    public func translate(args: JSONValue, now: Int, rootKind: NodeKind = .argsWithChat) -> Result<String, BotTextError> {
        do {
            return .success(try run(args: args, now: now, rootKind: rootKind, strict: true))
        } catch let error as BotTextError {
            return .failure(error)
        } catch {
            return .failure(BotTextError(message: "\(error)"))
        }
    }
}

/// Why the reference's translation raised (it aborts the action there).
public struct BotTextError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, naming the placeholder.
    public var message: String
    public var description: String { message }
}

extension BotTextTemplate {
    func run(args: JSONValue, now: Int, rootKind: NodeKind, strict: Bool) throws -> String {
        if PHPCompare.numeric(source) != nil { return source }
        var text = Array(source.utf8)
        text = PlaceholderScanner.replaceAll(Array("{current_time_ts}".utf8), with: Array(String(now).utf8), in: text)
        text = Self.translationItems(text, now: now)
        text = Self.chatFields(text, chat: args["chat"]?.objectValue ?? JSONObject())
        return String(decoding: try arguments(text, args: args, now: now, rootKind: rootKind, strict: strict), as: UTF8.self)
    }

    /// `str_replace` that leaves the text alone when the result would pass `maxLength`.
    static func replacing(_ needle: String, with value: String, in text: [UInt8]) -> [UInt8] {
        let needleBytes = Array(needle.utf8)
        guard PlaceholderScanner.contains(text, needleBytes) else { return text }
        let out = PlaceholderScanner.replaceAll(needleBytes, with: Array(value.utf8), in: text)
        return out.count > maxLength ? text : out
    }

    // MARK: {lhc.…}

    /// Step 3: the chat's fields, one replacement after the other over the whole text.
    static func chatFields(_ text: [UInt8], chat: JSONObject) -> [UInt8] {
        guard PlaceholderScanner.contains(text, Array("{lhc.".utf8)) else { return text }
        var text = text
        text = replacing("{lhc.nick}", with: chat["nick"].flatMap(PHPText.scalarText) ?? "", in: text)
        text = replacing("{lhc.email}", with: chat["email"].flatMap(PHPText.scalarText) ?? "", in: text)
        let department = chat["department"].flatMap { PHPText.text(of: $0, kind: .department) } ?? ""
        text = replacing("{lhc.department}", with: department, in: text)
        for (name, value) in additionalData(chat) {
            guard RestTemplate.Scope.isStringOrNumber(value), let replacement = PHPText.scalarText(value) else { continue }
            text = replacing("{lhc.add.\(name)}", with: replacement, in: text)
        }
        RestTemplate.Scope.forEachEntry(chat["chat_variables_array"]) { key, value in
            guard RestTemplate.Scope.isStringOrNumber(value), let replacement = PHPText.scalarText(value) else { return }
            text = replacing("{lhc.var.\(key)}", with: replacement, in: text)
        }
        return text
    }

    /// The additional-data items by name (`identifier`, else `key`), in first-seen order, the later value winning.
    static func additionalData(_ chat: JSONObject) -> [(String, JSONValue)] {
        var names: [String] = []
        var values: [String: JSONValue] = [:]
        RestTemplate.Scope.forEachEntry(chat["additional_data_array"]) { _, item in
            guard case .object(let fields) = item else { return }
            let label: JSONValue
            if let identifier = fields["identifier"], !identifier.isNull {
                label = identifier
            } else if let key = fields["key"], !key.isNull {
                label = key
            } else {
                return
            }
            let name = PHPText.scalarText(label) ?? "Array"
            if values[name] == nil { names.append(name) }
            values[name] = fields["value"] ?? .null
        }
        return names.map { ($0, values[$0] ?? .null) }
    }

    // MARK: {args.…}

    /// Step 4: every `{args.…}` placeholder, in order of appearance, replacing each occurrence of its text.
    func arguments(_ text: [UInt8], args: JSONValue, now: Int, rootKind: NodeKind, strict: Bool) throws -> [UInt8] {
        let matches = PlaceholderScanner.argsMatches(in: text)
        guard !matches.isEmpty else { return text }
        var current = text
        var work = 0
        for match in matches.prefix(Self.maxPlaceholders) {
            let written = Array(text[match.range])
            let body = String(decoding: text[match.pathRange], as: UTF8.self)
            let replacement = try Argument(body).render(args: args, now: now, rootKind: rootKind, jsonMode: jsonMode, strict: strict)
            // Each replacement scans the whole text: the work is bounded, later placeholders then stay as written.
            work += current.count
            guard work <= Self.maxWork else { break }
            let out = PlaceholderScanner.replaceAll(written, with: Array(replacement.utf8), in: current)
            if out.count <= Self.maxLength { current = out }
        }
        return current
    }

    /// One `{args.BODY}` placeholder, read as step 5 describes.
    struct Argument {
        var alternatives: [String]
        var url = false
        var escape = false
        var json = false
        var direct = false
        var dateFormat: String?
        var notEmpty: String?
        var isEmpty: String?

        init(_ written: String) {
            var body = written
            for flag in ["__url", "__escape", "__json", "__direct"] where body.contains(flag) {
                body = PHPString.replace(flag, with: "", in: body)
                switch flag {
                case "__url": url = true
                case "__escape": escape = true
                case "__json": json = true
                default: direct = true
                }
            }
            if let (head, tail) = Self.cut(body, at: "__datef__") {
                body = head
                dateFormat = tail
            }
            if let (head, tail) = Self.cut(body, at: "__not_empty__") {
                body = head
                notEmpty = tail
            }
            if let (head, tail) = Self.cut(body, at: "__is_empty__") {
                body = head
                isEmpty = tail
            }
            alternatives = body.components(separatedBy: "__or__")
        }

        /// The text before the first `marker` and everything after it.
        static func cut(_ text: String, at marker: String) -> (String, String)? {
            guard let range = text.range(of: marker) else { return nil }
            return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
        }

        func render(args: JSONValue, now: Int, rootKind: NodeKind, jsonMode: Bool, strict: Bool) throws -> String {
            // Step 6: the first found, non-empty alternative; else the last one's result.
            var chosen: (JSONValue, NodeKind)?
            for alternative in alternatives {
                if alternative.hasPrefix("string__") {
                    chosen = (.string(String(alternative.dropFirst(8))), .plain)
                    break
                }
                if case .found(let value, let kind) = DotPath(alternative).resolve(in: args, rootKind: rootKind) {
                    chosen = (value, kind)
                    if !Self.isEmpty(value, kind: kind) { break }
                } else {
                    chosen = nil
                }
            }
            if let dateFormat, let (value, _) = chosen {
                guard let timestamp = Self.timestamp(value, now: now) else {
                    if strict { throw BotTextError(message: "{args.\(alternatives.joined(separator: "__or__"))}: date() of a non-numeric text") }
                    return ""
                }
                chosen = (.string(PHPDate.format(dateFormat, timestamp)), .plain)
            }
            if let notEmpty, let (value, kind) = chosen, !Self.isEmpty(value, kind: kind) { chosen = (.string(notEmpty), .plain) }
            if let isEmpty, chosen.map({ Self.isEmpty($0.0, kind: $0.1) }) ?? true { chosen = (.string(isEmpty), .plain) }
            guard let (value, kind) = chosen else { return jsonMode && !direct ? "null" : "" }
            let text: String
            if let form = PHPText.text(of: value, kind: kind) {
                text = form
            } else if strict {
                throw BotTextError(message: "{args.\(alternatives.joined(separator: "__or__"))} is a list, a map or an object without a text form")
            } else {
                text = value.phpJSON()
            }
            if url { return PHPString.rawURLEncode(text) }
            if escape { return PHPString.htmlSpecialChars(text) }
            if jsonMode && !direct {
                if case .object = value, kind.isModelObject { return JSONValue.string(text).phpJSON() }
                return value.phpJSON()
            }
            return text
        }

        /// PHP's `empty()`; a model object is never empty.
        static func isEmpty(_ value: JSONValue, kind: NodeKind) -> Bool {
            if case .object = value, kind.isModelObject { return false }
            return PHPString.isEmpty(value)
        }

        /// The integer PHP's `date()` receives: numbers (floats truncated), numeric and leading-numeric texts,
        /// booleans; `null` is the current time. Nil where PHP raises a type error.
        static func timestamp(_ value: JSONValue, now: Int) -> Int? {
            switch value {
            case .null: return now
            case .bool(let flag): return flag ? 1 : 0
            case .int(let integer): return integer
            case .double(let double): return double.isFinite && abs(double) < 9e15 ? Int(double) : 0
            case .string(let string):
                switch PHPCompare.numeric(string, allowErrors: true)?.value {
                case .int(let integer)?: return integer
                case .double(let double)?: return timestamp(.double(double), now: now)
                case nil: return nil
                }
            case .array, .object: return nil
            }
        }
    }

    // MARK: Translation items

    /// `{identifier__Default text}` items (an identifier of letters, digits and `_` before the first `__`): the
    /// default text, shown only inside a `__t[FROM:TO]||DAYS` window when one is given.
    static func translationItems(_ text: [UInt8], now: Int) -> [UInt8] {
        guard PlaceholderScanner.contains(text, [0x5F, 0x5F]) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if text[index] == UInt8(ascii: "{"), let (name, end) = RestTemplate.Parser.braced(text, from: index + 1, closing: 1),
                let item = translation(name, now: now)
            {
                out.append(contentsOf: item.utf8)
                index = end
                continue
            }
            out.append(text[index])
            index += 1
        }
        return out
    }

    static func translation(_ name: String, now: Int) -> String? {
        let parts = name.components(separatedBy: "__")
        guard parts.count > 1, !parts[0].isEmpty,
            parts[0].utf8.allSatisfy({ PHPURL.isDigit($0) || $0 == UInt8(ascii: "_") || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) })
        else { return nil }
        let window = parts.dropFirst(2).compactMap(Self.window).last
        return window.map { $0.contains(now) } ?? true ? parts[1] : ""
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
}
