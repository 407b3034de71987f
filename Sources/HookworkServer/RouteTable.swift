import HookworkCore
import HookworkDelivery
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
    /// Seconds a request may take, reading its body included.
    let deadlineSeconds: Int
    /// Requests in progress per client address.
    let concurrency: ClientConcurrency
    private(set) var specs: [RouteSpec] = []

    init(router: Router<HookworkRequestContext>, auth: TokenAuthenticator, deadlineSeconds: Int = 30, perClientLimit: Int = 64) {
        self.router = router
        self.auth = auth
        self.deadlineSeconds = deadlineSeconds
        self.concurrency = ClientConcurrency(limit: perClientLimit)
    }

    func add(
        _ method: HTTPRequest.Method, _ path: String, _ summary: String, scope: Scope, tag: String, body: Bool = false, success: Int = 200,
        _ handler: @escaping @Sendable (Request, HookworkRequestContext) async throws -> Response
    ) {
        specs.append(RouteSpec(method: method, path: path, summary: summary, scope: scope, tag: tag, hasBody: body, success: success))
        let auth = auth
        let deadline = deadlineSeconds
        let concurrency = concurrency
        router.on(RouterPath(path), method: method) { request, context in
            let client = context.clientAddress
            guard concurrency.enter(client) else {
                throw APIError(
                    .tooManyRequests, code: "too_many_concurrent_requests",
                    message:
                        "this address has \(concurrency.limit) requests in progress (HOOKWORK_MAX_CONCURRENT_PER_CLIENT); wait for one to finish",
                    headers: [.retryAfter: "1"])
            }
            defer { concurrency.leave(client) }
            return try await Self.within(seconds: deadline) {
                var context = context
                context.tokenName = try await auth.authorize(request, needed: scope, client: context.clientAddress)
                return try await handler(request, context)
            }
        }
    }

    /// Runs `body`, or answers 503 `deadline_exceeded` when it takes longer than `seconds`. The body runs in its own
    /// task and is cancelled at the deadline; the answer does not wait for it to notice (a client that sends its
    /// body slowly, or a store call that does not return, never holds the request for ever).
    static func within(seconds: Int, _ body: @escaping @Sendable () async throws -> Response) async throws -> Response {
        let race = FirstResult<Response>()
        let work = Task { race.finish(await Result(catching: body)) }
        let timer = Task {
            try await Task.sleep(for: .seconds(seconds))
            race.finish(
                .failure(
                    APIError(
                        .serviceUnavailable, code: "deadline_exceeded",
                        message: "the request did not finish within \(seconds) s (HOOKWORK_REQUEST_TIMEOUT_SECONDS); try again",
                        headers: [.retryAfter: "1"])))
        }
        defer {
            timer.cancel()
            work.cancel()
        }
        return try await withTaskCancellationHandler {
            try await race.value()
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
