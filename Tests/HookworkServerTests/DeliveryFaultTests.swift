import Foundation
import HTTPTypes
import HookworkCore
import HookworkEngine
import HookworkStore
import HummingbirdTesting
import Testing

@testable import HookworkServer

/// Delivery fault semantics (README, "Delivery faults and operational events"): calls behind an open breaker end on
/// their schedule, a 410 stops new calls to its host until an admin enables it, and operators hear of each through
/// signed operational events.
@Suite("Delivery faults: nothing waits for ever, 410 disables a host, operators are told")
struct DeliveryFaultTests {
    /// The raw key behind `operationsSecret`.
    static let operationsKey = "operations-secret-of-32-bytes-lo"
    static let operationsSecret = "whsec_" + Data(operationsKey.utf8).base64EncodedString()

    /// The operational events `receiver` got, each checked for its Standard Webhooks signature.
    func operationalEvents(_ requests: [ReceivedRequest]) -> [JSONValue] {
        requests.compactMap { request in
            let id = request.headers["webhook-id"] ?? ""
            let timestamp = request.headers["webhook-timestamp"] ?? ""
            let expected = "v1," + hmacBase64(key: Self.operationsKey, text: "\(id).\(timestamp).\(request.body)")
            #expect(request.headers["webhook-signature"] == expected, "operational events are signed with HOOKWORK_OPERATIONS_SECRETS")
            return try? JSONValue(parsing: request.body)
        }
    }

    /// Polls the deliveries of `host` until `done` holds for their list.
    func waitForDeliveries(
        _ client: some TestClientProtocol, host: String, until done: ([JSONValue]) -> Bool
    ) async throws -> [JSONValue] {
        var list: [JSONValue] = []
        let deadline = ContinuousClock.now + .seconds(10)
        repeat {
            list = (try await client.call(.get, "/api/v1/deliveries?limit=100").body["deliveries"]?.arrayValue ?? []).filter {
                $0["host"] == .string(host)
            }
            if done(list) { break }
            try await Task.sleep(for: .milliseconds(20))
        } while ContinuousClock.now < deadline
        return list
    }

    @Test(
        "calls waiting behind an open breaker end exhausted, not sent, when their retry schedule has run out; operators get breaker.opened and delivery.exhausted"
    )
    func deadHostEnds() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let deadPort = try await Receiver.with { _, port in port }
        let deadHost = "127.0.0.1:\(deadPort)"
        let clock = ManualClock()
        try await Receiver.with { operations, operationsPort in
            var configuration = testConfiguration(worker: .http, databaseURL: database.url)
            configuration.breakerThreshold = 2
            configuration.breakerCooldownSeconds = 30
            configuration.operationsURL = "http://127.0.0.1:\(operationsPort)/ops"
            configuration.operationsSecrets = [Self.operationsSecret]
            let app = try await makeDeliveryApp(configuration, clock: clock)
            try await app.test(.router) { client in
                // Retries after 5 s and 10 s: the schedule has run out 15 s after a call was recorded.
                try await configureDelivery(client, restAPI: DeliveryFixture.restAPI(port: deadPort, extra: #""retry":[5,10],"#))
                for chat in 1...4 {
                    let response = try await client.call(
                        .post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "e\(chat)", chat: chat))
                    #expect(response.status == 200)
                }
                // Two failures opened the breaker; calls 3 and 4 wait unsent.
                var list = try await waitForDeliveries(client, host: deadHost) { $0.count == 4 }
                #expect(list.map { $0["attempts"]?.intValue ?? -1 }.sorted() == [0, 0, 1, 1])

                // The probe (the call due first) fails at the end of the cool-down: the breaker opens again, and the
                // calls that waited past their schedule end without being sent
                clock.advance(30)
                // (the probe's own outcome commits just after the settled calls').
                list = try await waitForDeliveries(client, host: deadHost) { list in
                    list.filter { $0["status"] == "exhausted" }.count == 3 && list.contains { $0["status"] == "failed" }
                }
                let settled = list.filter { $0["status"] == "exhausted" }
                #expect(settled.count == 3, "\(list)")
                #expect(
                    settled.allSatisfy { $0["last_error"]?.stringValue?.contains("not sent; the breaker for \(deadHost) stayed open") == true },
                    "\(settled)")
                let probe = try #require(list.first { $0["status"] != "exhausted" })
                #expect(probe["status"] == "failed")
                #expect(probe["attempts"] == 1, "the probe was one of the calls that had waited unsent")

                // The probe call goes on with its own schedule, one probe per cool-down, until its retries are spent;
                // then nothing for the host is left waiting.
                for _ in 0..<2 {
                    clock.advance(30)
                    // The probe has failed once the breaker is open again, due a cool-down from now.
                    let deadline = ContinuousClock.now + .seconds(10)
                    while ContinuousClock.now < deadline {
                        let hosts = try await client.call(.get, "/api/v1/breakers").body["hosts"]?.arrayValue ?? []
                        if hosts.contains(where: { $0["host"] == .string(deadHost) && $0["next_probe_at"] == .int(clock.now() + 30) }) { break }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
                list = try await waitForDeliveries(client, host: deadHost) { list in list.allSatisfy { $0["status"] == "exhausted" } }
                #expect(list.count == 4)
                #expect(list.allSatisfy { $0["status"] == "exhausted" }, "\(list)")
                let detail = try await client.call(.get, "/api/v1/deliveries/\(probe["id"]?.intValue ?? 0)").body
                #expect(detail["attempts"] == 3)
                #expect(detail["last_error"]?.stringValue?.contains("no retries left after 3 attempts") == true, "\(detail)")

                let events = operationalEvents(try await operations.waitFor(5))
                #expect(events.count == 5)
                #expect(events.filter { $0["type"] == "breaker.opened" }.count == 1, "a probe that fails again does not repeat breaker.opened")
                let opened = try #require(events.first { $0["type"] == "breaker.opened" })
                #expect(opened["data"]?["host"] == .string(deadHost))
                let exhausted = events.filter { $0["type"] == "delivery.exhausted" }
                #expect(Set(exhausted.compactMap { $0["data"]?["delivery_id"]?.intValue }) == Set(list.compactMap { $0["id"]?.intValue }))
                #expect(exhausted.allSatisfy { $0["timestamp"]?.stringValue?.hasSuffix("Z") == true })
                #expect(operations.requests.allSatisfy { $0.path == "/ops" })
                let metrics = try await client.call(.get, "/metrics", token: nil).body.stringValue ?? ""
                #expect(metrics.contains(#"hookwork_operational_events_total{type="delivery.exhausted"} 4"#), "\(metrics)")
                #expect(metrics.contains(#"hookwork_operational_events_total{type="breaker.opened"} 1"#))
                // The operations endpoint's own calls are deliveries of their own kind, signed by reference.
                let kinds = try await client.call(.get, "/api/v1/deliveries?kind=operations&limit=100").body["deliveries"]?.arrayValue ?? []
                #expect(kinds.count == 5)
            }
        }
    }

    @Test("a 410 disables its host for new calls too, visibly, until an admin enables it again; operators get host.disabled")
    func goneDisablesHost() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let answered = Setting(0)
        try await Receiver.with(respond: { _ in
            answered.current += 1
            return (answered.current == 1 ? 410 : 200, [])
        }) { receiver, port in
            try await Receiver.with { operations, operationsPort in
                var configuration = testConfiguration(worker: .http, databaseURL: database.url)
                configuration.operationsURL = "http://127.0.0.1:\(operationsPort)/ops"
                configuration.operationsSecrets = [Self.operationsSecret]
                let app = try await makeDeliveryApp(configuration)
                try await app.test(.router) { client in
                    try await configureDelivery(client, restAPI: DeliveryFixture.restAPI(port: port))
                    let host = "127.0.0.1:\(port)"
                    func close(_ chat: Int) async throws -> JSONValue {
                        let response = try await client.call(
                            .post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "e\(chat)", chat: chat))
                        #expect(response.status == 200)
                        return response.body["outcome"]?["webhooks"]?.arrayValue?.first?["trigger"]?["actions"]?.arrayValue?.first ?? .null
                    }
                    _ = try await close(1)
                    #expect(receiver.requests.count == 1)
                    let refused = try await close(2)
                    #expect(refused["status"] == "failed", "\(refused)")
                    let list = try await waitForDeliveries(client, host: host) { $0.count == 2 && $0.allSatisfy { $0["status"] == "exhausted" } }
                    let second = try #require(list.first { $0["chat_id"] == 2 })
                    #expect(second["status"] == "exhausted")
                    #expect(second["last_error"]?.stringValue?.contains("is disabled since it answered 410 Gone") == true, "\(second)")
                    #expect(receiver.requests.count == 1, "no call goes to a disabled host")
                    let breakers = try await client.call(.get, "/api/v1/breakers").body["hosts"]?.arrayValue ?? []
                    #expect(breakers.contains { $0["host"] == .string(host) && $0["retries_disabled_at"]?.intValue != nil }, "\(breakers)")

                    #expect(try await client.call(.post, "/api/v1/breakers/\(host)/enable").status == 200)
                    _ = try await close(3)
                    let arrived = try await receiver.waitFor(2)
                    #expect(arrived.count == 2)
                    #expect(arrived.last?.path == "/closed/3")

                    let events = operationalEvents(try await operations.waitFor(3))
                    #expect(events.compactMap { $0["type"]?.stringValue }.sorted() == ["delivery.exhausted", "delivery.exhausted", "host.disabled"])
                    #expect(events.first { $0["type"] == "host.disabled" }?["data"]?["host"] == .string(host))
                }
            }
        }
    }

    @Test("a parked event is reported to the operations endpoint as event.parked")
    func parkedIsReported() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let store = try await makeStore(url: database.url, logger: testLogger)
        try await store.migrate()
        let args = try JSONValue(parsing: Fixture.closeEvent)["args"] ?? .null
        _ = try await store.enqueueEvent(key: "poison", name: "chat.close", args: args, receivedAt: 1_000, runAt: 1_000)
        for claim in 0..<3 { _ = try await store.claimEvents(limit: 1, now: 1_000 + claim * 10, worker: "crashed", leaseSeconds: 1) }
        try await store.shutdown()
        try await Receiver.with { operations, operationsPort in
            var configuration = testConfiguration(worker: .queue, databaseURL: database.url)
            configuration.eventMaxAttempts = 2
            configuration.operationsURL = "http://127.0.0.1:\(operationsPort)/ops"
            configuration.operationsSecrets = [Self.operationsSecret]
            let app = try await makeDeliveryApp(configuration)
            try await app.test(.router) { _ in
                let events = operationalEvents(try await operations.waitFor(1))
                let parked = try #require(events.first)
                #expect(parked["type"] == "event.parked")
                #expect(parked["data"]?["name"] == "chat.close")
                #expect(parked["data"]?["attempts"] == 4)
                #expect(parked["data"]?["reason"]?.stringValue?.contains("without completing") == true)
            }
        }
    }

    @Test("HOOKWORK_OPERATIONS_URL without a signing secret is refused at start, naming the setting")
    func operationsNeedsSecret() throws {
        #expect(throws: HookworkConfiguration.Invalid.self) {
            try HookworkConfiguration.fromEnvironment(["HOOKWORK_OPERATIONS_URL": "http://127.0.0.1:9/ops"])
        }
        do {
            _ = try HookworkConfiguration.fromEnvironment(["HOOKWORK_OPERATIONS_URL": "http://127.0.0.1:9/ops"])
        } catch let invalid as HookworkConfiguration.Invalid {
            #expect(invalid.key == "HOOKWORK_OPERATIONS_SECRETS")
        }
        let configured = try HookworkConfiguration.fromEnvironment([
            "HOOKWORK_OPERATIONS_URL": "http://127.0.0.1:9/ops", "HOOKWORK_OPERATIONS_SECRETS": Self.operationsSecret,
        ])
        #expect(configured.operationsURL == "http://127.0.0.1:9/ops")
    }
}
