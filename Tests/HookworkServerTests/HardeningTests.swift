import Foundation
import HTTPTypes
import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkStore
import HummingbirdTesting
import Testing

@testable import HookworkServer

/// Hostile configurations and values, end to end (README, "Limits", "Outbound address policy", "Secrets").
@Suite("Hardening: address policy, write-only secrets, poisoned values")
struct HardeningTests {
    @Test(
        "with no allow-list a call to loopback or the metadata service is never made, in any notation, and ends blocked_address",
        arguments: [
            "http://127.0.0.1:PORT", "http://localhost:PORT", "http://2130706433:PORT", "http://0x7f000001:PORT", "http://[::ffff:127.0.0.1]:PORT",
            "http://169.254.169.254",
        ])
    func blockedAddresses(_ host: String) async throws {
        try await ScriptedReceiver.with([:]) { receiver, port in
            let api =
                #"{"name":"Inside","configuration":{"host":"\#(host.replacingOccurrences(of: "PORT", with: String(port)))","parameters":[{"id":"m","method":"POST","suburl":"/x"}]}}"#
            let database = temporaryDatabaseURL()
            var configuration = testConfiguration(databaseURL: database.url)
            configuration.outboundAllow = OutboundAddressPolicy()
            let response = try await runEvent(api: api, triggers: [triggerJSON("Call", [restAction("m")])], configuration: configuration) { client in
                let deliveries = try await client.call(.get, "/api/v1/deliveries")
                let items = deliveries.body["deliveries"]?.arrayValue ?? []
                #expect(items.count == 1)
                // Finished at once, not retried, and the breaker is left alone: the receiver did nothing wrong.
                #expect(items.first?["status"] == "exhausted")
                #expect(items.first?["last_error"]?.stringValue?.contains("blocked_address") == true, "\(items)")
            }
            #expect(actionReports(response).first.map { $0.jsonText().contains("blocked_address") } == true, "\(response.body)")
            // The attempt is over (the outbox says exhausted), and the receiver never saw a connection's request.
            #expect(receiver.requests.isEmpty)
        }
    }

    @Test("the allow-list opens a range: the same loopback call goes through")
    func allowListOpens() async throws {
        try await ScriptedReceiver.with([:]) { receiver, port in
            let api =
                #"{"name":"Inside","configuration":{"host":"http://localhost:\#(port)","parameters":[{"id":"m","method":"POST","suburl":"/x"}]}}"#
            let database = temporaryDatabaseURL()
            var configuration = testConfiguration(databaseURL: database.url)
            configuration.outboundAllow = try OutboundAddressPolicy(allowList: "127.0.0.0/8, ::1")
            let response = try await runEvent(api: api, triggers: [triggerJSON("Call", [restAction("m")])], configuration: configuration)
            #expect(actionReports(response).first?["status"] == "sent", "\(response.body)")
            #expect(receiver.requests(to: "/x").count == 1)
        }
    }

    @Test("a redirect is not followed unless the Rest API asks, and a followed one is checked again")
    func redirects() async throws {
        try await ScriptedReceiver.with(["/hop": .init(status: 302, body: "", headers: [("Location", "http://169.254.169.254/latest/meta-data")])]) {
            receiver, port in
            let sender = AsyncHTTPSender(logger: testLogger, addressPolicy: loopbackAllowed)
            let plain = try await sender.send(OutboundRequest(method: "GET", url: "http://127.0.0.1:\(port)/hop"))
            #expect(plain.status == 302)
            await #expect(throws: OutboundBlocked.self) {
                try await sender.send(OutboundRequest(method: "GET", url: "http://127.0.0.1:\(port)/hop", followRedirects: true))
            }
            #expect(receiver.requests(to: "/hop").count == 2)
            try await sender.shutdown()
        }
    }

    @Test("Rest API secrets read back masked; saving the masked document back keeps them, and calls use the real ones")
    func writeOnlySecrets() async throws {
        try await ScriptedReceiver.with([:]) { receiver, port in
            let database = temporaryDatabaseURL()
            defer { try? FileManager.default.removeItem(at: database.folder) }
            let app = try await makeApp(testConfiguration(databaseURL: database.url))
            try await app.test(.router) { client in
                let api =
                    #"{"name":"Secret","configuration":{"host":"http://127.0.0.1:\#(port)","signing_secrets":["whsec_c2VjcmV0LXNpZ25pbmcta2V5LW9mLTMyLWJ5dGVzIQ=="],"parameters":[{"id":"m","method":"POST","suburl":"/s?access_token=qs-secret","authorization":"bearer","auth_bearer":"bearer-secret","header":[{"key":"X-Api-Token","value":"header-secret"}]}]}}"#
                let created = try await client.call(.post, "/api/v1/rest_apis", json: api)
                #expect(created.status == 201)
                let secrets = ["whsec_c2VjcmV0", "bearer-secret", "header-secret"]
                for answer in [
                    created.body, try await client.call(.get, "/api/v1/rest_apis/1").body, try await client.call(.get, "/api/v1/rest_apis").body,
                ] {
                    for secret in secrets { #expect(!answer.jsonText().contains(secret), "\(secret) in \(answer.jsonText())") }
                }
                // The admin page edits what it read: the masked document goes back unchanged.
                let shown = try await client.call(.get, "/api/v1/rest_apis/1").body
                let saved = try await client.call(.put, "/api/v1/rest_apis/1", json: shown.jsonText())
                #expect(saved.status == 200, "\(saved.body)")
                #expect(try await client.call(.post, "/api/v1/triggers", json: triggerJSON("Call", [restAction("m")])).status == 201)
                #expect(try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook()).status == 201)
                let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent)
                #expect(response.status == 200)
                let request = try #require(receiver.requests.first)
                #expect(request.headers["authorization"] == "Bearer bearer-secret")
                #expect(request.headers["x-api-token"] == "header-secret")
                #expect(request.headers["webhook-signature"]?.hasPrefix("v1,") == true)
                // Neither the event's answer (ingest scope) nor the delivery log shows them, nor the query credential.
                let log = try await client.call(.get, "/api/v1/deliveries/1")
                for text in [response.body.jsonText(), log.body.jsonText()] {
                    for secret in secrets + ["qs-secret"] { #expect(!text.contains(secret), "\(secret) in \(text)") }
                }
            }
        }
    }

    @Test("a rotated signing secret reaches a queued retry: the outbox keeps a reference, not a copy")
    func rotationReachesRetries() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let store = try await makeStore(url: database.url, logger: testLogger)
        do {
            try await store.migrate()
            let old = "whsec_b2xkLXNpZ25pbmcta2V5LW9mLTMyLWJ5dGVzLWxvbmc="
            let new = "whsec_bmV3LXNpZ25pbmcta2V5LW9mLTMyLWJ5dGVzLWxvbmc="
            try await store.put(
                .restAPI, id: 4, document: ["name": "R", "configuration": ["host": "https://api.example.com", "signing_secrets": [.string(old)]]])
            let resolver = ConfiguredSigningSecrets(store: store, callbackSecrets: [])
            #expect(try await resolver.secrets(for: .restAPI(id: 4)) == [old])
            try await store.put(
                .restAPI, id: 4, document: ["name": "R", "configuration": ["host": "https://api.example.com", "signing_secrets": [.string(new)]]])
            #expect(try await resolver.secrets(for: .restAPI(id: 4)) == [new])
            var call = OutboundCall(
                kind: .restapi, payload: .http(OutboundRequest(method: "POST", url: "https://api.example.com/x")), signingSecrets: [old])
            call.signingSource = .restAPI(id: 4)
            #expect(!call.newDelivery().payload.jsonText().contains("whsec_"))
        } catch {
            try? await store.shutdown()
            throw error
        }
        try await store.shutdown()
    }

    @Test("a chat whose nick is 400,000 parentheses does not stop the continuous pass from firing for the other chats")
    func poisonedChat() async throws {
        try await ContinuousHarness.with { h in
            let conditions =
                "[" + [compare("{args.chat.status}", "eq", "5"), compare("{args.chat.nick}", "neq", "blocked")].joined(separator: ",") + "]"
            try await h.webhook(continuousWebhook(conditions, firing: #"{"policy":"once"}"#))
            let poison = String(repeating: "(", count: 200_000) + "1" + String(repeating: ")", count: 200_000)
            try await h.store.put(.chat, id: 6, document: ["status": 5, "nick": .string(poison)])
            try await h.store.put(.chat, id: 7, document: ["status": 5, "nick": "Ann"])
            #expect(try await h.pass(at: continuousStart + 1) == ["/closed/7"])
            // The poisoned chat is evaluated again on every pass, quietly false; the others keep firing.
            try await h.store.put(.chat, id: 8, document: ["status": 5, "nick": "Bo"])
            #expect(try await h.pass(at: continuousStart + 2) == ["/closed/8"])
        }
    }

    @Test("an event whose nick is deeply nested arithmetic is answered, with the reason in the trace")
    func poisonedEvent() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            let conditions = "[" + compare("{args.chat.nick}", "eq", "1") + "]"
            let trigger = try await client.call(.post, "/api/v1/triggers", json: #"{"name":"Nothing","actions":[]}"#)
            #expect(trigger.status == 201, "\(trigger.body)")
            let webhook = try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook(configuration: conditions))
            #expect(webhook.status == 201, "\(webhook.body)")
            let nick = String(repeating: "(", count: 20_000) + "1" + String(repeating: ")", count: 20_000)
            let event = #"{"event":"chat.close","args":{"chat":{"id":9,"status":2,"nick":"\#(nick)"}}}"#
            let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: event)
            #expect(response.status == 200, "\(response.body)")
            #expect(response.body.jsonText().contains("LimitError") || response.body["outcome"] != nil)
        }
    }
}
