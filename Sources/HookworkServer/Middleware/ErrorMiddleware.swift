import HookworkCore
import HookworkEngine
import HookworkStore
import Hummingbird
import Logging
import NIOCore

/// Turns every error into the one JSON error shape (each domain error is mapped to its HTTP status here, and only here) and counts requests by route pattern and status.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = HookworkRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.request(method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: response.status.code)
            return response
        } catch {
            let apiError = Self.apiError(for: error, request: request, context: context)
            if apiError.status.code >= 500 {
                context.logger.error("request.failed", metadata: ["error.code": "\(apiError.code)", "error": "\(error)"])
            }
            metrics.request(method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: apiError.status.code)
            metrics.errorOccurred(code: apiError.code)
            return try apiError.response(from: request, context: context)
        }
    }

    static func apiError(for error: any Error, request: Request, context: Context) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let failure as ValidationFailure:
            return APIError(.unprocessableContent, code: failure.code, message: failure.message, field: failure.field, details: failure.details)
        case let failure as HistoryError:
            switch failure {
            case .noVersion: return APIError(.notFound, code: "no_such_version", message: failure.message)
            case .deletion: return APIError(.conflict, code: "version_is_deletion", message: failure.message)
            }
        case let error as InspectionError:
            let status: HTTPResponse.Status = error.code == "not_found" ? .notFound : .unprocessableContent
            return APIError(status, code: error.code, message: error.message, field: error.field)
        case let refusal as PlatformRefusal:
            return APIError(.unprocessableContent, code: "validation_failed", message: refusal.message, field: refusal.field)
        case let refusal as TokenAdministration.Refusal:
            switch refusal.code {
            case "not_found": return APIError(.notFound, code: refusal.code, message: refusal.message)
            case "last_admin_token": return APIError(.conflict, code: refusal.code, message: refusal.message)
            default: return APIError(.unprocessableContent, code: refusal.code, message: refusal.message, field: refusal.field)
            }
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, code: "body_too_large", message: "the request body is larger than the server accepts")
        case let error as StoreError:
            switch error.code {
            case "not_found": return APIError(.notFound, code: "not_found", message: error.message)
            case "conflict": return APIError(.conflict, code: "conflict", message: error.message)
            case "invalid": return APIError(.unprocessableContent, code: "invalid", message: error.message)
            default: return APIError(.serviceUnavailable, code: "store_unavailable", message: "the store is unavailable; retry later")
            }
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                return APIError(
                    .notFound, code: "route_not_found", message: "no route \(request.method) \(request.uri.path); see /api/v1/openapi.json")
            case .methodNotAllowed:
                return APIError(.methodNotAllowed, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.uri.path)")
            default:
                let code = error.status.code < 500 ? "bad_request" : "internal"
                return APIError(error.status, code: code, message: error.body ?? error.status.reasonPhrase)
            }
        case let error as any HTTPResponseError:
            let code = error.status.code < 500 ? "bad_request" : "internal"
            return APIError(error.status, code: code, message: error.status.reasonPhrase)
        default:
            return APIError(.internalServerError, code: "internal", message: "an internal error occurred; it has been logged")
        }
    }
}
