/// Where a Rest API template's output lands; it decides how values are encoded (spec §8.3.1, §8.4).
public enum TemplateContext: String, Sendable, Hashable, CaseIterable {
    /// A raw request body: values are JSON-encoded as PHP's `json_encode` does, with the `raw_`, `direct_` and
    /// `sensitive_` prefixes, `{not_empty__…}`/`{is_empty__…}` blocks and the `{interactive_api}` clean-up.
    case rawBody = "raw_body"
    /// The URL (`suburl`): plain values, `urlencode_{{…}}` percent-encoded, the result trimmed and validated.
    case url
    /// Headers, and every other plain field (query values, form fields, basic-auth credentials): plain values.
    case header
}

/// What a Rest API template reads when it is rendered.
public struct TemplateInput: Sendable {
    /// The trigger arguments that `{{args.…}}` resolves against; `args.chat` is the chat behind `{{lhc.…}}` and
    /// `{{chat_id}}`, `args.msg.msg` the message behind `{{msg}}`.
    public var args: JSONValue
    /// Which object nodes `args` holds (conformance README, "Object nodes in args").
    public var rootKind: NodeKind
    /// The unix time behind `{{timestamp}}` and `{{date_utc}}`.
    public var now: Int
    /// The message text, when the caller has one that is not `args.msg.msg` (the reference's `msg_text`).
    public var messageText: String?
    /// `custom_args_1` … `custom_args_5` of the action, already rendered in the bot-text dialect; unset ones are null.
    public var customArgs: [Int: String]
    /// User parameters with location `body_param`: `{{key}}` in a raw body becomes the JSON string of the value.
    public var bodyParams: [String: String]
    /// Values for `{{replaceable.ID}}` (the reference's canned "replaceable variables"); unknown ids are null.
    public var replaceable: [String: String]
    /// The text behind `{{ip}}`.
    public var ip: String

    /// An input with the given arguments and clock; everything optional starts empty.
    public init(
        args: JSONValue,
        now: Int,
        rootKind: NodeKind = .argsWithChat,
        messageText: String? = nil,
        customArgs: [Int: String] = [:],
        bodyParams: [String: String] = [:],
        replaceable: [String: String] = [:],
        ip: String = ""
    ) {
        self.args = args
        self.now = now
        self.rootKind = rootKind
        self.messageText = messageText
        self.customArgs = customArgs
        self.bodyParams = bodyParams
        self.replaceable = replaceable
        self.ip = ip
    }
}

/// Why a template could not be rendered; the reference answers these with HTTP code 500 and makes no request.
public struct TemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code for the failure.
    public enum Code: String, Sendable, Hashable {
        /// PHP's `FILTER_VALIDATE_URL` rejects the URL after substitution (a space, a non-ASCII byte, a bad host…).
        case invalidURL = "invalid_url"
        /// The URL is valid but its scheme is not exactly `http` or `https`.
        case unsupportedScheme = "unsupported_scheme"
        /// A conformance case named a context other than `raw_body`, `url` or `header`.
        case unknownContext = "unknown_context"
    }

    /// What went wrong.
    public var code: Code
    /// A sentence that says what to fix.
    public var message: String
    /// The rendered text the check ran on.
    public var rendered: String

    /// An error with an explicit message.
    public init(code: Code, message: String, rendered: String) {
        self.code = code
        self.message = message
        self.rendered = rendered
    }

    /// The message.
    public var description: String { message }
}

/// A Rest API field in the `{{…}}` dialect, compiled once (spec §8.3.1, §8.4).
///
/// The reference substitutes with chains of `str_replace`; this renders a parsed form instead, with the same
/// results on every recorded case. Where it departs from the reference, on purpose or for lack of data:
///
/// * A substituted value is never substituted again. In the reference a message or chat variable that itself holds
///   `{{chat_id}}` gets that text replaced too (spec §8.4); Hookwork treats values as data. The final raw-body
///   clean-ups (`{{lhc.var|add.…}}` leftovers to `""`, `__lhc_bracket__` to `{{`) do run over the whole body, as there.
/// * `sensitive_{{…}}` is masked by the reference's content-protection rules (spec §8.4); Hookwork has none, so the
///   value passes unchanged.
/// * `{{msg_url…}}` and `{{msg_html…}}` approximate the reference's BBCode `make_clickable` (spec §8.4): the text,
///   HTML-escaped with `<br />` line breaks for the HTML forms, without link or BBCode conversion.
/// * Webhook calls carry no files and Hookwork keeps no message history (spec §8.3.1 steps 1 and 7): `[file=…]`
///   tokens stay in `{{msg_clean}}`, `{{file_…}}` are null, `{{media}}` is `[]`, and `{reply_to}` and
///   `{if_previous_visitor_messages}` blocks are removed; `{{previous_visitor_messages_url__N}}` stays as text.
/// * Where `substr` cuts a character in `{{msg_shortened_256}}`, PHP holds invalid UTF-8; the raw body gets `""`
///   there as in the reference (its `json_encode` fails), but plain contexts drop the partial character.
public struct RestTemplate: Sendable {
    /// The template as written.
    public let source: String
    /// Where the output lands.
    public let context: TemplateContext
    let nodes: [Node]

    /// Compiles `text` for `context`.
    ///
    /// `methodTexts` are the other fields of the same Rest API method (URL, headers, query values, conditions). The
    /// reference registers every `{{args.…}}` and `{{lhc.…}}` it finds anywhere in the method, and a
    /// `{not_empty__VAR}` block can only see a variable that was registered somewhere.
    public init(_ text: String, context: TemplateContext, methodTexts: [String] = []) {
        source = text
        self.context = context
        nodes = Parser.compile(text, context: context, methodTexts: methodTexts)
    }

    /// Renders the template; a `.url` template is trimmed and must then pass PHP's URL validation with an `http` or
    /// `https` scheme.
    public func render(_ input: TemplateInput) -> Result<String, TemplateError> {
        let text = substitute(input)
        switch context {
        case .rawBody, .header: return .success(text)
        case .url: return Self.validateURL(PHPString.trim(text))
        }
    }

    /// Renders a `.url` template as the reference builds a request URL: `trim(rtrim(host) . suburl . "?" . query)`,
    /// then validates it. `query` is the already encoded query string (empty for none).
    public func renderURL(host: String, query: String = "", _ input: TemplateInput) -> Result<String, TemplateError> {
        var hostBytes = Array(host.utf8)
        while let last = hostBytes.last, PHPString.isTrimmed(last) { hostBytes.removeLast() }
        let url = String(decoding: hostBytes, as: UTF8.self) + substitute(input) + (query.isEmpty ? "" : "?" + query)
        return Self.validateURL(PHPString.trim(url))
    }

    /// The reference's URL checks: `filter_var($url, FILTER_VALIDATE_URL)`, then `parse_url` scheme `http` or `https`.
    public static func validateURL(_ url: String) -> Result<String, TemplateError> {
        guard PHPURL.isValid(url) else {
            return .failure(
                TemplateError(
                    code: .invalidURL,
                    message: "invalid URL (rejected by FILTER_VALIDATE_URL after substitution): \(url); "
                        + "use urlencode_{{…}} for values that may hold spaces or non-ASCII text",
                    rendered: url
                )
            )
        }
        guard let scheme = PHPURL.scheme(url), scheme == "http" || scheme == "https" else {
            return .failure(
                TemplateError(
                    code: .unsupportedScheme,
                    message: "URL scheme is not http/https: \(url); only lower-case http:// and https:// URLs are called",
                    rendered: url
                )
            )
        }
        return .success(url)
    }
}
