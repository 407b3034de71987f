import Foundation
import HookworkCore
import HookworkStore

/// Builds the HTTP request of one Rest API method (spec §8.3.1) from the action's content and the trigger arguments.
struct RestAPIRequestBuilder: Sendable {
    let catalog: ConfigurationCatalog

    /// Why the call was not made.
    struct Failure: Error {
        var reason: String
        /// The template error's code (`invalid_url`, `unsupported_scheme`), when rendering failed.
        var code: String?
        /// The rendered URL that failed validation.
        var url: String?
        /// When true the call was deliberately not made (Conditions tab, `check_not_empty`), which is not an error.
        var skipped = false
        /// More about why (the failing condition's index, key and values).
        var detail = JSONObject()
    }

    /// The request and the Rest API and method it was built from (the method's `output` rules decide what follows).
    struct Built: Sendable {
        var request: OutboundRequest
        var api: RestAPI
        var method: RestAPIMethod
    }

    func prepare(_ call: RestAPICallContent, input given: TemplateInput) async throws -> Built {
        guard let apiID = call.restAPIID, let api = try await catalog.snapshot().restAPIs[apiID] else {
            throw Failure(reason: "the Rest API \(call.restAPIWritten?.jsonText() ?? "(none)") does not exist")
        }
        guard let written = api.method(id: call.methodID) else {
            throw Failure(reason: "the Rest API \(apiID) has no method with id '\(call.methodID)'")
        }
        // Trigger variables in the method's texts are replaced first; only then are its templates those it was saved with.
        let substituted = Self.substituted(written.document, args: given.args)
        let compiled = substituted == written.document ? written : RestAPIMethod(document: substituted)
        let input = Self.input(given, call: call, method: compiled)
        func render(_ text: String, _ context: TemplateContext) -> String {
            // The raw-body and header contexts cannot fail; only the URL is validated.
            (try? compiled.template(text, context: context).render(input).get()) ?? ""
        }

        try Self.check(compiled, input: input)

        var query: [(String, String)] = []
        for (key, value) in compiled.query { query.append((key, render(value, .header))) }
        // User parameters (spec §8.3): values come from the action's rest_api_method_params, by parameter id.
        var postUserParams: [(String, String)] = []
        for parameter in compiled.userParameters {
            let value =
                call.methodParameters[parameter.id].map {
                    TriggerVariables.botText($0, args: input.args, rootKind: input.rootKind, now: input.now)
                } ?? ""
            switch parameter.location {
            case "post_param": postUserParams.append((parameter.key, value))
            case "body_param": break  // rendered into the raw body through TemplateInput.bodyParams
            default: query.append((parameter.key, value))
            }
        }
        var headers: [(name: String, value: String)] = []
        for (key, value) in compiled.headers { headers.append((key, render(value, .header))) }

        switch compiled.authorization {
        case .basic(let user, let password):
            let user = render(user, .header)
            let password = render(password, .header)
            headers.append(("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()))
        case .bearer(let token):
            headers.append(("Authorization", "Bearer " + token))
        case .apiKey(let name, let key, let inQuery):
            if inQuery { query.append((name, key)) } else { headers.append((name, key)) }
        case .none:
            break
        }
        // The reference's URL: trim(rtrim(host) . suburl . "?" . query), then FILTER_VALIDATE_URL (spec §8.3.1).
        let url: String
        switch compiled.template(compiled.suburl, context: .url).renderURL(host: api.host, query: Self.formEncoded(query), input) {
        case .success(let rendered): url = rendered
        case .failure(let error): throw Failure(reason: error.message, code: error.code.rawValue, url: error.rendered)
        }

        var body: [UInt8]?
        func fields() -> [(String, String)] { compiled.formFields.map { ($0.name, render($0.value, .header)) } }
        switch compiled.body {
        case .raw(let template, let contentType):
            body = Array(render(template, .rawBody).utf8)
            if !headers.contains(where: { $0.name.lowercased() == "content-type" }) { headers.append(("Content-Type", contentType)) }
        case .multipart:
            let (bytes, type) = Self.multipart(fields() + postUserParams)
            body = bytes
            headers.append(("Content-Type", type))
        case .urlEncoded:
            body = Array(Self.formEncoded(fields() + postUserParams).utf8)
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            headers.append(("Cache-Control", "no-cache"))
        case .none:
            if !postUserParams.isEmpty {
                body = Array(Self.formEncoded(postUserParams).utf8)
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            }
        }
        let request = OutboundRequest(
            method: compiled.httpMethod, url: url, headers: headers, body: body, timeoutSeconds: compiled.timeoutSeconds,
            verifyTLS: api.verifiesTLS, followRedirects: api.followsRedirects
        )
        return Built(request: request, api: api, method: compiled)
    }

    /// `application/x-www-form-urlencoded`, as PHP's `http_build_query` writes it.
    static func formEncoded(_ pairs: [(String, String)]) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._")
        func encode(_ text: String) -> String {
            (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "").replacingOccurrences(of: "%20", with: "+")
        }
        return pairs.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}
