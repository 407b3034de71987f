import HookworkCore
import Hummingbird
import NIOCore

extension Request {
    /// The body parsed as JSON, at most `limit` bytes: 413 over the limit, 400 naming the problem otherwise.
    func jsonBody(limit: Int) async throws -> JSONValue {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "body_too_large", message: "the request body is larger than \(limit) bytes")
        }
        guard buffer.readableBytes > 0 else {
            throw APIError(.badRequest, code: "invalid_json", message: "the request body is empty; send a JSON document")
        }
        do {
            return try JSONValue(parsing: Array(buffer.readableBytesView))
        } catch {
            throw APIError(.badRequest, code: "invalid_json", message: "the body is not valid JSON: \(error.description)")
        }
    }

    /// The body as a JSON object.
    func jsonObject(limit: Int) async throws -> JSONObject {
        guard case .object(let object) = try await jsonBody(limit: limit) else {
            throw APIError(.badRequest, code: "invalid_json", message: "the body must be a JSON object")
        }
        return object
    }
}

extension HookworkRequestContext {
    /// The integer path parameter `name`, or 400.
    func intParameter(_ name: String = "id") throws -> Int {
        guard let text = parameters.get(name), let value = Int(text) else {
            throw APIError(.badRequest, code: "invalid_id", message: "the \(name) in the path must be an integer", field: name)
        }
        return value
    }
}

extension Parameters {
    /// The optional integer query parameter `name`, within `range`; 400 naming it otherwise.
    func checkedInt(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let text = self[Substring(name)].map(String.init), !text.isEmpty else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw APIError(
                .badRequest, code: "invalid_query",
                message: "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound); got '\(text)'",
                field: name
            )
        }
        return value
    }
}
