import Foundation

extension RestTemplate {
    /// One piece of a compiled template.
    indirect enum Node: Sendable {
        /// Text copied as is.
        case text(String)
        /// A `{{…}}` placeholder.
        case value(Placeholder)
        /// `{not_empty__VARS}…{/not_empty}` or `{is_empty__VARS}…{/is_empty}` (raw bodies only).
        case block(Block)
    }

    /// A `{{NAME}}` with the prefix written before it.
    struct Placeholder: Sendable {
        /// The text between the braces; a raw-body user parameter of this name replaces it first.
        let name: String
        /// What it stands for; nil for a name the reference does not know, which stays literal.
        let variable: Variable?
        /// The encoding the prefix asks for.
        let prefix: Prefix
        /// The prefix as written, put back where the prefix does not apply (`direct_` before a number).
        let prefixText: String
    }

    /// The magic prefixes (spec §8.4): raw bodies know `raw_`, `direct_` and `sensitive_`; URLs know `urlencode_`.
    enum Prefix: Sendable {
        case none
        case raw
        case direct
        case sensitive
        case urlencode
    }

    /// A conditional block; the reference evaluates it before any substitution, against its plain variable values.
    struct Block: Sendable {
        /// `not_empty` (keep when every variable is filled) rather than `is_empty` (keep when every one is empty).
        let keepWhenFilled: Bool
        /// One check per `||` part; nil for a variable the reference had not registered, which counts as empty.
        let checks: [Variable?]
        let body: [Node]
    }

    /// A value a placeholder or a block check reads.
    enum Variable: Sendable, Hashable {
        case message(MessageForm)
        case chatID
        /// `{{lhc.X}}` as substituted: the chat property `X`; `var.K` and `add.K` read the chat's variables and
        /// additional data.
        case chatProperty(String)
        /// `{{lhc.X}}` as a block sees it: the property `X` only, because the reference adds the chat variables and
        /// additional data to its table after the blocks are decided.
        case chatPropertyOnly(String)
        /// The built-in `{{lhc.department}}`: `(string)$chat->department`, the department's name.
        case departmentText
        /// The built-in `{{lhc.dep_id}}`: `(string)$chat->dep_id`.
        case depIDText
        case args(DotPath)
        case ip
        case media
        /// `{{file_body}}`, `{{file_url}}`, `{{file_name}}`, `{{file_size}}`, `{{file_mime}}`: null without an
        /// attached file, and webhook-triggered calls carry none.
        case file
        case timestamp
        case dateUTC
        case customArgs(Int)
        case replaceable(String)
    }

    /// The `{{msg…}}` family.
    enum MessageForm: Sendable, Hashable {
        case text
        case shortened
        case lowercase
        case clean
        case cleanLowercase
        case url
        case urlLowercase
        case html
        case htmlNobr
        case htmlLowercase
        case htmlLowercaseNobr
    }

    /// The names the reference always has in its replacement table (`makeRequest`), besides `args.*` and `lhc.*`.
    static let builtins: [String: Variable] = {
        var table: [String: Variable] = [
            "msg": .message(.text),
            "msg_shortened_256": .message(.shortened),
            "msg_lowercase": .message(.lowercase),
            "msg_clean": .message(.clean),
            "msg_clean_lowercase": .message(.cleanLowercase),
            "msg_url": .message(.url),
            "msg_url_lowercase": .message(.urlLowercase),
            "msg_html": .message(.html),
            "msg_html_nobr": .message(.htmlNobr),
            "msg_html_lowercase": .message(.htmlLowercase),
            "msg_html_lowercase_nobr": .message(.htmlLowercaseNobr),
            "chat_id": .chatID,
            "ip": .ip,
            "media": .media,
            "file_body": .file,
            "file_url": .file,
            "file_name": .file,
            "file_size": .file,
            "file_mime": .file,
            "timestamp": .timestamp,
            "date_utc": .dateUTC,
        ]
        for index in 1...5 { table["custom_args_\(index)"] = .customArgs(index) }
        return table
    }()

    /// Turns template text into nodes.
    struct Parser {
        let bytes: [UInt8]
        let context: TemplateContext
        /// `args.X`, `lhc.X` and `replaceable.ID` names registered anywhere in the method.
        let registered: Set<String>

        static func compile(_ text: String, context: TemplateContext, methodTexts: [String]) -> [Node] {
            var bytes = Array(text.utf8)
            if context == .rawBody {
                // makeRequest's clean-up when the message has no buttons: interactive and generic-button blocks go,
                // plain_api tags are dropped, and the body is trimmed, all before anything is substituted.
                bytes = PHPString.removeBlocks(bytes, open: "{interactive_api}", close: "{/interactive_api}")
                bytes = PHPString.removeBlocks(bytes, open: "{buttons_generic}", close: "{/buttons_generic}")
                bytes = Array(PHPString.replace("{plain_api}", with: "", in: String(decoding: bytes, as: UTF8.self)).utf8)
                bytes = Array(PHPString.trim(PHPString.replace("{/plain_api}", with: "", in: String(decoding: bytes, as: UTF8.self))).utf8)
            }
            let registered = registeredNames(in: [bytes] + methodTexts.map { Array($0.utf8) })
            if context == .rawBody {
                // Hookwork has no `{{previous_visitor_messages_url__N}}` and no quoted-message lookup, so these
                // blocks are removed, as the reference removes them when it has nothing to fill them with.
                bytes = PHPString.removeBlocks(bytes, open: "{if_previous_visitor_messages}", close: "{/if_previous_visitor_messages}")
                if PHPString.find(Array("{reply_to}".utf8), in: bytes, from: 0) != nil {
                    bytes = PHPString.removeBlocks(bytes, open: "{reply_to}", close: "{/reply_to}")
                }
            }
            let parser = Parser(bytes: bytes, context: context, registered: registered)
            return context == .rawBody ? parser.parseWithBlocks() : parser.tokens(0, bytes.count)
        }

        /// The names `extractDynamicParams`/`extractDynamicVariables` register: every `{{args.X}}`, `{{lhc.X}}` and
        /// `{{replaceable.ID}}`, and the `args.X` of every `{not_empty__args.X}`/`{is_empty__args.X}`.
        static func registeredNames(in texts: [[UInt8]]) -> Set<String> {
            var names: Set<String> = []
            let blockOpeners = [Array("{not_empty__args.".utf8), Array("{is_empty__args.".utf8)]
            for bytes in texts {
                var index = 0
                while index + 1 < bytes.count {
                    if bytes[index] == UInt8(ascii: "{"), bytes[index + 1] == UInt8(ascii: "{"),
                        let (name, end) = braced(bytes, from: index + 2, closing: 2)
                    {
                        if name.hasPrefix("args.") || name.hasPrefix("lhc.") || replaceableID(name) != nil { names.insert(name) }
                        index = end
                        continue
                    }
                    if let opener = blockOpeners.first(where: { PHPString.hasPrefix($0, in: bytes, at: index) }),
                        let (name, end) = braced(bytes, from: index + opener.count, closing: 1)
                    {
                        names.insert("args." + name)
                        index = end
                        continue
                    }
                    index += 1
                }
            }
            return names
        }

        /// The brace-free text from `start` up to `closing` closing braces, and the index after them.
        static func braced(_ bytes: [UInt8], from start: Int, closing: Int) -> (String, Int)? {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "{"), bytes[end] != UInt8(ascii: "}") { end += 1 }
            guard end + closing <= bytes.count else { return nil }
            for offset in 0..<closing where bytes[end + offset] != UInt8(ascii: "}") { return nil }
            return (String(decoding: bytes[start..<end], as: UTF8.self), end + closing)
        }

        /// The id of `replaceable.ID` when ID is `[a-zA-Z0-9_-]+`.
        static func replaceableID(_ name: String) -> String? {
            guard name.hasPrefix("replaceable.") else { return nil }
            let id = name.dropFirst("replaceable.".count)
            guard !id.isEmpty, id.utf8.allSatisfy({ PHPURL.isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) else { return nil }
            return String(id)
        }

        /// What `{{name}}` stands for in substitution, or nil when the reference leaves it as text.
        static func variable(_ name: String) -> Variable? {
            if let builtin = RestTemplate.builtins[name] { return builtin }
            if name.hasPrefix("args.") { return .args(DotPath(String(name.dropFirst(5)))) }
            if name.hasPrefix("lhc.") { return .chatProperty(String(name.dropFirst(4))) }
            if let id = replaceableID(name) { return .replaceable(id) }
            return nil
        }

        /// What `$replaceVariables['{{name}}']` holds when the blocks are decided, or nil when it is not set.
        func checkVariable(_ name: String) -> Variable? {
            if name.hasPrefix("lhc.") {
                let property = String(name.dropFirst(4))
                if registered.contains(name) { return .chatPropertyOnly(property) }
                switch property {
                case "nick", "email": return .chatPropertyOnly(property)
                case "department": return .departmentText
                case "dep_id": return .depIDText
                default: return nil
                }
            }
            if name.hasPrefix("args.") || Self.replaceableID(name) != nil {
                return registered.contains(name) ? Self.variable(name) : nil
            }
            return RestTemplate.builtins[name]
        }

        /// Raw-body parsing: the `{(not|is)_empty__VARS}…{/(not|is)_empty}` blocks, then placeholders in and around them.
        func parseWithBlocks() -> [Node] {
            var nodes: [Node] = []
            var position = 0
            var scan = 0
            let closers = [Array("{/not_empty}".utf8), Array("{/is_empty}".utf8)]
            let openers = [(Array("{not_empty__".utf8), true), (Array("{is_empty__".utf8), false)]
            var nextClose: [Int?] = [-1, -1]
            // preg_match_all('/\{(not|is)_empty__(.*?)\}(.*?)\{\/(not|is)_empty\}/ms'): the name runs to the first
            // `}`, the body to the nearest closing tag of either kind.
            // When no `}` or no closing tag follows an opener, none follows a later one either: stop there, so that
            // a text full of openers costs one pass, not one per opener.
            while let open = PHPString.find([UInt8(ascii: "{")], in: bytes, from: scan) {
                guard let (opener, keepWhenFilled) = openers.first(where: { PHPString.hasPrefix($0.0, in: bytes, at: open) }) else {
                    scan = open + 1
                    continue
                }
                guard let nameEnd = PHPString.find([UInt8(ascii: "}")], in: bytes, from: open + opener.count) else { break }
                let bodyStart = nameEnd + 1
                // Each closing tag's next position is remembered (or its absence), so every search moves forward only.
                for kind in closers.indices where nextClose[kind] != nil && nextClose[kind]! < bodyStart {
                    nextClose[kind] = PHPString.find(closers[kind], in: bytes, from: bodyStart)
                }
                let closes = closers.indices.compactMap { kind in nextClose[kind].map { ($0, closers[kind].count) } }
                guard let (close, closeLength) = closes.min(by: { $0.0 < $1.0 }) else { break }
                nodes += tokens(position, open)
                let names = String(decoding: bytes[(open + opener.count)..<nameEnd], as: UTF8.self)
                let checks = names.components(separatedBy: "||").map { checkVariable($0) }
                nodes.append(.block(Block(keepWhenFilled: keepWhenFilled, checks: checks, body: tokens(bodyStart, close))))
                position = close + closeLength
                scan = position
            }
            nodes += tokens(position, bytes.count)
            return nodes
        }

        /// Text and `{{…}}` placeholders in `bytes[start..<end]`.
        func tokens(_ start: Int, _ end: Int) -> [Node] {
            var nodes: [Node] = []
            var literal: [UInt8] = []
            var index = start
            while index < end {
                if bytes[index] == UInt8(ascii: "{"), index + 1 < end, bytes[index + 1] == UInt8(ascii: "{") {
                    var close = index + 2
                    while close < end, bytes[close] != UInt8(ascii: "{"), bytes[close] != UInt8(ascii: "}") { close += 1 }
                    if close + 1 < end, bytes[close] == UInt8(ascii: "}"), bytes[close + 1] == UInt8(ascii: "}") {
                        let name = String(decoding: bytes[(index + 2)..<close], as: UTF8.self)
                        let variable = Self.variable(name)
                        // An unknown name stays text, unless a raw-body user parameter of that name turns up at render time.
                        if variable != nil || context == .rawBody {
                            let (prefix, length) = variable == nil ? (.none, 0) : prefixBefore(literal)
                            let prefixText = String(decoding: literal.suffix(length), as: UTF8.self)
                            literal.removeLast(length)
                            if !literal.isEmpty { nodes.append(.text(String(decoding: literal, as: UTF8.self))) }
                            literal.removeAll(keepingCapacity: true)
                            nodes.append(.value(Placeholder(name: name, variable: variable, prefix: prefix, prefixText: prefixText)))
                            index = close + 2
                            continue
                        }
                    }
                }
                literal.append(bytes[index])
                index += 1
            }
            if !literal.isEmpty { nodes.append(.text(String(decoding: literal, as: UTF8.self))) }
            return nodes
        }

        /// The prefix `literal` ends with. `raw_sensitive_` counts as `sensitive_` with `raw_` left as text, because
        /// the reference replaces `sensitive_{{…}}` before it looks for `raw_sensitive_{{…}}`.
        func prefixBefore(_ literal: [UInt8]) -> (Prefix, Int) {
            func endsWith(_ text: String) -> Bool {
                let suffix = Array(text.utf8)
                return literal.count >= suffix.count && literal.suffix(suffix.count).elementsEqual(suffix)
            }
            switch context {
            case .rawBody:
                if endsWith("sensitive_") { return (.sensitive, 10) }
                if endsWith("direct_") { return (.direct, 7) }
                if endsWith("raw_") { return (.raw, 4) }
            case .url:
                if endsWith("urlencode_") { return (.urlencode, 10) }
            case .header:
                break
            }
            return (.none, 0)
        }
    }
}
