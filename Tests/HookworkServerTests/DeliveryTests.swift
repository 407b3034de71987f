import Foundation
import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkStore
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import HookworkServer

/// A clock the test moves by hand.
final class ManualClock: EngineClock {
    let value: Mutex<Int>
    init(_ start: Int = 1_800_000_000) { value = Mutex(start) }
    func now() -> Int { value.withLock { $0 } }
    func advance(_ seconds: Int) { value.withLock { $0 += seconds } }
    func set(_ time: Int) { value.withLock { $0 = time } }
}

/// A value the test changes while the receiver reads it.
final class Setting<T: Sendable>: Sendable {
    let value: Mutex<T>
    init(_ value: T) { self.value = Mutex(value) }
    var current: T {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

enum DeliveryFixture {
    /// A Rest API whose one method (`close`) POSTs `{"chat_id":N}` with a bearer token; `extra` adds configuration members.
    static func restAPI(port: Int, extra: String = "", timeout: Int = 2) -> String {
        """
        {"name":"Receiver","configuration":{"host":"http://127.0.0.1:\(port)",\(extra)"parameters":[
          {"id":"close","name":"Chat closed","method":"POST","suburl":"/closed/{{args.chat.id}}","authorization":"bearer","auth_bearer":"s3cret",
           "max_execution_time":\(timeout),"body_request_type":"raw","body_request_type_content":"json","body_raw":"{\\"chat_id\\": {{args.chat.id}}}"}]}}
        """
    }

    /// Trigger 1 calling Rest API 1 then Rest API 2.
    static let twoCalls =
        #"{"name":"Both","actions":[{"type":"restapi","content":{"rest_api":1,"rest_api_method":"close"}},{"type":"restapi","content":{"rest_api":2,"rest_api_method":"close"}}]}"#

    static func secret() -> String {
        "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }
}

/// Builds the application on a fresh SQLite file with an injected clock and jitter.
func makeDeliveryApp(
    _ configuration: HookworkConfiguration, clock: any EngineClock = WallClock(), jitter: @escaping @Sendable () -> Double = { 0 }
) async throws -> some ApplicationProtocol {
    var configuration = configuration
    configuration.deliveryPollMilliseconds = 20
    let store = try await makeStore(url: configuration.databaseURL, logger: testLogger)
    return try await buildApplication(
        configuration: configuration,
        dependencies: ServerDependencies(store: store, clock: clock, logger: testLogger, announceAdminToken: { _ in }, jitter: jitter)
    )
}

/// Creates the Rest API, the trigger and a chat.close webhook.
func configureDelivery(_ client: some TestClientProtocol, restAPI: String) async throws {
    let api = try await client.call(.post, "/api/v1/rest_apis", json: restAPI)
    #expect(api.status == 201, "\(api.body)")
    #expect(try await client.call(.post, "/api/v1/triggers", json: Fixture.trigger).status == 201)
    #expect(try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook()).status == 201)
}

/// Polls a delivery until `done` holds for it.
func waitForDelivery(
    _ client: some TestClientProtocol, id: Int, seconds: Double = 10, until done: (JSONValue) -> Bool
) async throws -> JSONValue {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    var last = JSONValue.null
    while ContinuousClock.now < deadline {
        last = try await client.call(.get, "/api/v1/deliveries/\(id)").body
        if done(last) { return last }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("delivery \(id) did not reach the expected state: \(last)")
    return last
}

/// The first action report of an `http`-mode event answer.
func firstAction(_ response: (status: Int, body: JSONValue)) -> JSONValue? {
    response.body["outcome"]?["webhooks"]?.arrayValue?.first?["trigger"]?["actions"]?.arrayValue?.first
}

@Suite("Delivery settings from the environment")
struct DeliverySettingsTests {
    @Test("HOOKWORK_RETRY_SCHEDULE and the callback secrets are read from the environment, refusing what cannot work")
    func fromEnvironment() throws {
        #expect(throws: (any Error).self) { try HookworkConfiguration.fromEnvironment(["HOOKWORK_RETRY_SCHEDULE": "often"]) }
        #expect(throws: (any Error).self) { try HookworkConfiguration.fromEnvironment(["HOOKWORK_CALLBACK_SECRETS": "not-a-secret"]) }
        let configuration = try HookworkConfiguration.fromEnvironment(["HOOKWORK_RETRY_SCHEDULE": "none", "HOOKWORK_DELIVERY_CONCURRENCY": "3"])
        #expect(configuration.retrySchedule == RetrySchedule.none)
        #expect(configuration.deliveryConcurrency == 3)
    }
}

@Suite("Durable delivery end to end")
struct DeliveryFlowTests {
    @Test("a failed call is retried on the schedule by the injected clock, Retry-After within bounds, with the same webhook-id")
    func retryWithClock() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let clock = ManualClock()
        let start = clock.now()
        let answers = Setting([(503, [("Retry-After", "8")])] as [(Int, [(String, String)])])
        try await Receiver.with(respond: { _ in
            let next = answers.value.withLock { $0.isEmpty ? (200, []) : $0.removeFirst() }
            return (next.0, next.1)
        }) { receiver, port in
            let app = try await makeDeliveryApp(testConfiguration(worker: .http, databaseURL: database.url), clock: clock)
            try await app.test(.router) { client in
                try await configureDelivery(client, restAPI: DeliveryFixture.restAPI(port: port, extra: #""retry":[5,300],"#))
                let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent)
                let action = try #require(firstAction(response))
                #expect(action["status"] == "failed")
                #expect(action["http_code"] == 503)
                #expect(action["delivery_status"] == "failed")
                let id = try #require(action["delivery_id"]?.intValue)
                let failed = try await client.call(.get, "/api/v1/deliveries/\(id)").body
                #expect(failed["status"] == "failed")
                #expect(failed["attempts"] == 1)
                // Scheduled 5 s (jitter 0); the receiver asked for 8, within [5, 10].
                #expect(failed["next_attempt_at"] == .int(start + 8))
                #expect(failed["last_status_code"] == 503)

                clock.advance(7)
                try await Task.sleep(for: .milliseconds(200))
                #expect(receiver.requests.count == 1, "not due yet")
                clock.advance(1)
                let requests = try await receiver.waitFor(2)
                #expect(requests.count == 2)
                let delivered = try await waitForDelivery(client, id: id) { $0["status"] == "delivered" }
                #expect(delivered["attempts"] == 2)
                #expect(delivered["next_attempt_at"] == .null)
                let log = delivered["attempts_log"]?.arrayValue ?? []
                #expect(log.map { $0["number"] } == [1, 2])
                #expect(log.map { $0["response"]?["status"] } == [503, 200])
                #expect(log.first?["started_at"] == .int(start))
                #expect(log.last?["started_at"] == .int(start + 8))
                // The bearer token and the signature never appear in the log.
                let headers = log.first?["request"]?["headers"]?.arrayValue ?? []
                #expect(headers.contains(["Authorization", "********"]))
                #expect(!log.first!["request"]!.jsonText().contains("s3cret"))
                #expect(log.first?["request"]?["body"] == #"{"chat_id": 7}"#)
            }
            let ids = receiver.requests.map { $0.headers["webhook-id"] }
            #expect(ids.count == 2 && ids[0] != nil && ids[0] == ids[1], "a retry keeps the webhook-id")
            #expect(receiver.requests.map { $0.headers["webhook-timestamp"] } == [String(start), String(start + 8)])
        }
    }

    @Test("a 4xx is not retried unless retry_on names it; 410 stops retries to the host and shows on /breakers")
    func nonRetryable() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let status = Setting(404)
        try await Receiver.with(respond: { _ in (status.current, []) }) { receiver, port in
            let app = try await makeDeliveryApp(testConfiguration(worker: .http, databaseURL: database.url), clock: ManualClock())
            try await app.test(.router) { client in
                try await configureDelivery(client, restAPI: DeliveryFixture.restAPI(port: port, extra: #""retry_on":[409],"#))
                let notFound = firstAction(
                    try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "a", chat: 1)))
                #expect(notFound?["delivery_status"] == "exhausted")
                status.current = 409
                let conflict = firstAction(
                    try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "b", chat: 2)))
                #expect(conflict?["delivery_status"] == "failed")
                status.current = 410
                let gone = firstAction(try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "c", chat: 3)))
                #expect(gone?["delivery_status"] == "exhausted")
                let conflictID = try #require(conflict?["delivery_id"]?.intValue)
                let cancelled = try await client.call(.get, "/api/v1/deliveries/\(conflictID)").body
                #expect(cancelled["status"] == "exhausted", "the retry scheduled before the 410 is not made")
                #expect(cancelled["last_error"]?.stringValue?.contains("410") == true)
                let breakers = try await client.call(.get, "/api/v1/breakers").body
                let host = breakers["hosts"]?.arrayValue?.first { $0["host"] == .string("127.0.0.1:\(port)") }
                #expect(host?["retries_disabled_at"]?.intValue != nil)
                #expect(host?["state"] == "closed", "a 4xx answer shows a live receiver")
                let exhausted = try await client.call(.get, "/api/v1/deliveries?status=exhausted").body
                #expect(exhausted["deliveries"]?.arrayValue?.count == 3)
            }
            #expect(receiver.requests.count == 3)
        }
    }

    @Test("signatures verify with the standardwebhooks library from PyPI, one per secret for rotation")
    func standardWebhooksSignatures() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let secrets = [DeliveryFixture.secret(), DeliveryFixture.secret()]
        try await Receiver.with { receiver, port in
            let app = try await makeDeliveryApp(testConfiguration(worker: .http, databaseURL: database.url))
            try await app.test(.router) { client in
                let extra = #""signing_secrets":["\#(secrets[0])","\#(secrets[1])"],"#
                try await configureDelivery(client, restAPI: DeliveryFixture.restAPI(port: port, extra: extra))
                let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent)
                #expect(firstAction(response)?["status"] == "sent")
            }
            let request = try #require(try await receiver.waitFor(1).first)
            #expect(request.headers["webhook-signature"]?.split(separator: " ").count == 2)
            #expect(request.headers["webhook-signature"]?.hasPrefix("v1,") == true)
            let output = try runPython(
                """
                import json, sys
                from standardwebhooks.webhooks import Webhook
                data = json.load(open(sys.argv[1]))
                headers = {k: v for k, v in data["headers"].items() if k.startswith("webhook-")}
                for secret in data["secrets"]:
                    Webhook(secret).verify(data["body"].encode(), headers)
                    try:
                        Webhook(secret).verify(data["body"].encode() + b" ", headers)
                        print("tampered body accepted")
                    except Exception:
                        pass
                print("verified", len(data["secrets"]))
                """,
                input: .object(
                    JSONObject([
                        ("body", .string(request.body)), ("secrets", .array(secrets.map(JSONValue.string))),
                        ("headers", .object(JSONObject(request.headers.map { ($0.key, JSONValue.string($0.value)) }))),
                    ]))
            )
            #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "verified 2")
        }
    }

    @Test("delivery settings that cannot work are refused with the field named")
    func validation() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeDeliveryApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            for (extra, field) in [
                (#""retry":"sometimes","#, "configuration.retry"), (#""retry":[5,-1],"#, "configuration.retry"),
                (#""retry_on":[500],"#, "configuration.retry_on[0]"), (#""signing_secrets":["whsec_short"],"#, "configuration.signing_secrets[0]"),
                (#""signing_secrets":"whsec_x","#, "configuration.signing_secrets"),
            ] {
                let response = try await client.call(.post, "/api/v1/rest_apis", json: DeliveryFixture.restAPI(port: 9, extra: extra))
                #expect(response.status == 422)
                #expect(response.body["error"]?["field"] == .string(field))
            }
            #expect(try await client.call(.get, "/api/v1/deliveries?status=lost").body["error"]?["field"] == "status")
            #expect(try await client.call(.get, "/api/v1/deliveries?limit=0").body["error"]?["field"] == "limit")
            #expect(try await client.call(.get, "/api/v1/deliveries/99").status == 404)
            #expect(try await client.call(.post, "/api/v1/deliveries/99/replay").status == 404)
            let range = try await client.call(.post, "/api/v1/deliveries/replay", json: #"{"status":"delivered","since":0,"until":10}"#)
            #expect(range.status == 422)
            #expect(range.body["error"]?["field"] == "status")
            #expect(
                try await client.call(.post, "/api/v1/deliveries/replay", json: #"{"status":"failed","since":10,"until":5}"#).body["error"]?["field"]
                    == "until")
            #expect(try await client.call(.get, "/api/v1/deliveries", token: ingestToken).status == 403)
        }
    }

    @Test("replay makes one more attempt with the same message id; replaying a range takes every exhausted delivery in it")
    func replay() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let status = Setting(400)
        try await Receiver.with(respond: { _ in (status.current, []) }) { receiver, port in
            let app = try await makeDeliveryApp(testConfiguration(worker: .http, databaseURL: database.url))
            try await app.test(.router) { client in
                try await configureDelivery(client, restAPI: DeliveryFixture.restAPI(port: port))
                let first = firstAction(
                    try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "a", chat: 1)))
                let second = firstAction(
                    try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "b", chat: 2)))
                #expect(first?["delivery_status"] == "exhausted")
                let id = try #require(first?["delivery_id"]?.intValue)
                let secondID = try #require(second?["delivery_id"]?.intValue)
                let listed = try await client.call(.get, "/api/v1/deliveries?status=exhausted&chat_id=1").body
                #expect(listed["deliveries"]?.arrayValue?.map { $0["id"] } == [.int(id)])
                #expect(listed["next_before_id"] == .null)

                status.current = 200
                let replayed = try await client.call(.post, "/api/v1/deliveries/\(id)/replay")
                #expect(replayed.status == 202)
                #expect(replayed.body["delivery"]?["status"] == "pending")
                let delivered = try await waitForDelivery(client, id: id) { $0["status"] == "delivered" }
                #expect(delivered["attempts"] == 2)
                #expect(delivered["message_id"] == first?["message_id"])

                let range = try await client.call(
                    .post, "/api/v1/deliveries/replay", json: #"{"status":"exhausted","since":0,"until":\#(Int(Date().timeIntervalSince1970) + 60)}"#)
                #expect(range.body["replayed"] == 1)
                _ = try await waitForDelivery(client, id: secondID) { $0["status"] == "delivered" }
                let activity = try await client.call(.get, "/api/v1/activity?window=hour").body
                #expect(activity["buckets"]?.arrayValue?.count == 12)
                #expect(activity["buckets"]?.arrayValue?.reduce(0) { $0 + ($1["delivered"]?.intValue ?? 0) } == 2)
                #expect(activity["buckets"]?.arrayValue?.reduce(0) { $0 + ($1["firings"]?.intValue ?? 0) } == 2)
                #expect(activity["buckets"]?.arrayValue?.reduce(0) { $0 + ($1["events"]?.intValue ?? 0) } == 2)
                let metrics = try await client.call(.get, "/metrics", token: nil).body.stringValue ?? ""
                #expect(metrics.contains(#"hookwork_delivery_attempts_total{kind="restapi",outcome="delivered"} 2"#))
                #expect(metrics.contains(#"hookwork_delivery_attempts_total{kind="restapi",outcome="exhausted"} 2"#))
            }
            let ids = receiver.requests.map { $0.headers["webhook-id"] ?? "" }
            #expect(ids.count == 4)
            #expect(ids[0] == ids[2] || ids[0] == ids[3])
        }
    }
}

/// Runs a Python script with `input` written to a JSON file given as its first argument; returns standard output.
func runPython(_ script: String, input: JSONValue) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hookwork-py-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let scriptURL = folder.appendingPathComponent("check.py")
    let inputURL = folder.appendingPathComponent("input.json")
    try script.write(to: scriptURL, atomically: true, encoding: .utf8)
    try input.jsonText().write(to: inputURL, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", scriptURL.path, inputURL.path]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
