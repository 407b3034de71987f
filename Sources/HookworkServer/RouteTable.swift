import HookworkCore
import Hummingbird

/// One documented route: how it is registered and how the OpenAPI document describes it.
struct RouteSpec: Sendable {
    var method: HTTPRequest.Method
    var path: String
    var summary: String
    var scope: Scope
    var tag: String
    var hasBody: Bool
    var success: Int
}

/// Registers routes on the router and remembers them for the OpenAPI document, checking each route's scope first.
final class RouteTable {
    let router: Router<HookworkRequestContext>
    let auth: TokenAuthenticator
    private(set) var specs: [RouteSpec] = []

    init(router: Router<HookworkRequestContext>, auth: TokenAuthenticator) {
        self.router = router
        self.auth = auth
    }

    func add(
        _ method: HTTPRequest.Method, _ path: String, _ summary: String, scope: Scope, tag: String, body: Bool = false, success: Int = 200,
        _ handler: @escaping @Sendable (Request, HookworkRequestContext) async throws -> Response
    ) {
        specs.append(RouteSpec(method: method, path: path, summary: summary, scope: scope, tag: tag, hasBody: body, success: success))
        let auth = auth
        router.on(RouterPath(path), method: method) { request, context in
            try await auth.authorize(request, needed: scope)
            return try await handler(request, context)
        }
    }
}
