import Foundation
import HookworkEngine
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A real HTTP server on loopback that records requests and answers each path (without query) with a scripted
/// status, content type and body; other paths get 200 and "ok".
final class ScriptedReceiver: Sendable {
    struct Answer: Sendable {
        var status: Int = 200
        var contentType = "application/json"
        var body: String
    }

    let received = Mutex<[ReceivedRequest]>([])
    let answers: [String: Answer]
    var requests: [ReceivedRequest] { received.withLock { $0 } }

    init(answers: [String: Answer]) {
        self.answers = answers
    }

    func requests(to path: String) -> [ReceivedRequest] {
        requests.filter { $0.path == path || $0.path.hasPrefix(path + "?") }
    }

    static func with<T: Sendable>(_ answers: [String: Answer], _ body: @Sendable (ScriptedReceiver, Int) async throws -> T) async throws -> T {
        let receiver = ScriptedReceiver(answers: answers)
        let router = Router()
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] {
            router.on("**", method: method) { request, _ -> Response in
                let bytes = try await request.body.collect(upTo: 1 << 20)
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
                let query = request.uri.query.map { "?" + $0 } ?? ""
                receiver.received.withLock {
                    $0.append(
                        ReceivedRequest(
                            method: request.method.rawValue, path: request.uri.path + query, headers: headers, body: String(buffer: bytes)))
                }
                let answer = receiver.answers[request.uri.path] ?? Answer(contentType: "text/plain", body: "ok")
                return Response(
                    status: .init(code: answer.status), headers: [.contentType: answer.contentType],
                    body: .init(byteBuffer: ByteBuffer(string: answer.body))
                )
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
                let result = try await body(receiver, port)
                await serviceGroup.triggerGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                await serviceGroup.triggerGracefulShutdown()
                throw error
            }
        }
    }
}

/// An HTTP sender that records what it is asked to send and answers 200 "ok": for the request fields no receiver can
/// observe (the time limit).
final class RecordingSender: HTTPSender {
    let sent = Mutex<[OutboundRequest]>([])

    func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        sent.withLock { $0.append(request) }
        return OutboundResponse(status: 200, body: Array("ok".utf8))
    }
}
