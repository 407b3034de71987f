public import HookworkCore
import HookworkEngine
public import Hummingbird

/// The one error shape of the API: `{"error":{"code","message","field"}}` (DESIGN §4).
public struct APIError: HTTPResponseError {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable code (`invalid_json`, `not_found`, `validation_failed`, ...).
    public var code: String
    /// What went wrong and how to fix it.
    public var message: String
    /// The request member at fault, if one is.
    public var field: String?
    /// Further problems (every invalid condition, for instance).
    public var details: [JSONValue]
    /// Extra response headers.
    public var headers: HTTPFields

    /// An error.
    public init(
        _ status: HTTPResponse.Status, code: String, message: String, field: String? = nil, details: [JSONValue] = [], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.details = details
        self.headers = headers
    }

    /// The error as the JSON body.
    public var json: JSONValue {
        var error = JSONObject([("code", .string(code)), ("message", .string(message))])
        error["field"] = field.map(JSONValue.string) ?? .null
        if !details.isEmpty { error["details"] = .array(details) }
        return .object(JSONObject([("error", .object(error))]))
    }

    /// The response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(json, status: status)
        for field in headers { response.headers.append(field) }
        return response
    }

    static func notFound(_ what: String, id: Int) -> APIError {
        APIError(.notFound, code: "not_found", message: "\(what) \(id) does not exist")
    }
}

/// Building JSON responses from `JSONValue`.
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        let text = value.jsonText()
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}
