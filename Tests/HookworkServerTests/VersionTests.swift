import Foundation
import HookworkCore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HookworkServer

@Suite("Versions of webhooks, triggers, Rest APIs and calendars")
struct VersionTests {
    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in try await body(client) }
    }

    /// A new admin token named `name`; its secret.
    func token(_ client: some TestClientProtocol, named name: String) async throws -> String {
        let made = try await client.call(.post, "/api/v1/tokens", json: #"{"name":"\#(name)","scope":"admin"}"#)
        return try #require(made.body["token"]?.stringValue)
    }

    @Test("a restore brings back the exact earlier document, and the list shows who changed what and when")
    func restoreAndAuthors() async throws {
        try await withApp { client in
            let alice = try await token(client, named: "alice")
            let bob = try await token(client, named: "bob")
            try await client.call(.post, "/api/v1/rest_apis", json: Fixture.restAPI(port: 9))
            #expect(try await client.call(.post, "/api/v1/triggers", json: Fixture.trigger).status == 201)
            let seed = Fixture.webhook(configuration: #"[{"attr":"{args.chat.status}","cond":"eq","value":"2","type":"1"}]"#)
            let created = try await client.call(.post, "/api/v1/webhooks", token: alice, json: seed)
            #expect(created.status == 201)
            let original = try await client.call(.get, "/api/v1/webhooks/1").body
            let patched = try await client.call(
                .patch, "/api/v1/webhooks/1", token: bob,
                json: #"{"name":"On close, renamed","configuration":[{"attr":"{args.chat.status}","cond":"eq","value":"1","type":"1"}]}"#)
            #expect(patched.status == 200)
            #expect(try await client.call(.get, "/api/v1/webhooks/1").body != original)

            let listed = try await client.call(.get, "/api/v1/webhooks/1/versions").body["items"]?.arrayValue ?? []
            #expect(listed.map { $0["saved_by"] } == ["alice", "bob"])
            #expect(listed.map { $0["version"] } == [1, 2])
            #expect(listed.allSatisfy { ($0["saved_at"]?.intValue ?? 0) > 1_700_000_000 })
            let second = try await client.call(.get, "/api/v1/webhooks/1/versions/2").body
            let changes = second["diff"]?["changes"]?.arrayValue ?? []
            #expect(second["diff"]?["against"] == 1)
            #expect(changes.map { $0["path"] } == ["/name", "/configuration/0/value"])
            #expect(changes.first?["before"] == "On close" && changes.first?["after"] == "On close, renamed")
            #expect(changes.last?["op"] == "changed" && changes.last?["before"] == "2" && changes.last?["after"] == "1")

            let restored = try await client.call(.post, "/api/v1/webhooks/1/versions/1/restore")
            #expect(restored.status == 200)
            #expect(restored.body == original)
            #expect(try await client.call(.get, "/api/v1/webhooks/1").body == original, "the stored document is version 1's")
            let after = try await client.call(.get, "/api/v1/webhooks/1/versions").body["items"]?.arrayValue ?? []
            #expect(after.map { $0["saved_by"] } == ["alice", "bob", .string("HOOKWORK_ADMIN_TOKEN")], "a restore is a new version")
            let third = try await client.call(.get, "/api/v1/webhooks/1/versions/3").body
            #expect(third["document"] == original)
            #expect((third["diff"]?["changes"]?.arrayValue ?? []).count == 2, "the restore undoes bob's two changes")
        }
    }

    @Test("a deleted record's history is kept and listed; its deletion cannot be restored, the version before it can")
    func deletedAndRestored() async throws {
        try await withApp { client in
            #expect(try await client.call(.post, "/api/v1/triggers", json: #"{"name":"Greeting","actions":[]}"#).status == 201)
            let document = try await client.call(.get, "/api/v1/triggers/1").body
            #expect(try await client.call(.delete, "/api/v1/triggers/1").status == 204)
            #expect(try await client.call(.get, "/api/v1/triggers/1").status == 404)
            let deleted = try await client.call(.get, "/api/v1/triggers/deleted").body["items"]?.arrayValue ?? []
            #expect(deleted.count == 1)
            #expect(deleted.first?["id"] == 1 && deleted.first?["name"] == "Greeting" && deleted.first?["last_version"] == 1)
            #expect(deleted.first?["deleted_by"] == "HOOKWORK_ADMIN_TOKEN")
            let deletion = try await client.call(.get, "/api/v1/triggers/1/versions/2").body
            #expect(deletion["deleted"] == true && deletion["document"] == .null)
            let refused = try await client.call(.post, "/api/v1/triggers/1/versions/2/restore")
            #expect(refused.status == 409)
            #expect(refused.body["error"]?["code"] == "version_is_deletion")
            #expect(try await client.call(.post, "/api/v1/triggers/1/versions/1/restore").status == 200)
            #expect(try await client.call(.get, "/api/v1/triggers/1").body == document, "back under its id")
            #expect(try await client.call(.get, "/api/v1/triggers/deleted").body["items"]?.arrayValue?.isEmpty == true)
            let missing = try await client.call(.get, "/api/v1/triggers/1/versions/9")
            #expect(missing.status == 404 && missing.body["error"]?["code"] == "no_such_version")
            #expect(try await client.call(.get, "/api/v1/triggers/77/versions").status == 404)
            #expect(try await client.call(.get, "/api/v1/triggers/x/versions").status == 400)
        }
    }

    @Test("a version that no longer validates (its trigger is gone) is refused naming the member, and nothing changes")
    func restoreValidated() async throws {
        try await withApp { client in
            try await client.call(.post, "/api/v1/rest_apis", json: Fixture.restAPI(port: 9))
            #expect(try await client.call(.post, "/api/v1/triggers", json: Fixture.trigger).status == 201)
            #expect(try await client.call(.post, "/api/v1/triggers", json: Fixture.alternativeTrigger).status == 201)
            #expect(try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook()).status == 201)
            #expect(try await client.call(.patch, "/api/v1/webhooks/1", json: #"{"trigger_id":2}"#).status == 200)
            #expect(try await client.call(.delete, "/api/v1/triggers/1").status == 204)
            let current = try await client.call(.get, "/api/v1/webhooks/1").body
            let refused = try await client.call(.post, "/api/v1/webhooks/1/versions/1/restore")
            #expect(refused.status == 422)
            #expect(refused.body["error"]?["field"] == "trigger_id")
            #expect(try await client.call(.get, "/api/v1/webhooks/1").body == current)
            #expect(try await client.call(.get, "/api/v1/webhooks/1/versions").body["items"]?.arrayValue?.count == 2, "no version was made")
        }
    }

    @Test("versions mask a Rest API's secrets, a changed secret shows as changed, and a restore brings back the real one")
    func secrets() async throws {
        try await Receiver.with { receiver, port in
            let database = temporaryDatabaseURL()
            defer { try? FileManager.default.removeItem(at: database.folder) }
            let app = try await makeApp(testConfiguration(databaseURL: database.url))
            try await app.test(.router) { client in
                try await configureDelivery(client, restAPI: DeliveryFixture.restAPI(port: port))
                let shown = try await client.call(.get, "/api/v1/rest_apis/1").body.jsonText()
                #expect(shown.contains(#""auth_bearer":"********""#))
                let rotated = shown.replacingOccurrences(of: #""auth_bearer":"********""#, with: #""auth_bearer":"rotated-secret""#)
                #expect(try await client.call(.put, "/api/v1/rest_apis/1", json: rotated).status == 200)
                for number in 1...2 {
                    let version = try await client.call(.get, "/api/v1/rest_apis/1/versions/\(number)")
                    #expect(version.status == 200)
                    #expect(!version.body.jsonText().contains("s3cret") && !version.body.jsonText().contains("rotated-secret"))
                }
                let changes = try await client.call(.get, "/api/v1/rest_apis/1/versions/2").body["diff"]?["changes"]?.arrayValue ?? []
                #expect(changes.count == 1)
                #expect(changes.first?["path"] == "/configuration/parameters/0/auth_bearer" && changes.first?["secret"] == true)

                #expect(try await client.call(.post, "/api/v1/rest_apis/1/versions/1/restore").status == 200)
                let sent = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: "v-1", chat: 41))
                #expect(sent.status == 200 || sent.status == 202)
                let received = try await receiver.waitFor(1)
                #expect(received.first?.headers["authorization"] == "Bearer s3cret", "the restored version calls with its own secret")
            }
        }
    }
}
