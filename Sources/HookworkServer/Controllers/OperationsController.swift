import HookworkCore
import HookworkEngine
import HookworkStore
import Hummingbird

/// `/health`, `/metrics` and the OpenAPI document.
struct OperationsController {
    let environment: ServerEnvironment

    func register(on table: RouteTable) {
        let environment = environment
        table.add(.get, "/health", "Liveness and store reachability", scope: .public, tag: "operations") { _, _ in
            do {
                _ = try await environment.store.tokenCount()
            } catch {
                throw APIError(.serviceUnavailable, code: "store_unavailable", message: "the store does not answer")
            }
            return JSONResponse.make(
                .object(
                    JSONObject([
                        ("status", .string("ok")), ("worker", .string(environment.configuration.worker.rawValue)),
                        ("webhooks_enabled", .bool(environment.configuration.webhooksEnabled)),
                    ]))
            )
        }
        table.add(.get, "/metrics", "Prometheus metrics (text format)", scope: .public, tag: "operations") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: environment.metrics.exposition()))
            )
        }
    }

    /// Adds the OpenAPI route last, describing every route of the table, itself included.
    func registerOpenAPI(on table: RouteTable) {
        let summary = "This OpenAPI document"
        let path = "/api/v1/openapi.json"
        let own = RouteSpec(method: .get, path: path, summary: summary, scope: .public, tag: "operations", hasBody: false, success: 200)
        let document = OpenAPIDocument.make(specs: table.specs + [own])
        table.add(.get, path, summary, scope: .public, tag: "operations") { _, _ in JSONResponse.make(document) }
    }
}
