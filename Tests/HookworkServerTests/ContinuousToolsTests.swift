import Foundation
import HTTPTypes
import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkStore
import HummingbirdTesting
import Testing

@testable import HookworkServer

/// The debugging tools and the ledgers, over the API and the command line.
@Suite("Continuous webhooks: test, explore, extract and the ledgers (API and CLI)")
struct ContinuousToolsTests {
    /// A server without its own scheduler (the tests run passes themselves), on a fresh SQLite file.
    func withServer(_ body: @Sendable (any TestClientProtocol, Receiver, String) async throws -> Void) async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await Receiver.with { receiver, port in
            var configuration = testConfiguration(databaseURL: database.url)
            configuration.continuousEnabled = false
            let app = try await makeApp(configuration)
            try await app.test(.router) { client in
                try await configure(
                    client, port: port, webhook: continuousWebhook("[" + compare("{args.chat.status}", "eq", "1") + "]", alternative: 2))
                #expect(try await client.call(.put, "/api/v1/operators/5", token: ingestToken, json: #"{"name":"Olga","surname":"K"}"#).status == 200)
                let chat = #"{"status":1,"dep_id":3,"user_id":5,"nick":"Ann","last_msg_id":71,"chat_variables":"{\"plan\":\"gold\"}"}"#
                #expect(try await client.call(.put, "/api/v1/chats/7", token: ingestToken, json: chat).status == 200)
                #expect(
                    try await client.call(.put, "/api/v1/messages/71", token: ingestToken, json: #"{"chat_id":7,"user_id":0,"msg":"hello","time":5}"#)
                        .status == 200)
                try await body(client, receiver, String(database.url.dropFirst("sqlite://".count)))
            }
        }
    }

    @Test("firing policies are validated when saved, naming the member; absent ones get every 20 s")
    func firingValidated() async throws {
        try await withServer { client, _, _ in
            let conditions = "[" + compare("{args.chat.status}", "eq", "1") + "]"
            let bad = try await client.call(.post, "/api/v1/webhooks", json: continuousWebhook(conditions, firing: #"{"policy":"sometimes"}"#))
            #expect(bad.status == 422)
            #expect(bad.body["error"]?["field"] == "firing.policy")
            let zero = try await client.call(
                .post, "/api/v1/webhooks",
                json: continuousWebhook(conditions, alternative: 2, alternativeFiring: #"{"policy":"every","every_seconds":0}"#))
            #expect(zero.status == 422)
            #expect(zero.body["error"]?["field"] == "alternative_firing.every_seconds")
            let saved = try await client.call(.get, "/api/v1/webhooks/1")
            #expect(saved.body["firing"] == ["policy": "every", "every_seconds": 20])
            #expect(saved.body["alternative_firing"] == ["policy": "every", "every_seconds": 20])
            let once = try await client.call(.patch, "/api/v1/webhooks/1", json: #"{"firing":{"policy":"once"}}"#)
            #expect(once.body["firing"] == ["policy": "once", "every_seconds": 20])
        }
    }

    @Test("POST /webhooks/{id}/test: the trace and the verdict, no trigger runs; 404 names a missing chat")
    func testWebhook() async throws {
        try await withServer { client, receiver, _ in
            let response = try await client.call(.post, "/api/v1/webhooks/1/test", json: #"{"chat_id":7}"#)
            #expect(response.status == 200)
            #expect(response.body["variant"] == "continuous_chat")
            #expect(response.body["valid"] == true)
            #expect(response.body["would_run"] == "trigger")
            #expect(response.body["trigger_id"] == 1)
            #expect(response.body["trace"]?.arrayValue?.first?["conditions"]?.arrayValue?.first?["text"] == "attr => 1 eq 1 => VALID")
            try await client.call(.patch, "/api/v1/chats/7", token: ingestToken, json: #"{"status":2}"#)
            let closed = try await client.call(.post, "/api/v1/webhooks/1/test", json: #"{"chat_id":7}"#)
            #expect(closed.body["valid"] == false)
            #expect(closed.body["would_run"] == "alternative")
            #expect(closed.body["trigger_id"] == 2)
            let missing = try await client.call(.post, "/api/v1/webhooks/1/test", json: #"{"chat_id":99}"#)
            #expect(missing.status == 404)
            #expect(missing.body["error"]?["message"] == "chat 99 does not exist")
            let wrongKind = try await client.call(.post, "/api/v1/webhooks/1/test", json: #"{"message_id":4}"#)
            #expect(wrongKind.status == 422)
            #expect(wrongKind.body["error"]?["field"] == "chat_id")
            // A hook webhook (type 0) is tested with the hook variant against {chat}.
            let hook = try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook(configuration: Fixture.salesClosedConditions))
            let hookID = try #require(hook.body["id"]?.intValue)
            let hookTest = try await client.call(.post, "/api/v1/webhooks/\(hookID)/test", json: #"{"chat_id":7}"#)
            #expect(hookTest.body["variant"] == "hook")
            #expect(hookTest.body["valid"] == true)
            #expect(
                hookTest.body["trace"]?.arrayValue?.first?["conditions"]?.arrayValue?.map { $0["text"] } == [
                    "attr => 2 eq 2 => VALID", "attr => \"Sales\" eq \"Sales\" => VALID",
                ])
            #expect(receiver.requests.isEmpty)
        }
    }

    @Test("GET /chats/{id}/explore lists stored and derived attributes; /extract resolves one pattern")
    func exploreAndExtract() async throws {
        try await withServer { client, _, _ in
            let explored = try await client.call(.get, "/api/v1/chats/7/explore?depth=2")
            #expect(explored.status == 200)
            #expect(explored.body["chat_id"] == 7)
            var values: [String: JSONValue] = [:]
            for item in explored.body["attributes"]?.arrayValue ?? [] { values[item["path"]?.stringValue ?? ""] = item["value"] }
            #expect(values["args.chat.status"] == 1)
            #expect(values["args.chat.department.name"] == "Sales")
            #expect(values["args.chat.user.name_official"] == "Olga K")
            #expect(values["args.chat.last_msg.msg"] == "hello")
            #expect(values["args.chat.chat_variables_array.plan"] == "gold")
            #expect(values["args.chat.department.stats"] != nil)
            #expect(try await client.call(.get, "/api/v1/chats/7/explore?depth=9").status == 400)
            let name = try await client.call(.get, "/api/v1/chats/7/extract?path=args.chat.department.name")
            #expect(name.body == ["path": "args.chat.department.name", "found": true, "value": "Sales"])
            let braces = try await client.call(.get, "/api/v1/chats/7/extract?path=%7Bargs.chat.user.name_support%7D")
            #expect(braces.body["value"] == "Olga K")
            let absent = try await client.call(.get, "/api/v1/chats/7/extract?path=args.chat.nothing")
            #expect(absent.body["found"] == false)
            #expect(try await client.call(.get, "/api/v1/chats/99/explore").status == 404)
        }
    }

    @Test("mail: test against a message, explore its conversation, the ledger's count and ids, reset by API and CLI")
    func mailLedger() async throws {
        try await withServer { client, receiver, path in
            #expect(
                try await client.call(
                    .put, "/api/v1/mail_conversations/12", token: ingestToken,
                    json: #"{"subject":"Order 5","mail_variables":"{\"custom\":{\"customerClass\":\"vip\"}}"}"#
                ).status == 200)
            #expect(
                try await client.call(
                    .put, "/api/v1/mail_messages/41", token: ingestToken,
                    json: #"{"status":0,"conversation_id":12,"subject":"Where is it?","udate":100}"#
                ).status == 200)
            let conditions = "[" + compare("{args.chat.conversation.mail_variables_array.custom.customerClass}", "eq", "vip") + "]"
            let created = try await client.call(.post, "/api/v1/webhooks", json: continuousWebhook(conditions, type: 2))
            let webhookID = try #require(created.body["id"]?.intValue)
            let tested = try await client.call(.post, "/api/v1/webhooks/\(webhookID)/test", json: #"{"message_id":41}"#)
            #expect(tested.body["variant"] == "continuous_mail")
            #expect(tested.body["valid"] == true)
            #expect(try await client.call(.post, "/api/v1/webhooks/\(webhookID)/test", json: #"{"message_id":40}"#).status == 404)
            let explored = try await client.call(.get, "/api/v1/mail-messages/41/explore")
            #expect(explored.body["message_id"] == 41)
            #expect(explored.body["attributes"]?.arrayValue?.contains(["path": "args.chat.conversation.subject", "value": "Order 5"]) == true)
            let extracted = try await client.call(
                .get, "/api/v1/mail-messages/41/extract?path=args.chat.conversation.mail_variables_array.custom.customerClass")
            #expect(extracted.body["value"] == "vip")

            // A second process on the same file runs the passes.
            let other = try await ContinuousHarness.open(
                path: path, receiver: receiver, sender: AsyncHTTPSender(logger: testLogger, addressPolicy: loopbackAllowed))
            do {
                #expect(try await other.pass(at: 1_000).contains("/closed/41"))
                #expect(try await other.pass(at: 1_001).contains("/closed/41") == false)
                let ledger = try await client.call(.get, "/api/v1/webhooks/\(webhookID)/ledger")
                #expect(ledger.body == ["webhook_id": .int(webhookID), "processed_count": 1, "message_ids": [41]])
                #expect(try await client.call(.delete, "/api/v1/webhooks/\(webhookID)/ledger").body == ["deleted": 1])
                #expect(try await other.pass(at: 1_002).contains("/closed/41"))

                // The same reset from the command line.
                let output = try runHookwork(["ledger", "reset", "--webhook", "\(webhookID)"], databasePath: path)
                #expect(output.status == 0)
                #expect(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"deleted":1}"#)
                #expect(try await client.call(.get, "/api/v1/webhooks/\(webhookID)/ledger").body["processed_count"] == 0)
            } catch {
                try? await other.store.shutdown()
                try? await other.sender.shutdown()
                throw error
            }
            try await other.store.shutdown()
            try await other.sender.shutdown()
            #expect(try await client.call(.get, "/api/v1/webhooks/99/ledger").status == 404)
        }
    }

    @Test("CLI: test-webhook, explore and cron webhooks work on the database directly")
    func commandLine() async throws {
        try await withServer { client, receiver, path in
            let text = try runHookwork(["test-webhook", "--webhook", "1", "--chat", "7"], databasePath: path)
            #expect(text.status == 0)
            #expect(text.stdout.contains("against chat 7: VALID"))
            #expect(text.stdout.contains("attr => 1 eq 1 => VALID"))
            #expect(text.stdout.contains("would run: trigger 1"))
            let json = try runHookwork(["test-webhook", "--webhook", "1", "--chat", "7", "--json"], databasePath: path)
            let answer = try JSONValue(parsing: json.stdout)
            #expect(answer["would_run"] == "trigger")
            let missing = try runHookwork(["test-webhook", "--webhook", "1", "--chat", "99"], databasePath: path)
            #expect(missing.status != 0)
            #expect(missing.stderr.contains("chat 99 does not exist"))
            let explored = try runHookwork(["explore", "--chat", "7"], databasePath: path)
            #expect(explored.stdout.contains(#"{args.chat.department.name} = "Sales""#))
            let one = try runHookwork(["explore", "--chat", "7", "--path", "args.chat.user.name_support"], databasePath: path)
            #expect(one.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == #""Olga K""#)
            #expect(receiver.requests.isEmpty)
            let cron = try runHookwork(["cron", "webhooks"], databasePath: path)
            #expect(cron.status == 0)
            let report = try JSONValue(parsing: cron.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(report["fired"] == [["webhook_id": 1, "id": 7, "branch": "trigger"]])
            // The command makes the first attempt itself unless the server's own delivery worker claimed the call
            // first; either way exactly one request arrives.
            #expect(try await receiver.waitFor(1).map(\.path) == ["/closed/7?source=hookwork"])
            let stats = try runHookwork(["cron", "stats"], databasePath: path)
            #expect(stats.stdout.contains(#""department_id":3"#))
            // No closed chat an operator handled: the department has no average (not 0).
            let statistics = try await client.call(.get, "/api/v1/department_stats/3", token: ingestToken).body
            #expect(statistics["lupdate"]?.intValue != nil)
            #expect(statistics["avg_chat_duration"] == nil)
        }
    }
}

@Suite("Continuous webhooks: the scheduler inside the server")
struct ContinuousServiceTests {
    @Test("the server's scheduler passes on its own: a continuous webhook created over the API fires for a stored chat, once")
    func schedulerRunsInServer() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await Receiver.with { receiver, port in
            var configuration = testConfiguration(databaseURL: database.url)
            configuration.continuousEnabled = true
            configuration.statsInterval = 0
            let app = try await makeApp(configuration)
            try await app.test(.router) { client in
                let conditions = "[" + compare("{args.chat.status}", "eq", "1") + "]"
                try await configure(client, port: port, webhook: continuousWebhook(conditions, firing: #"{"policy":"once"}"#))
                #expect(
                    try await client.call(.put, "/api/v1/chats/7", token: ingestToken, json: #"{"status":1,"nick":"Ann","dep_id":3}"#).status == 200)
                let requests = try await receiver.waitFor(1, seconds: 10)
                #expect(requests.map(\.path) == ["/closed/7?source=hookwork"])
                let ledger = try await client.call(.get, "/api/v1/webhooks/1/ledger")
                #expect(ledger.body["chats"]?.arrayValue?.first?["state"] == "once")
            }
        }
    }
}

/// Runs the built `hookwork` executable on the SQLite file at `databasePath`.
func runHookwork(_ arguments: [String], databasePath: String, environment extra: [String: String] = [:]) throws -> (
    status: Int32, stdout: String, stderr: String
) {
    let process = Process()
    process.executableURL = try hookworkExecutable()
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["HOOKWORK_DATABASE_URL"] = "sqlite://" + databasePath
    environment["HOOKWORK_LOG_LEVEL"] = "warning"
    environment["HOOKWORK_OUTBOUND_ALLOW"] = "127.0.0.0/8"  // the tests' receivers listen on loopback
    for (key, value) in extra { environment[key] = value }
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// The `hookwork` executable built beside the test bundle.
func hookworkExecutable() throws -> URL {
    var candidates: [URL] = []
    let bundle = Bundle.main.bundleURL
    candidates.append(bundle.appendingPathComponent("hookwork"))
    candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("hookwork"))
    let argument = URL(fileURLWithPath: CommandLine.arguments[0])
    candidates.append(argument.deletingLastPathComponent().appendingPathComponent("hookwork"))
    candidates.append(argument.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("hookwork"))
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw ContinuousTestError(
            message: "the hookwork executable was not found beside the tests (looked in \(candidates.map(\.path))); run swift build first")
    }
    return found
}

@Suite("hookwork serve on a busy port")
struct ServeBusyPortTests {
    @Test("a port already taken is named in one clear error, with no database error before it")
    func busyPort() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await withLoopbackServer(answer: { _ in LoopbackAnswer(status: 200, headers: [], body: "ok") }) { port in
            let output = try runHookwork(
                ["serve"], databasePath: String(database.url.dropFirst("sqlite://".count)),
                environment: ["HOOKWORK_HTTP_PORT": "\(port)", "HOOKWORK_ADMIN_TOKEN": "busy-port-admin-token-123456"])
            #expect(output.status != 0)
            #expect(output.stderr.contains("127.0.0.1:\(port) is already in use"), "\(output.stderr)")
            #expect(!output.stderr.contains("store.failed"), "\(output.stderr)")
            #expect(!output.stderr.contains("_failed"), "\(output.stderr)")
        }
    }
}
