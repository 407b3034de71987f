import AsyncHTTPClient
import Foundation
import HookworkCore
import NIOCore
import NIOHTTP1
import Testing

extension Remote {
    /// Sends `json` (if any) with `method` and a bearer token; the status and the parsed answer (nil when none came).
    static func send(_ method: HTTPMethod, _ url: String, token: String, json: String? = nil) async -> (status: Int, body: JSONValue?)? {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(10)),
            let body = try? await response.body.collect(upTo: 1 << 22)
        else { return nil }
        return (Int(response.status.code), try? JSONValue(parsing: Array(body.readableBytesView)))
    }
}

@Suite("A chat that crashes the process is parked, and the server goes on", .serialized)
struct ContinuousCrashTests {
    /// Waits until the process has stopped by itself; whether it did within `seconds`.
    static func exited(_ server: HookworkProcess, within seconds: Int) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while server.process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return !server.process.isRunning
    }

    @Test("a chat whose evaluation stops the process (a real trap, injected in the debug build) is parked at the second restart")
    func crashLoopEnds() async throws {
        #expect(FileManager.default.fileExists(atPath: HookworkProcess.executable.path), "build the package first (swift build --build-tests)")
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let port = try await Receiver.with { _, port in port }
        try await Receiver.with { receiver, receiverPort in
            let healthy = [
                "HOOKWORK_DATABASE_URL": database.url, "HOOKWORK_HTTP_PORT": String(port), "HOOKWORK_OUTBOUND_ALLOW": "127.0.0.0/8",
                "HOOKWORK_ADMIN_TOKEN": adminToken, "HOOKWORK_INGEST_TOKEN": ingestToken, "HOOKWORK_LOG_LEVEL": "warning",
                "HOOKWORK_STATS_INTERVAL": "0",
            ]
            // Evaluating chat 2 traps, as a stack overflow or a failed precondition in the evaluator would.
            let poisoned = healthy.merging(["HOOKWORK_DEBUG_CRASH_CHAT": "2"]) { $1 }
            let base = "http://127.0.0.1:\(port)"
            let log = database.folder.appendingPathComponent("serve.log")
            var server = try HookworkProcess(["serve"], environment: poisoned, output: log)
            defer { server.stop() }
            try await Remote.waitUntilUp(base + "/health")
            #expect(await Remote.post(base + "/api/v1/rest_apis", token: adminToken, json: Fixture.restAPI(port: receiverPort)) == 201)
            #expect(await Remote.post(base + "/api/v1/triggers", token: adminToken, json: Fixture.trigger) == 201)
            for chat in 1...3 {
                let put = await Remote.send(.PUT, base + "/api/v1/chats/\(chat)", token: ingestToken, json: #"{"status":1,"nick":"Ann"}"#)
                #expect(put?.status == 200)
            }
            let conditions = #"[{"type":"3","attr":"{args.chat.status}","condition":"eq","value":"1"}]"#
            #expect(
                await Remote.post(
                    base + "/api/v1/webhooks", token: adminToken,
                    json: #"{"name":"every open chat","type":1,"trigger_id":1,"configuration":\#(conditions)}"#
                ) == 201)
            #expect(try await Self.exited(server, within: 30), "the first pass over chat 2 stops the process")
            #expect(server.process.terminationReason == .uncaughtSignal)

            // The first restart only suspects chat 2 (a stop may hit any chat by chance) and stops on it again.
            server = try HookworkProcess(["serve"], environment: poisoned, output: log)
            #expect(try await Self.exited(server, within: 30), "a suspect is evaluated again")
            #expect(server.process.terminationReason == .uncaughtSignal)
            #expect(receiver.requests.isEmpty, "no pass got as far as a firing")

            // The second restart parks it: the server stays up and fires for the other chats.
            server = try HookworkProcess(["serve"], environment: poisoned, output: log)
            try await Remote.waitUntilUp(base + "/health")
            let deadline = ContinuousClock.now + .seconds(30)
            while receiver.requests.count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(Set(receiver.requests.map(\.path)) == ["/closed/1?source=hookwork", "/closed/3?source=hookwork"])
            try await Task.sleep(for: .seconds(2))
            #expect(server.process.isRunning, "passes go on without chat 2")
            let parked = try #require(await Remote.send(.GET, base + "/api/v1/continuous/parked", token: adminToken))
            #expect(parked.status == 200)
            let fault = try #require(parked.body?["faults"]?.arrayValue?.first)
            #expect(parked.body?["parked"] == 1)
            #expect(fault["subject"] == "chat" && fault["id"] == 2 && fault["webhook_id"] == 1 && fault["status"] == "parked")
            #expect(fault["crashes"] == 2)
            #expect(fault["reason"]?.stringValue == "the process stopped 2 times while evaluating webhook 1's conditions on this chat")
            let ledger = try #require(await Remote.send(.GET, base + "/api/v1/webhooks/1/ledger", token: adminToken))
            #expect(ledger.body?["chats"]?.arrayValue?.compactMap { $0["chat_id"]?.intValue }.sorted() == [1, 3])

            // Resuming lets passes evaluate it again: with the fault still injected, that stops the process once more.
            #expect(await Remote.send(.POST, base + "/api/v1/chats/9/resume", token: adminToken)?.status == 404)
            let resumed = await Remote.send(.POST, base + "/api/v1/chats/2/resume", token: adminToken)
            #expect(resumed?.status == 200 && resumed?.body?["status"] == "resumed")
            #expect(try await Self.exited(server, within: 30), "a resumed chat is evaluated again")
            #expect(server.process.terminationReason == .uncaughtSignal)

            // Mended (no fault), the next start evaluates the suspect, fires for it and forgets the suspicion.
            server = try HookworkProcess(["serve"], environment: healthy, output: log)
            try await Remote.waitUntilUp(base + "/health")
            let fired = ContinuousClock.now + .seconds(30)
            while receiver.requests.count < 3, ContinuousClock.now < fired { try await Task.sleep(for: .milliseconds(50)) }
            #expect(receiver.requests.map(\.path).contains("/closed/2?source=hookwork"))
            let cleared = ContinuousClock.now + .seconds(10)
            var faults: [JSONValue]? = nil
            while ContinuousClock.now < cleared {
                faults = await Remote.send(.GET, base + "/api/v1/continuous/parked", token: adminToken)?.body?["faults"]?.arrayValue
                if faults?.isEmpty == true { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(faults?.isEmpty == true, "a pass that went through the suspect clears it")
            #expect(server.log.contains("continuous.crash_suspect"), "the start names the suspect it found in the sentinel")
        }
    }
}
