import Foundation
import HTTPTypes
import HookworkCore
import HookworkEngine
import HummingbirdTesting
import Testing

@testable import HookworkServer

@Suite("One dead receiver does not slow the others")
struct DeliveryBreakerTests {
    /// Creates Rest API 1 (`first`), Rest API 2 (`second`), a trigger calling both and a chat.close webhook.
    func configureTwo(_ client: some TestClientProtocol, first: String, second: String) async throws {
        #expect(try await client.call(.post, "/api/v1/rest_apis", json: first).status == 201)
        #expect(try await client.call(.post, "/api/v1/rest_apis", json: second).status == 201)
        #expect(try await client.call(.post, "/api/v1/triggers", json: DeliveryFixture.twoCalls).status == 201)
        #expect(try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook()).status == 201)
    }

    @Test("a receiver that never answers holds at most its share of the delivery slots; the healthy one gets every call meanwhile")
    func hangingReceiver() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let released = Setting(false)
        try await Receiver.with(respond: { _ in
            while !released.current { try? await Task.sleep(for: .milliseconds(10)) }
            return (200, [])
        }) { hanging, hangingPort in
            try await Receiver.with { healthy, healthyPort in
                var configuration = testConfiguration(worker: .queue, databaseURL: database.url)
                configuration.deliveryConcurrency = 2
                let app = try await makeDeliveryApp(configuration, clock: ManualClock())
                try await app.test(.router) { client in
                    try await configureTwo(
                        client, first: DeliveryFixture.restAPI(port: hangingPort, timeout: 60), second: DeliveryFixture.restAPI(port: healthyPort)
                    )
                    for chat in 1...6 {
                        let response = try await client.call(
                            .post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "e\(chat)", chat: chat))
                        #expect(response.status == 202)
                    }
                    let delivered = try await healthy.waitFor(6)
                    #expect(delivered.count == 6, "every call to the healthy receiver arrives")
                    #expect(!released.current)
                    #expect(hanging.requests.count == 1, "the hanging receiver holds one of the two slots, not both")
                    released.current = true
                    _ = try await hanging.waitFor(6)
                }
            }
        }
    }

    @Test("a refusing receiver opens its breaker: its calls wait (one probe after the cool-down) while the healthy one gets every call")
    func refusingReceiver() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let deadPort = try await Receiver.with { _, port in port }
        let clock = ManualClock()
        let start = clock.now()
        try await Receiver.with { healthy, healthyPort in
            var configuration = testConfiguration(worker: .http, databaseURL: database.url)
            configuration.breakerThreshold = 2
            configuration.breakerCooldownSeconds = 30
            let app = try await makeDeliveryApp(configuration, clock: clock)
            try await app.test(.router) { client in
                try await configureTwo(client, first: DeliveryFixture.restAPI(port: deadPort), second: DeliveryFixture.restAPI(port: healthyPort))
                var firstStatuses: [JSONValue] = []
                for chat in 1...5 {
                    let response = try await client.call(
                        .post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "e\(chat)", chat: chat))
                    let actions = response.body["outcome"]?["webhooks"]?.arrayValue?.first?["trigger"]?["actions"]?.arrayValue ?? []
                    firstStatuses.append(actions.first?["status"] ?? .null)
                    #expect(actions.last?["status"] == "sent")
                }
                #expect(firstStatuses == ["failed", "failed", "queued", "queued", "queued"], "after two failures the dead host is not called")
                #expect(healthy.requests.count == 5)

                let deadHost = "127.0.0.1:\(deadPort)"
                func breaker() async throws -> JSONValue? {
                    try await client.call(.get, "/api/v1/breakers").body["hosts"]?.arrayValue?.first { $0["host"] == .string(deadHost) }
                }
                let open = try #require(try await breaker())
                #expect(open["state"] == "open")
                #expect(open["consecutive_failures"] == 2)
                #expect(open["next_probe_at"] == .int(start + 30))
                let metrics = try await client.call(.get, "/metrics", token: nil).body.stringValue ?? ""
                #expect(metrics.contains(#"hookwork_delivery_breaker_state{host="\#(deadHost)",state="open"} 1"#))

                func deadAttempts() async throws -> Int {
                    let list = try await client.call(.get, "/api/v1/deliveries?limit=100").body["deliveries"]?.arrayValue ?? []
                    return list.filter { $0["host"] == .string(deadHost) }.reduce(0) { $0 + ($1["attempts"]?.intValue ?? 0) }
                }
                // Retries of the two failed calls are due at start + 5, but the open breaker holds them back.
                clock.advance(10)
                try await Task.sleep(for: .milliseconds(200))
                #expect(try await deadAttempts() == 2)
                // The cool-down ends: exactly one probe goes, fails, and the breaker opens again.
                clock.advance(20)
                let deadline = ContinuousClock.now + .seconds(10)
                while try await breaker()?["next_probe_at"] != .int(start + 60), ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(try await breaker()?["next_probe_at"] == .int(start + 60))
                try await Task.sleep(for: .milliseconds(200))
                #expect(try await deadAttempts() == 3)
            }
        }
    }
}
