import Foundation
import HTTPTypes
import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkStore
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

@testable import HookworkServer

let adminToken = "admin-secret-for-tests"
let ingestToken = "ingest-secret-for-tests"

/// A logger that stays quiet unless a test fails loudly.
let testLogger: Logger = {
    var logger = Logger(label: "hookwork-tests")
    logger.logLevel = .warning
    return logger
}()

/// A temporary folder with an SQLite file path in it.
func temporaryDatabaseURL() -> (url: String, folder: URL) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hookwork-tests-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return ("sqlite://" + folder.appendingPathComponent("hookwork.sqlite").path, folder)
}

/// The address policy of tests: their receivers listen on loopback, which the default policy refuses.
let loopbackAllowed = OutboundAddressPolicy(allowedNetworks: [IPNetwork("127.0.0.0/8")!, IPNetwork("::1")!])

/// A configuration for tests: both tokens set, a fast queue poll, loopback receivers allowed.
func testConfiguration(worker: WorkerMode = .http, databaseURL: String) -> HookworkConfiguration {
    var configuration = HookworkConfiguration()
    configuration.outboundAllow = loopbackAllowed
    configuration.databaseURL = databaseURL
    configuration.port = 0
    configuration.worker = worker
    configuration.adminToken = adminToken
    configuration.ingestToken = ingestToken
    configuration.queuePollMilliseconds = 20
    configuration.maxBodyBytes = 64 * 1024
    // Tests that read first attempts from the answer wait for them; the bounded wait has its own test.
    configuration.httpWorkerWaitMilliseconds = 60_000
    // Reconciliation reads platforms' APIs; the tests that want it run it themselves.
    configuration.platformSyncSeconds = 0
    return configuration
}

/// Builds the application on a fresh store opened from the configuration's database URL.
func makeApp(_ configuration: HookworkConfiguration, announce: @escaping @Sendable (String) -> Void = { _ in }) async throws
    -> some ApplicationProtocol
{
    let store = try await makeStore(url: configuration.databaseURL, logger: testLogger)
    return try await buildApplication(
        configuration: configuration, dependencies: ServerDependencies(store: store, logger: testLogger, announceAdminToken: announce)
    )
}

extension TestClientProtocol {
    /// Sends JSON (or raw text) with a bearer token and returns the status and the parsed body.
    @discardableResult
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = adminToken, json: String? = nil) async throws -> (
        status: Int, body: JSONValue
    ) {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        let response = try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        let text = String(buffer: response.body)
        let body = text.isEmpty ? JSONValue.null : ((try? JSONValue(parsing: text)) ?? .string(text))
        return (Int(response.status.code), body)
    }

    /// Every call in the outbox, newest first: what the decisions committed, so a test asserts on it that nothing (or
    /// exactly one call) was decided, instead of waiting and finding the receiver silent.
    func outbox() async throws -> [JSONValue] {
        try await call(.get, "/api/v1/deliveries?limit=100").body["deliveries"]?.arrayValue ?? []
    }
}

/// One request the receiver got.
struct ReceivedRequest: Sendable {
    var method: String
    var path: String
    var headers: [String: String]
    var body: String
}

/// A real HTTP server on a random loopback port that records what it receives.
final class Receiver: Sendable {
    let received = Mutex<[ReceivedRequest]>([])
    var requests: [ReceivedRequest] { received.withLock { $0 } }

    /// Waits until `count` requests arrived or `seconds` passed.
    func waitFor(_ count: Int, seconds: Double = 10) async throws -> [ReceivedRequest] {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while requests.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return requests
    }

    /// What the receiver answers: a status and header fields (200 and none unless a test says otherwise).
    typealias Responder = @Sendable (ReceivedRequest) async -> (status: Int, headers: [(String, String)])

    /// Runs `body` with the receiver listening; returns what `body` returns. `respond` chooses each answer.
    static func with<T: Sendable>(
        respond: @escaping Responder = { _ in (200, []) }, _ body: @Sendable (Receiver, Int) async throws -> T
    ) async throws -> T {
        let receiver = Receiver()
        return try await withLoopbackServer(
            answer: { request in
                receiver.received.withLock { $0.append(request) }
                let answer = await respond(request)
                return LoopbackAnswer(status: answer.status, headers: answer.headers, body: "ok")
            },
            { port in try await body(receiver, port) }
        )
    }
}

/// What a loopback test server answers.
struct LoopbackAnswer: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: String
}

/// Runs `body` with a real HTTP server on a random loopback port that hands every request (any method, any path) to
/// `answer`; returns what `body` returns.
func withLoopbackServer<T: Sendable>(
    answer: @escaping @Sendable (ReceivedRequest) async -> LoopbackAnswer, _ body: @Sendable (Int) async throws -> T
) async throws -> T {
    let router = Router()
    for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] {
        router.on("**", method: method) { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let query = request.uri.query.map { "?" + $0 } ?? ""
            let received = ReceivedRequest(
                method: request.method.rawValue, path: request.uri.path + query, headers: headers, body: String(buffer: bytes))
            let reply = await answer(received)
            var fields = HTTPFields()
            for (name, value) in reply.headers { if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) } }
            return Response(
                status: HTTPResponse.Status(code: reply.status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: reply.body)))
        }
    }
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: testLogger
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        let serviceGroup = ServiceGroup(configuration: .init(services: [app], logger: testLogger))
        group.addTask { try await serviceGroup.run() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        do {
            let result = try await body(port)
            await serviceGroup.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        } catch {
            await serviceGroup.triggerGracefulShutdown()
            throw error
        }
    }
}

/// JSON for the walk-through's Rest API, trigger and webhook, pointing at `port`.
enum Fixture {
    static func restAPI(port: Int) -> String {
        """
        {"name":"Receiver","configuration":{"host":"http://127.0.0.1:\(port)","parameters":[
          {"id":"close","name":"Chat closed","method":"POST","suburl":"/closed/{{args.chat.id}}",
           "query":[{"key":"source","value":"hookwork"}],
           "header":[{"key":"X-Operator","value":"{{args.user_data.name}}"}],
           "body_request_type":"raw","body_request_type_content":"json",
           "body_raw":"{\\"chat_id\\": {{args.chat.id}}, \\"nick\\": {{args.chat.nick}}, \\"department\\": {{args.chat.department.name}}}"},
          {"id":"other","name":"Conditions not met","method":"POST","suburl":"/not-closed/{{args.chat.id}}",
           "body_request_type":"raw","body_request_type_content":"json","body_raw":"{\\"status\\": {{args.chat.status}}}"},
          {"id":"nick_path","name":"Nick in the path","method":"GET","suburl":"/by-nick/{{args.chat.nick}}"}]}}
        """
    }

    static let trigger = #"{"name":"Tell the receiver","actions":[{"type":"restapi","content":{"rest_api":1,"rest_api_method":"close"}}]}"#

    /// Trigger 2: the "conditions NOT valid" branch.
    static let alternativeTrigger =
        #"{"name":"Tell the receiver it did not match","actions":[{"type":"restapi","content":{"rest_api":1,"rest_api_method":"other"}}]}"#

    static func webhook(event: String = "chat.close", delay: Int = 0, configuration: String = "[]", alternative: Int = 0) -> String {
        #"{"name":"On close","event":"\#(event)","type":0,"delay":\#(delay),"bot_id":1,"trigger_id":1,"trigger_id_alt":\#(alternative),"configuration":\#(configuration)}"#
    }

    /// The seed document's chat.close webhook with real conditions: a closed chat (status 2) of the Sales department.
    static let salesClosedConditions =
        #"[{"type":"3","attr":"{args.chat.status}","condition":"eq","value":"2"},{"type":"3","attr":"{args.chat.department.name}","condition":"eq","value":"Sales"}]"#

    /// A close event for `chat` in department `department`.
    static func closeEvent(id: String, chat: Int, status: Int = 2, department: Int = 3, nick: String = "Ann") -> String {
        #"{"event":"chat.close","id":"\#(id)","args":{"chat":{"id":\#(chat),"nick":"\#(nick)","status":\#(status),"dep_id":\#(department)},"user_data":{"id":5,"name":"Olga"}}}"#
    }

    static let closeEvent =
        #"{"event":"chat.close","id":"evt-1","args":{"chat":{"id":7,"nick":"Ann","status":2,"dep_id":3},"user_data":{"id":5,"name":"Olga"}}}"#
}

/// Creates the department, Rest API, trigger and webhook of the walk-through.
func configure(_ client: some TestClientProtocol, port: Int, webhook: String = Fixture.webhook()) async throws {
    #expect(try await client.call(.put, "/api/v1/departments/3", token: ingestToken, json: #"{"name":"Sales"}"#).status == 200)
    #expect(try await client.call(.post, "/api/v1/rest_apis", json: Fixture.restAPI(port: port)).status == 201)
    #expect(try await client.call(.post, "/api/v1/triggers", json: Fixture.trigger).status == 201)
    #expect(try await client.call(.post, "/api/v1/triggers", json: Fixture.alternativeTrigger).status == 201)
    let created = try await client.call(.post, "/api/v1/webhooks", json: webhook)
    #expect(created.status == 201, "\(created.body)")
}

/// Polls the event until a worker completed it.
func waitForOutcome(_ client: some TestClientProtocol, eventID: Int, seconds: Double = 10) async throws -> JSONValue {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        let response = try await client.call(.get, "/api/v1/events/\(eventID)", token: ingestToken)
        if response.body["status"] == "done" { return response.body }
        try await Task.sleep(for: .milliseconds(25))
    }
    Issue.record("event \(eventID) did not complete in \(seconds) s")
    return .null
}
