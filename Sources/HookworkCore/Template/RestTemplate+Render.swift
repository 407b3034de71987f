extension RestTemplate {
    /// A value as the reference holds it in its replacement tables.
    enum Resolved {
        /// A PHP value; arrays and objects are PHP arrays (and model objects) alike.
        case value(JSONValue)
        /// A string PHP holds as invalid UTF-8 (`substr` cut a character): `json_encode` fails on it. The text keeps
        /// the whole characters before the cut.
        case broken(String)
    }

    /// Substitutes every placeholder; blocks and the raw-body finishing steps included, URL checks not.
    func substitute(_ input: TemplateInput) -> String {
        var scope = Scope(input: input)
        var out = ""
        out.reserveCapacity(source.utf8.count + 64)
        write(nodes, scope: &scope, into: &out)
        return context == .rawBody ? Self.finishBody(out) : out
    }

    private func write(_ nodes: [Node], scope: inout Scope, into out: inout String) {
        for node in nodes {
            switch node {
            case .text(let text):
                out += text
            case .value(let placeholder):
                out += text(for: placeholder, scope: &scope)
            case .block(let block):
                if holds(block, scope: &scope) { write(block.body, scope: &scope, into: &out) }
            }
        }
    }

    /// Whether a block is kept: `not_empty` needs every variable non-empty, `is_empty` every one empty, where
    /// "empty" is PHP's `empty()` on the plain value (a list or map has already become its JSON text, never empty).
    private func holds(_ block: Block, scope: inout Scope) -> Bool {
        for check in block.checks {
            let empty = check.map { Self.isEmptyPlain(scope.resolve($0)) } ?? true
            if empty == block.keepWhenFilled { return false }
        }
        return true
    }

    private func text(for placeholder: Placeholder, scope: inout Scope) -> String {
        if context == .rawBody, let parameter = scope.input.bodyParams[placeholder.name] {
            // User parameters are replaced before anything else, so a prefix in front stays text.
            return placeholder.prefixText + JSONValue.string(parameter).phpJSON()
        }
        guard let variable = placeholder.variable else { return "{{" + placeholder.name + "}}" }
        let value = scope.resolve(variable)
        switch (context, placeholder.prefix) {
        case (.rawBody, .raw):
            return Self.rawText(value)
        case (.rawBody, .direct):
            // json_decode of the JSON form gives back a string only for strings; anything else keeps `direct_`.
            if case .value(.string(let string)) = value { return string }
            return placeholder.prefixText + Self.jsonText(value)
        case (.rawBody, _):
            // `sensitive_` masks through the reference's content-protection rules; Hookwork has none, so the value
            // passes unchanged.
            return Self.jsonText(value)
        case (.url, .urlencode):
            return PHPString.rawURLEncode(Self.plainText(value))
        case (.url, _), (.header, _):
            return Self.plainText(value)
        }
    }

    /// `json_encode($value)`; `""` where it fails, as `false` prints.
    static func jsonText(_ value: Resolved) -> String {
        switch value {
        case .value(let json): return json.phpJSONIfEncodable() ?? ""
        case .broken: return ""
        }
    }

    /// `raw_`: the JSON form with one leading and one trailing quote removed (`trimOnce`), then `\\/` turned into `\/`.
    static func rawText(_ value: Resolved) -> String {
        var bytes = Array(jsonText(value).utf8)
        if bytes.first == UInt8(ascii: "\"") { bytes.removeFirst() }
        if bytes.last == UInt8(ascii: "\"") { bytes.removeLast() }
        return PHPString.replace("\\\\/", with: "\\/", in: String(decoding: bytes, as: UTF8.self))
    }

    /// The plain form: PHP's string cast of a scalar (null and false are `""`, true `"1"`), JSON for lists and maps.
    static func plainText(_ value: Resolved) -> String {
        switch value {
        case .value(let json): return PHPText.scalarText(json) ?? json.phpJSON()
        case .broken(let text): return text
        }
    }

    static func isEmptyPlain(_ value: Resolved) -> Bool {
        switch value {
        case .value(.array), .value(.object):
            if case .value(let json) = value { return json.phpJSONIfEncodable() == nil }
            return false
        case .value(let json): return PHPString.isEmpty(json)
        case .broken(let text): return text.isEmpty
        }
    }

    /// The last steps on a raw body: any `{{lhc.var.…}}`/`{{lhc.add.…}}` text left over becomes `""` (the reference
    /// runs that regex over the finished body), then `__lhc_bracket__` becomes `{{`.
    static func finishBody(_ body: String) -> String {
        var bytes = Array(body.utf8)
        let lhc = Array("{{lhc.".utf8)
        if PHPString.find(lhc, in: bytes, from: 0) != nil {
            // preg_replace('/{{lhc\.(var|add)\.(.*?)}}/', '""'): `.` stops at a newline.
            let heads = [Array("{{lhc.var.".utf8), Array("{{lhc.add.".utf8)]
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var index = 0
            while index < bytes.count {
                if let head = heads.first(where: { PHPString.hasPrefix($0, in: bytes, at: index) }) {
                    var end = index + head.count
                    while end + 1 < bytes.count, bytes[end] != 0x0A, !(bytes[end] == UInt8(ascii: "}") && bytes[end + 1] == UInt8(ascii: "}")) {
                        end += 1
                    }
                    if end + 1 < bytes.count, bytes[end] == UInt8(ascii: "}"), bytes[end + 1] == UInt8(ascii: "}") {
                        out += Array("\"\"".utf8)
                        index = end + 2
                        continue
                    }
                }
                out.append(bytes[index])
                index += 1
            }
            bytes = out
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return PHPString.replace("__lhc_bracket__", with: "{{", in: text)
    }
}

extension RestTemplate {
    /// The render-time view of an input: resolves variables, computing the message forms once.
    struct Scope {
        let input: TemplateInput
        private var messageCache: (raw: JSONValue, text: String)?

        init(input: TemplateInput) {
            self.input = input
        }

        /// The chat (or, for continuous mail, the mail message) at `args.chat`.
        var chat: JSONObject? { input.args["chat"]?.objectValue }

        mutating func resolve(_ variable: Variable) -> Resolved {
            switch variable {
            case .message(let form): return message(form)
            case .chatID: return .value(chatMember("id"))
            case .chatProperty(let name): return .value(chatProperty(name))
            case .chatPropertyOnly(let name): return .value(chatMember(name))
            case .departmentText: return .value(.string(departmentText))
            case .depIDText: return .value(.string(PHPText.scalarText(chatMember("dep_id")) ?? "Array"))
            case .args(let path): return .value(path.resolve(in: input.args, rootKind: input.rootKind).value ?? .null)
            case .ip: return .value(.string(input.ip))
            case .media: return .value(.array([]))
            case .file: return .value(.null)
            case .timestamp: return .value(.int(input.now))
            case .dateUTC: return .value(.string(PHPDate.format("Y-m-d H:i:s T", input.now)))
            case .customArgs(let index): return .value(input.customArgs[index].map(JSONValue.string) ?? .null)
            case .replaceable(let id): return .value(input.replaceable[id].map(JSONValue.string) ?? .null)
            }
        }

        /// `$chat->{name}`: a missing property reads as null.
        func chatMember(_ name: String) -> JSONValue {
            chat?[name] ?? .null
        }

        /// `{{lhc.X}}` after the reference has added `{{lhc.var.K}}` for each chat variable and `{{lhc.add.K}}` for
        /// each additional-data item whose value is a string or a number (only when `args.chat` is a chat).
        func chatProperty(_ name: String) -> JSONValue {
            if input.rootKind == .argsWithChat, let chat {
                if name.hasPrefix("var."), let value = Self.chatVariable(chat, key: String(name.dropFirst(4))) { return value }
                if name.hasPrefix("add."), let value = Self.additionalData(chat, key: String(name.dropFirst(4))) { return value }
            }
            return chatMember(name)
        }

        static func chatVariable(_ chat: JSONObject, key: String) -> JSONValue? {
            var found: JSONValue?
            forEachEntry(chat["chat_variables_array"]) { entryKey, value in
                if entryKey.utf8.elementsEqual(key.utf8), isStringOrNumber(value) { found = value }
            }
            return found
        }

        /// The value of the last additional-data item whose `identifier` (or, without one, `key`) is `key`.
        static func additionalData(_ chat: JSONObject, key: String) -> JSONValue? {
            var found: JSONValue?
            forEachEntry(chat["additional_data_array"]) { _, item in
                guard case .object(let fields) = item else { return }
                let label: JSONValue
                if let identifier = fields["identifier"], !identifier.isNull {
                    label = identifier
                } else if let itemKey = fields["key"], !itemKey.isNull {
                    label = itemKey
                } else {
                    return
                }
                guard (PHPText.scalarText(label) ?? "Array").utf8.elementsEqual(key.utf8),
                    let value = fields["value"], isStringOrNumber(value)
                else { return }
                found = value
            }
            return found
        }

        /// PHP's `foreach ($array as $key => $value)` over a list or a map.
        static func forEachEntry(_ value: JSONValue?, _ body: (String, JSONValue) -> Void) {
            switch value {
            case .array(let list)?:
                for (index, item) in list.enumerated() { body(String(index), item) }
            case .object(let object)?:
                for (key, item) in object { body(key, item) }
            default:
                break
            }
        }

        static func isStringOrNumber(_ value: JSONValue) -> Bool {
            switch value {
            case .string, .int, .double: return true
            default: return false
            }
        }

        /// `(string)$chat->department`: the department's name, `""` without one.
        var departmentText: String {
            guard let department = chat?["department"] else { return "" }
            return PHPText.text(of: department, kind: .department) ?? ""
        }

        private mutating func messageText() -> (raw: JSONValue, text: String) {
            if let messageCache { return messageCache }
            let raw: JSONValue
            if let text = input.messageText {
                raw = .string(text)
            } else if case .object(let message)? = input.args["msg"] {
                raw = message["msg"] ?? .null
            } else {
                raw = .string("")
            }
            let computed = (raw, PHPText.scalarText(raw) ?? "")
            messageCache = computed
            return computed
        }

        private mutating func message(_ form: MessageForm) -> Resolved {
            let (raw, text) = messageText()
            switch form {
            case .text: return .value(raw)
            case .shortened:
                // substr($msg, 0, 254): bytes, so a multi-byte character can be cut.
                let (prefix, broken) = PHPString.prefix(text, bytes: 254)
                return broken ? .broken(prefix) : .value(.string(prefix))
            case .lowercase: return .value(.string(text.lowercased()))
            case .clean: return .value(.string(PHPString.trim(Self.cleaned(text))))
            case .cleanLowercase: return .value(.string(PHPString.trim(Self.cleaned(text)).lowercased()))
            case .url: return .value(.string(text))
            case .urlLowercase: return .value(.string(text.lowercased()))
            case .html: return .value(.string(Self.html(text, breaks: true)))
            case .htmlNobr: return .value(.string(Self.html(text, breaks: false)))
            case .htmlLowercase: return .value(.string(Self.html(text.lowercased(), breaks: true)))
            case .htmlLowercaseNobr: return .value(.string(Self.html(text.lowercased(), breaks: false)))
            }
        }

        /// `msg_clean`: the message without `[img]URL[/img]` images (the reference also drops `[file=…]` tokens of
        /// files it finds in its database; webhook calls have none, so those stay).
        static func cleaned(_ text: String) -> String {
            let bytes = Array(text.utf8)
            let open = Array("[img]".utf8)
            let close = Array("[/img]".utf8)
            guard PHPString.find(open, in: bytes, from: 0) != nil else { return text }
            var result = text
            var position = 0
            while let start = PHPString.find(open, in: bytes, from: position),
                let end = PHPString.find(close, in: bytes, from: start + open.count)
            {
                let url = PHPString.trim(String(decoding: bytes[(start + open.count)..<end], as: UTF8.self))
                // esc_url() keeps a URL that still has characters after dropping disallowed ones (approximation).
                let kept = url.utf8.contains { byte in
                    byte >= 0x80 || PHPURL.isAlnum(byte) || "-~+_.?#=!&;,/:%@$|*'()".utf8.contains(byte)
                }
                if kept {
                    let token = String(decoding: bytes[start..<(end + close.count)], as: UTF8.self)
                    result = PHPString.replace(token, with: "", in: result)
                }
                position = end + close.count
            }
            return result
        }

        /// The `{{msg_html…}}` forms, approximating `erLhcoreClassBBCode::make_clickable`: HTML-escaped text with
        /// `<br />` before each newline, as `nl2br` puts it (the `_nobr` forms leave it out). BBCode and link detection
        /// are not reproduced.
        static func html(_ text: String, breaks: Bool) -> String {
            let escaped = PHPString.htmlSpecialChars(text)
            return breaks ? PHPString.replace("\n", with: "<br />\n", in: escaped) : escaped
        }
    }
}
