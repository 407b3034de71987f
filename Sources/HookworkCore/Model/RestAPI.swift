import Foundation

/// A Rest API definition (spec §8.3) as the engine calls it: its host, its TLS and redirect settings, and its
/// methods with their templates compiled, read once from the stored document. The reference stores `configuration`
/// as JSON text; both that and an object are read.
public struct RestAPI: Sendable {
    /// The record id.
    public let id: Int
    /// The administrator's name for it.
    public let name: String
    /// The base address every method's `suburl` is appended to.
    public let host: String
    /// Whether the receiver's certificate is checked (`verify_tls`, on unless switched off).
    public let verifiesTLS: Bool
    /// Whether redirects are followed (`follow_redirects`, off unless switched on).
    public let followsRedirects: Bool
    /// The methods (`parameters`), in their stored order.
    public let methods: [RestAPIMethod]
    /// The configuration object, for the settings the delivery side reads (`retry`, `retry_on`, `signing_secrets`).
    public let configuration: JSONObject
    /// The whole stored document.
    public let document: JSONObject

    /// The Rest API a stored document describes.
    public init(document: JSONObject) {
        self.document = document
        id = document["id"]?.looseInt ?? 0
        name = document["name"].flatMap { PHPText.scalarText($0) } ?? ""
        let configuration = Self.object(document["configuration"])
        self.configuration = configuration
        host = configuration["host"]?.stringValue ?? ""
        verifiesTLS = configuration["verify_tls"].map { PHPLoose.isTruthyValue($0) } ?? true
        followsRedirects = configuration["follow_redirects"].map { PHPLoose.isTruthyValue($0) } ?? false
        methods = (configuration["parameters"]?.arrayValue ?? []).compactMap(\.objectValue).map(RestAPIMethod.init(document:))
    }

    /// The first method whose `id` is `id`.
    public func method(id: String) -> RestAPIMethod? {
        methods.first { $0.id == id }
    }

    /// An object member, or an object given as JSON text (the reference stores `configuration` as text).
    public static func object(_ value: JSONValue?) -> JSONObject {
        switch value {
        case .object(let object)?: return object
        case .string(let text)?: return (try? JSONValue(parsing: text))?.objectValue ?? JSONObject()
        default: return JSONObject()
        }
    }
}

/// One method of a Rest API: the request it makes, the output rules that read its answer, and its polling.
public struct RestAPIMethod: Sendable {
    /// How a method polls (`polling_n_times`, `polling_n_delay`; both 1-10, or the method does not poll).
    public struct Polling: Sendable, Equatable {
        /// Requests in all.
        public let times: Int
        /// Seconds before each request.
        public let delay: Int
        /// Whether the first request is made at once (`polling_no_delay_first`).
        public let firstAtOnce: Bool
    }

    /// How the request authenticates (`authorization`).
    public enum Authorization: Sendable, Equatable {
        /// None.
        case none
        /// `basicauth`: user and password templates.
        case basic(user: String, password: String)
        /// `bearer`: the token, as written.
        case bearer(String)
        /// `apikey`: the key's name and value, in a header or (`api_key_location: queryparams`) the query.
        case apiKey(name: String, key: String, inQuery: Bool)
    }

    /// What the request's body is (`body_request_type`).
    public enum Body: Sendable, Equatable {
        /// No body of its own (user parameters located in `post_param` still make a form body).
        case none
        /// `raw`: the `body_raw` template, with its Content-Type (`body_request_type_content`).
        case raw(template: String, contentType: String)
        /// `form-data`: the `postparams`, as multipart/form-data.
        case multipart
        /// `form-data-urlencoded`: the `postparams`, URL-encoded.
        case urlEncoded
    }

    /// A user parameter (`userparams`): a value the action supplies, by id, and where it goes.
    public struct UserParameter: Sendable, Equatable {
        /// The request's name for it.
        public let key: String
        /// The id the action's `rest_api_method_params` names it by.
        public let id: String
        /// `query` (the default), `post_param` or `body_param`.
        public let location: String
    }

    /// The method's `id`, as text (nil when it is a list or an object, which no action can name).
    public let id: String?
    /// The HTTP method (`method`, upper-cased; GET when absent).
    public let httpMethod: String
    /// The path template appended to the host (`suburl`).
    public let suburl: String
    /// Query parameters: names and value templates (`query`; items without a name are left out).
    public let query: [(name: String, value: String)]
    /// Headers: names and value templates (`header`).
    public let headers: [(name: String, value: String)]
    /// Form fields: names and value templates (`postparams`).
    public let formFields: [(name: String, value: String)]
    /// The user parameters.
    public let userParameters: [UserParameter]
    /// How the request authenticates.
    public let authorization: Authorization
    /// The body.
    public let body: Body
    /// Seconds the call may take (`max_execution_time`, 1-360, default 10).
    public let timeoutSeconds: Int
    /// The method as written.
    public let document: JSONObject
    /// Every text of the method, depth first: a `{not_empty__VAR}` block sees variables registered anywhere in it.
    public let texts: [String]
    /// The output rules (`output`), as stored.
    public let outputRules: [JSONValue]
    /// Its polling, when it polls.
    public let polling: Polling?
    /// The templates of the method's own texts, compiled once.
    let templates: [TemplateKey: RestTemplate]

    struct TemplateKey: Hashable, Sendable {
        var text: String
        var context: TemplateContext
    }

    /// The method a stored item of `parameters` describes.
    public init(document: JSONObject) {
        self.document = document
        id = PHPText.scalarText(document["id"] ?? .null)
        func string(_ key: String) -> String { document[key]?.stringValue ?? "" }
        func pairs(_ key: String) -> [(name: String, value: String)] {
            (document[key]?.arrayValue ?? []).compactMap { item in
                guard let name = item["key"].flatMap({ PHPText.scalarText($0) }), !name.isEmpty else { return nil }
                return (name, item["value"].flatMap { PHPText.scalarText($0) } ?? "")
            }
        }
        httpMethod = (document["method"]?.stringValue ?? "GET").uppercased()
        suburl = string("suburl")
        query = pairs("query")
        headers = pairs("header")
        formFields = pairs("postparams")
        userParameters = (document["userparams"]?.arrayValue ?? []).compactMap { item in
            guard let key = item["key"].flatMap({ PHPText.scalarText($0) }), !key.isEmpty else { return nil }
            return UserParameter(key: key, id: item["id"].flatMap { PHPText.scalarText($0) } ?? key, location: item["location"]?.stringValue ?? "")
        }
        switch string("authorization") {
        case "basicauth": authorization = .basic(user: string("auth_username"), password: string("auth_password"))
        case "bearer": authorization = .bearer(string("auth_bearer"))
        case "apikey":
            authorization = .apiKey(
                name: string("auth_api_key_name"), key: string("auth_api_key_key"), inQuery: string("api_key_location") == "queryparams")
        default: authorization = .none
        }
        switch string("body_request_type") {
        case "raw":
            let contentTypes = [
                "text": "text/plain", "json": "application/json", "js": "application/javascript", "appxml": "application/xml",
                "textxml": "text/xml", "texthtml": "text/html",
            ]
            body = .raw(
                template: string("body_raw"), contentType: contentTypes[string("body_request_type_content")] ?? "application/x-www-form-urlencoded")
        case "form-data": body = .multipart
        case "form-data-urlencoded": body = .urlEncoded
        default: body = .none
        }
        timeoutSeconds = min(max(document["max_execution_time"]?.looseInt ?? 10, 1), 360)
        let texts = RestRequestChecks.texts(in: .object(document))
        self.texts = texts
        outputRules = document["output"]?.arrayValue ?? []
        if let times = document["polling_n_times"]?.looseInt, (1...10).contains(times), let delay = document["polling_n_delay"]?.looseInt,
            (1...10).contains(delay)
        {
            polling = Polling(times: times, delay: delay, firstAtOnce: document["polling_no_delay_first"].map(PHPLoose.isTruthyValue) ?? false)
        } else {
            polling = nil
        }
        var templates: [TemplateKey: RestTemplate] = [:]
        for (text, context) in Self.templateTexts(of: document) where templates[TemplateKey(text: text, context: context)] == nil {
            templates[TemplateKey(text: text, context: context)] = RestTemplate(text, context: context, methodTexts: texts)
        }
        self.templates = templates
    }

    /// The template of `text` in `context`: compiled with the method when it is one of its texts, else now.
    public func template(_ text: String, context: TemplateContext) -> RestTemplate {
        templates[TemplateKey(text: text, context: context)] ?? RestTemplate(text, context: context, methodTexts: texts)
    }

    /// The texts a request is rendered from, each in the context it is rendered in: the URL, header, query and form
    /// values, credentials, the raw body, and the variables the Conditions tab and `check_not_empty` read.
    static func templateTexts(of method: JSONObject) -> [(String, TemplateContext)] {
        var found: [(String, TemplateContext)] = []
        found.append((method["suburl"]?.stringValue ?? "", .url))
        found.append((method["body_raw"]?.stringValue ?? "", .rawBody))
        for key in ["auth_username", "auth_password"] { found.append((method[key]?.stringValue ?? "", .header)) }
        for key in ["query", "header", "postparams"] {
            for item in method[key]?.arrayValue ?? [] { found.append((item["value"].flatMap { PHPText.scalarText($0) } ?? "", .header)) }
        }
        var variables = (method["conditions"]?.arrayValue ?? []).compactMap { $0["key"].flatMap { PHPText.scalarText($0) } }
        if let name = method["check_not_empty"].flatMap({ PHPText.scalarText($0) }) { variables.append(name.trimmingCharacters(in: .whitespaces)) }
        for key in variables where !key.isEmpty {
            let written = variableTemplate(key)
            found.append((written, .rawBody))
            found.append((written, .header))
        }
        return found
    }

    /// How the Conditions tab writes a variable name as a template: `{{name}}`, unless it is one already.
    public static func variableTemplate(_ key: String) -> String {
        key.contains("{{") ? key : "{{\(key)}}"
    }
}
