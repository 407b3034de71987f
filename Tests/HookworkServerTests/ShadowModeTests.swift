import Foundation
import HookworkCore
import HookworkEngine
import HookworkStore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HookworkServer

@Suite("Shadow mode: evaluated like a live webhook, recorded instead of run")
struct ShadowModeTests {
    let t0 = continuousStart

    @Test("a continuous shadow webhook records, chat by chat and second by second, the firings its live twin makes, and sends nothing")
    func continuousTwin() async throws {
        try await ContinuousHarness.with { h in
            let conditions = "[" + compare("{args.chat.status}", "eq", "1") + "," + compare("{args.chat.status_sub}", "neq", "8") + "]"
            let firing = #"{"policy":"every","every_seconds":10,"max_firings":3}"#
            let live = try await h.webhook(continuousWebhook(conditions, firing: firing))
            var twin = try object(continuousWebhook(conditions, firing: firing))
            twin["mode"] = "shadow"
            let shadow = try await h.webhook(JSONValue.object(twin).jsonText())
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            try await h.store.put(.chat, id: 8, document: ["status": 1, "status_sub": 8])
            try await h.store.put(.chat, id: 9, document: ["status": 0])
            var liveFirings: [String] = []
            for second in 0...45 {
                if second == 12 { try await h.store.put(.chat, id: 8, document: ["status": 1, "status_sub": 0]) }
                if second == 20 { try await h.store.put(.chat, id: 7, document: ["status": 1, "status_sub": 8]) }
                if second == 31 { try await h.store.put(.chat, id: 7, document: ["status": 1]) }
                for path in try await h.pass(at: t0 + second) {
                    liveFirings.append("\(path.split(separator: "/").last ?? "")@\(second)")
                }
            }
            let recorded = try await h.store.shadowFirings(webhookID: shadow, since: 0, until: t0 + 1000, limit: 1000)
            let shadowFirings = recorded.reversed().map { "\($0.subjectID)@\($0.firedAt - t0)" }
            #expect(liveFirings.count >= 6, "the scenario fires several times: \(liveFirings)")
            #expect(shadowFirings == liveFirings)
            #expect(h.receiver.requests.count == liveFirings.count, "only the live webhook called out")
            #expect(recorded.allSatisfy { $0.branch == "trigger" && $0.triggerID == 1 && $0.source == .continuousChat })
            #expect(recorded.first?.trace.arrayValue?.isEmpty == false, "each firing keeps its trace")
            let outbox = try await h.store.deliveries(DeliveryQuery(limit: 500))
            #expect(outbox.count == liveFirings.count && outbox.allSatisfy { $0.webhookID == live }, "the outbox holds only the live calls")
            let ledger = try await h.store.firingLedger(webhookID: nil)
            #expect(Set(ledger.filter { $0.webhookID == shadow }.map(\.chatID)) == Set(ledger.filter { $0.webhookID == live }.map(\.chatID)))
        }
    }

    @Test("a hook shadow webhook records its firing with the trace, runs no trigger; the API lists it with counts per hour")
    func hookTwin() async throws {
        try await Receiver.with { receiver, port in
            let database = temporaryDatabaseURL()
            defer { try? FileManager.default.removeItem(at: database.folder) }
            let app = try await makeApp(testConfiguration(databaseURL: database.url))
            try await app.test(.router) { client in
                try await configure(client, port: port)
                var twin = try object(Fixture.webhook())
                twin["mode"] = "shadow"
                twin["name"] = "On close (shadow)"
                let created = try await client.call(.post, "/api/v1/webhooks", json: JSONValue.object(twin).jsonText())
                #expect(created.status == 201)
                #expect(created.body["mode"] == "shadow")
                let sent = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "s-1", chat: 41))
                #expect(sent.status == 200 || sent.status == 202)
                _ = try await receiver.waitFor(1)
                let outbox = try await client.outbox()
                #expect(outbox.count == 1 && outbox.first?["webhook_id"] == 1, "one call, the live webhook's")
                let listed = try await client.call(.get, "/api/v1/webhooks/2/shadow_firings")
                #expect(listed.status == 200)
                #expect(listed.body["mode"] == "shadow" && listed.body["total"] == 1)
                let firings = listed.body["firings"]?.arrayValue ?? []
                #expect(firings.count == 1)
                #expect(firings.first?["chat_id"] == 41 && firings.first?["trigger_id"] == 1 && firings.first?["branch"] == "trigger")
                #expect(firings.first?["trace"]?.arrayValue != nil)
                #expect(listed.body["per_hour"]?.arrayValue?.first?["count"] == 1)
                #expect(receiver.requests.count == 1)

                // Going live is one change, kept as a version.
                #expect(try await client.call(.patch, "/api/v1/webhooks/2", json: #"{"mode":"live"}"#).status == 200)
                let version = try await client.call(.get, "/api/v1/webhooks/2/versions/2").body
                #expect(version["diff"]?["changes"]?.arrayValue?.map { $0["path"] } == ["/mode"])
                let refused = try await client.call(.patch, "/api/v1/webhooks/2", json: #"{"mode":"dry-run"}"#)
                #expect(refused.status == 422 && refused.body["error"]?["field"] == "mode")
            }
        }
    }
}
