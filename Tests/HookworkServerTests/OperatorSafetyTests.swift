import Foundation
import HookworkCore
import HookworkEngine
import HookworkStore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HookworkServer

/// Poison parking, token management, the failed-authentication limit, strict types at the boundary and the request
/// deadline (README, "Limits, addresses and secrets", "Tokens", "Parked events").
@Suite("Operator safety: parked events, tokens, rate limits, strict types, deadlines")
struct OperatorSafetyTests {
    /// A server in queue mode on a fresh database where `prepare` ran first.
    func withQueueServer(
        maxAttempts: Int = 2, prepare: @Sendable (any Store) async throws -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, Receiver) async throws -> Void
    ) async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let store = try await makeStore(url: database.url, logger: testLogger)
        try await store.migrate()
        try await prepare(store)
        try await store.shutdown()
        try await Receiver.with { receiver, port in
            var configuration = testConfiguration(worker: .queue, databaseURL: database.url)
            configuration.eventMaxAttempts = maxAttempts
            let app = try await makeApp(configuration)
            try await app.test(.router) { client in
                try await configure(client, port: port)
                try await body(client, receiver)
            }
        }
    }

    @Test("an event whose runs never completed is parked unrun with its reason, listed, and replayed by API into a delivered call")
    func parkedAndReplayed() async throws {
        try await withQueueServer(
            maxAttempts: 2,
            prepare: { store in
                // Three claims whose leases ended without a completion: what a worker that crashed three times leaves.
                let args = try JSONValue(parsing: Fixture.closeEvent)["args"] ?? .null
                // The chat the event carried, as the intake stored it when the event arrived.
                try await store.put(.chat, id: 7, document: args["chat"]?.objectValue ?? JSONObject())
                _ = try await store.enqueueEvent(key: "poison", name: "chat.close", args: args, receivedAt: 1_000, runAt: 1_000)
                for claim in 0..<3 { _ = try await store.claimEvents(limit: 1, now: 1_000 + claim * 10, worker: "crashed", leaseSeconds: 1) }
            }
        ) { client, receiver in
            var parked: JSONValue = .null
            for _ in 0..<250 {
                parked = try await client.call(.get, "/api/v1/events/parked").body
                if parked["total"] == 1 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(parked["total"] == 1, "\(parked)")
            let item = try #require(parked["events"]?.arrayValue?.first)
            #expect(item["id"] == "poison")
            #expect(item["attempts"] == 4)
            #expect(item["reason"]?.stringValue?.contains("claimed 3 times without completing") == true, "\(item)")
            let sequence = try #require(item["event_id"]?.intValue)
            let shown = try await client.call(.get, "/api/v1/events/\(sequence)", token: ingestToken)
            #expect(shown.body["status"] == "parked")
            #expect(receiver.requests.isEmpty, "a parked event runs nothing")
            // Parked events are an operator's: the ingest token may not list or replay them.
            #expect(try await client.call(.get, "/api/v1/events/parked", token: ingestToken).status == 403)

            let replayed = try await client.call(.post, "/api/v1/events/\(sequence)/replay")
            #expect(replayed.status == 202)
            #expect(replayed.body["status"] == "queued")
            #expect(try await client.call(.post, "/api/v1/events/\(sequence)/replay").status == 409, "only a parked event is replayed")
            #expect(try await client.call(.post, "/api/v1/events/999/replay").status == 404)
            var status: JSONValue = .null
            for _ in 0..<250 {
                status = try await client.call(.get, "/api/v1/events/\(sequence)", token: ingestToken).body
                if status["status"] == "done" { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(status["status"] == "done")
            #expect(status["attempts"] == 1)
            let arrived = try await receiver.waitFor(1)
            #expect(arrived.map(\.path) == ["/closed/7?source=hookwork"], "\(status)")
            #expect(try await client.call(.get, "/api/v1/events/parked").body["total"] == 0)
        }
    }

    @Test("tokens: created with a secret shown once, listed without it, used, rotated (old secret refused), revoked at once")
    func tokenLifecycle() async throws {
        try await withQueueServer { client, _ in
            let made = try await client.call(.post, "/api/v1/tokens", json: #"{"name":"chat platform","scope":"ingest"}"#)
            #expect(made.status == 201)
            let secret = try #require(made.body["token"]?.stringValue)
            let id = try #require(made.body["id"]?.intValue)
            #expect(made.body["scope"] == "ingest")
            #expect(try await client.call(.put, "/api/v1/chats/70", token: secret, json: #"{"status":1}"#).status == 200)
            #expect(try await client.call(.get, "/api/v1/webhooks", token: secret).status == 403, "an ingest token is not an admin")

            let listed = try await client.call(.get, "/api/v1/tokens")
            #expect(!listed.body.jsonText().contains(secret), "a listing never carries a secret")
            let entries = listed.body["tokens"]?.arrayValue ?? []
            #expect(entries.contains { $0["name"] == "HOOKWORK_ADMIN_TOKEN" && $0["source"] == "environment" })
            let entry = try #require(entries.first { $0["id"]?.intValue == id })
            #expect(entry["name"] == "chat platform")
            #expect(entry["last_used_at"]?.intValue != nil, "the request above used it")

            let rotated = try await client.call(.post, "/api/v1/tokens/\(id)/rotate")
            let newSecret = try #require(rotated.body["token"]?.stringValue)
            #expect(newSecret != secret)
            #expect(
                try await client.call(.put, "/api/v1/chats/70", token: secret, json: #"{"status":1}"#).status == 401, "the old secret stops at once")
            #expect(try await client.call(.put, "/api/v1/chats/70", token: newSecret, json: #"{"status":1}"#).status == 200)

            #expect(try await client.call(.delete, "/api/v1/tokens/\(id)").status == 200)
            #expect(try await client.call(.put, "/api/v1/chats/70", token: newSecret, json: #"{"status":1}"#).status == 401, "revoked at once")
            #expect(try await client.call(.delete, "/api/v1/tokens/\(id)").status == 404)
            let bad = try await client.call(.post, "/api/v1/tokens", json: #"{"name":"x","scope":"root"}"#)
            #expect(bad.status == 422)
            #expect(bad.body["error"]?["field"] == "scope")
            #expect(try await client.call(.post, "/api/v1/tokens", token: ingestToken, json: #"{"name":"x","scope":"admin"}"#).status == 403)
        }
    }

    @Test("the last admin token cannot be revoked when none is configured; the CLI creates, lists and revokes")
    func lastAdminAndCommandLine() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let path = String(database.url.dropFirst("sqlite://".count))
        let created = try runHookwork(["tokens", "create", "--name", "ops", "--scope", "admin"], databasePath: path)
        #expect(created.status == 0, "\(created.stderr)")
        let made = try JSONValue(parsing: created.stdout)
        let id = try #require(made["id"]?.intValue)
        #expect(made["token"]?.stringValue?.hasPrefix("hwk_") == true)
        let listed = try runHookwork(["tokens", "list"], databasePath: path)
        #expect(listed.stdout.contains(#""name":"ops""#))
        #expect(!listed.stdout.contains(made["token"]?.stringValue ?? "-"), "the list never prints a secret")
        let refused = try runHookwork(["tokens", "revoke", "\(id)"], databasePath: path)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("last admin token"), "\(refused.stderr)")
        let second = try runHookwork(["tokens", "create", "--name", "backup", "--scope", "admin"], databasePath: path)
        #expect(second.status == 0)
        #expect(try runHookwork(["tokens", "revoke", "\(id)"], databasePath: path).status == 0)
        #expect(try runHookwork(["tokens", "create", "--name", "x", "--scope", "everything"], databasePath: path).status != 0)
    }

    @Test("bad tokens are limited per client: past the limit even a good token gets 429 with Retry-After until the window ends")
    func failedAuthenticationLimited() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        var configuration = testConfiguration(databaseURL: database.url)
        configuration.authFailureLimit = 5
        let app = try await makeApp(configuration)
        try await app.test(.live) { client in
            for _ in 0..<5 { #expect(try await client.call(.get, "/api/v1/webhooks", token: "guess").status == 401) }
            let limited = try await client.execute(uri: "/api/v1/webhooks", method: .get, headers: [.authorization: "Bearer \(adminToken)"])
            #expect(limited.status.code == 429)
            #expect(limited.headers[.retryAfter].flatMap(Int.init).map { (1...60).contains($0) } == true)
            #expect(try await client.call(.get, "/health", token: nil).status == 200, "public routes stay open")
        }
    }

    @Test(
        "an event whose state members have the wrong type is refused naming the member, and nothing is stored",
        arguments: [
            (#"{"chat":5}"#, "args.chat"), (#"{"chat":[]}"#, "args.chat"), (#"{"chat":{"id":"abc"}}"#, "args.chat.id"),
            (#"{"chat":{"nick":"no id"}}"#, "args.chat.id"), (#"{"chat":{"id":-3}}"#, "args.chat.id"), (#"{"msg":{"msg":"hi"}}"#, "args.msg.chat_id"),
            (#"{"msg":{"chat_id":7,"id":"x"}}"#, "args.msg.id"), (#"{"mail":{"id":1.5}}"#, "args.mail.id"),
            (#"{"conversation":"c"}"#, "args.conversation"),
        ])
    func strictEventTypes(_ args: String, _ field: String) async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            let answer = try await client.call(.post, "/api/v1/events", token: ingestToken, json: #"{"event":"chat.close","args":\#(args)}"#)
            #expect(answer.status == 422)
            #expect(answer.body["error"]?["field"]?.stringValue == field, "\(answer.body)")
            #expect(try await client.call(.get, "/api/v1/events/1", token: ingestToken).status == 404, "no event stored")
            let digits = try await client.call(
                .post, "/api/v1/events", token: ingestToken, json: #"{"event":"chat.close","args":{"chat":{"id":"8"}}}"#)
            #expect(digits.status == 200, "an id sent as digits, as PHP platforms do, is accepted")
            #expect(try await client.call(.get, "/api/v1/chats/8", token: ingestToken).status == 200)
        }
    }

    @Test(
        "wrong-typed Rest API and mail members are refused naming the member",
        arguments: [
            (#""host":"http://","parameters":[]"#, "configuration.host"),
            (#""host":"http://a.example","parameters":[{"id":"m","method":5}]"#, "configuration.parameters[0].method"),
            (#""host":"http://a.example","parameters":[{"id":"m","header":5}]"#, "configuration.parameters[0].header"),
            (#""host":"http://a.example","parameters":[{"id":"m","output":5}]"#, "configuration.parameters[0].output"),
            (
                #""host":"http://a.example","parameters":[{"id":"m","header":[{"key":"X\r\nBcc","value":"v"}]}]"#,
                "configuration.parameters[0].header[0].key"
            ),
            (#""host":"http://a.example","verify_tls":"no","parameters":[]"#, "configuration.verify_tls"),
        ])
    func strictRestAPITypes(_ configuration: String, _ field: String) async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            let answer = try await client.call(.post, "/api/v1/rest_apis", json: #"{"name":"R","configuration":{\#(configuration)}}"#)
            #expect(answer.status == 422)
            #expect(answer.body["error"]?["field"]?.stringValue == field, "\(answer.body)")
            #expect(try await client.call(.get, "/api/v1/rest_apis").body["rest_apis"]?.arrayValue?.isEmpty != false)
        }
    }

    @Test("a mail recipient that is a number or carries a header is refused")
    func strictMailTypes() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            for recipient in ["5", #""a@example.com\r\nBcc: b@example.com""#] {
                let trigger = #"{"name":"Mail","actions":[{"type":"mail","content":{"text":"hi","mail_options":{"recipient":\#(recipient)}}}]}"#
                let answer = try await client.call(.post, "/api/v1/triggers", json: trigger)
                #expect(answer.status == 422)
                #expect(answer.body["error"]?["field"] == "actions[0].content.mail_options.recipient", "\(answer.body)")
            }
            let fine =
                #"{"name":"Mail","actions":[{"type":"mail","content":{"text":"hi","mail_options":{"recipient":"{args.chat.department.email}"}}}]}"#
            #expect(try await client.call(.post, "/api/v1/triggers", json: fine).status == 201)
        }
    }

    @Test("a request that does not finish by its deadline is answered 503 deadline_exceeded without waiting for it")
    func requestDeadline() async throws {
        let started = ContinuousClock.now
        let error = try await #require(throws: APIError.self) {
            _ = try await RouteTable.within(seconds: 1) {
                // A body that ignores cancellation, as a store call waiting on its own threads would.
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    DispatchQueue.global().asyncAfter(deadline: .now() + 30) { done.resume() }
                }
                return Response(status: .ok)
            }
        }
        #expect(error.code == "deadline_exceeded")
        #expect(ContinuousClock.now - started < .seconds(20), "the answer did not wait for the 30 s body")
        let fast = try await RouteTable.within(seconds: 5) { Response(status: .noContent) }
        #expect(fast.status == .noContent)
    }

    @Test("a client with too many requests in progress gets 429 for the extra ones, and is served again once one finishes")
    func perClientConcurrency() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let released = Setting(false)
        try await Receiver.with(respond: { _ in
            while !released.current { try? await Task.sleep(for: .milliseconds(10)) }
            return (200, [])
        }) { receiver, port in
            var configuration = testConfiguration(worker: .http, databaseURL: database.url)
            configuration.maxConcurrentPerClient = 2
            let app = try await makeApp(configuration)
            try await app.test(.router) { client in
                try await configure(client, port: port)
                // Two events whose inline calls hang hold both of this client's slots.
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for chat in 1...2 {
                        group.addTask {
                            try await client.call(
                                .post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "held\(chat)", chat: chat)
                            ).status
                        }
                    }
                    _ = try await receiver.waitFor(2)
                    #expect(receiver.requests.count == 2)
                    let refused = try await client.call(.get, "/api/v1/webhooks")
                    #expect(refused.status == 429)
                    #expect(refused.body["error"]?["code"] == "too_many_concurrent_requests")
                    released.current = true
                    for try await status in group { #expect(status == 200) }
                }
                #expect(try await client.call(.get, "/api/v1/webhooks").status == 200)
            }
        }
    }
}
