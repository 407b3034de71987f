import Foundation
import HookworkEngine
import Synchronization

/// A real HTTP server on loopback that records requests and answers each path (without query) with a scripted
/// status, content type and body; other paths get 200 and "ok".
final class ScriptedReceiver: Sendable {
    struct Answer: Sendable {
        var status: Int = 200
        var contentType = "application/json"
        var body: String
        /// Further header fields (a redirect's `Location`).
        var headers: [(String, String)] = []
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
        return try await withLoopbackServer(
            answer: { request in
                receiver.received.withLock { $0.append(request) }
                let path = String(request.path.split(separator: "?", maxSplits: 1).first ?? "")
                let answer = receiver.answers[path] ?? Answer(contentType: "text/plain", body: "ok")
                return LoopbackAnswer(status: answer.status, headers: [("Content-Type", answer.contentType)] + answer.headers, body: answer.body)
            },
            { port in try await body(receiver, port) }
        )
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
