import Foundation
import HookworkCore
import HookworkEngine
import HookworkStore
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import HookworkServer

@Suite("HTTP API: validation, auth, errors, OpenAPI")
struct APITests {
    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in try await body(client) }
    }

    @Test(
        "a webhook that cannot run is refused with the field and reason",
        arguments: [
            (#"{"name":"x","event":"chat.close","type":3,"trigger_id":1}"#, "type"),
            (#"{"name":"x","event":"chat.close","delay":61,"trigger_id":1}"#, "delay"),
            (#"{"name":"x","event":"chat.close","delay":-1,"trigger_id":1}"#, "delay"),
            (#"{"name":"x","event":"chat.close"}"#, "trigger_id"),
            (#"{"name":"x","event":"chat.close","trigger_id":99}"#, "trigger_id"),
            (#"{"name":"x","event":"chat.close","trigger_id":1,"trigger_id_alt":98}"#, "trigger_id_alt"),
            (#"{"name":"x","type":0,"trigger_id":1}"#, "event"),
            (#"{"name":"x","event":"chat.close","trigger_id":1,"configuration":{"type":"3"}}"#, "configuration"),
        ]
    )
    func webhookValidation(body: String, field: String) async throws {
        try await withApp { client in
            try await client.call(.post, "/api/v1/rest_apis", json: Fixture.restAPI(port: 9))
            #expect(try await client.call(.post, "/api/v1/triggers", json: Fixture.trigger).status == 201)
            let response = try await client.call(.post, "/api/v1/webhooks", json: body)
            #expect(response.status == 422)
            #expect(response.body["error"]?["field"] == .string(field))
            #expect(response.body["error"]?["message"]?.stringValue?.isEmpty == false)
        }
    }

    @Test("a trigger must name an existing Rest API and method")
    func triggerValidation() async throws {
        try await withApp { client in
            let missing = try await client.call(.post, "/api/v1/triggers", json: Fixture.trigger)
            #expect(missing.status == 422)
            #expect(missing.body["error"]?["field"] == "actions[0].content.rest_api")
            let unknown = try await client.call(.post, "/api/v1/triggers", json: #"{"name":"t","actions":[{"type":"teleport"}]}"#)
            #expect(unknown.body["error"]?["field"] == "actions[0].type")
        }
    }

    @Test("malformed JSON gets 400 naming the problem; an oversized body gets 413; both in the error shape")
    func badBodies() async throws {
        try await withApp { client in
            let broken = try await client.call(.post, "/api/v1/events", token: ingestToken, json: #"{"event": "chat.close",}"#)
            #expect(broken.status == 400)
            #expect(broken.body["error"]?["code"] == "invalid_json")
            #expect(broken.body["error"]?["message"]?.stringValue?.contains("byte") == true)
            let huge = #"{"event":"chat.close","args":{"pad":""# + String(repeating: "x", count: 70_000) + #""}}"#
            let tooLarge = try await client.call(.post, "/api/v1/events", token: ingestToken, json: huge)
            #expect(tooLarge.status == 413)
            #expect(tooLarge.body["error"]?["code"] == "body_too_large")
            let notFound = try await client.call(.get, "/api/v1/nothing-here")
            #expect(notFound.status == 404)
            #expect(notFound.body["error"]?["code"] != nil)
            let badID = try await client.call(.get, "/api/v1/chats/abc", token: ingestToken)
            #expect(badID.status == 400)
            #expect(badID.body["error"]?["field"] == "id")
            let missingEvent = try await client.call(.post, "/api/v1/events", token: ingestToken, json: #"{"args":{}}"#)
            #expect(missingEvent.status == 422)
            #expect(missingEvent.body["error"]?["field"] == "event")
        }
    }

    @Test("tokens: none is 401, ingest cannot configure, admin can do everything")
    func scopes() async throws {
        try await withApp { client in
            #expect(try await client.call(.get, "/api/v1/webhooks", token: nil).status == 401)
            #expect(try await client.call(.get, "/api/v1/webhooks", token: "wrong").status == 401)
            let forbidden = try await client.call(.get, "/api/v1/webhooks", token: ingestToken)
            #expect(forbidden.status == 403)
            #expect(forbidden.body["error"]?["code"] == "forbidden")
            #expect(try await client.call(.get, "/api/v1/webhooks", token: adminToken).status == 200)
            #expect(try await client.call(.post, "/api/v1/triggers", token: ingestToken, json: Fixture.trigger).status == 403)
            #expect(try await client.call(.post, "/api/v1/events", token: ingestToken, json: #"{"event":"chat.close","args":{}}"#).status == 200)
            #expect(try await client.call(.put, "/api/v1/chats/1", token: ingestToken, json: #"{"nick":"a"}"#).status == 200)
            #expect(try await client.call(.put, "/api/v1/chats/2", token: adminToken, json: #"{"nick":"b"}"#).status == 200)
            #expect(try await client.call(.get, "/health", token: nil).status == 200)
        }
    }

    @Test("with no token configured the first start creates an admin token, shows it once, and it works")
    func bootstrapToken() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        var configuration = testConfiguration(databaseURL: database.url)
        configuration.adminToken = nil
        configuration.ingestToken = nil
        let shown = Mutex<[String]>([])
        let app = try await makeApp(configuration) { secret in shown.withLock { $0.append(secret) } }
        let secret = try #require(shown.withLock { $0.first })
        try await app.test(.router) { client in
            let status = try await client.call(.get, "/api/v1/webhooks", token: secret).status
            #expect(status == 200)
        }
        // A second start on the same database finds the stored token and creates none.
        try await makeApp(configuration) { secret in shown.withLock { $0.append(secret) } }.test(.router) { _ in }
        #expect(shown.withLock { $0.count } == 1)
    }

    @Test("/metrics counts events in Prometheus text")
    func metrics() async throws {
        try await withApp { client in
            try await client.call(.post, "/api/v1/events", token: ingestToken, json: #"{"event":"chat.close","args":{}}"#)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: metrics.body)
            #expect(text.contains("hookwork_events_received_total"))
            #expect(text.contains("hookwork_http_requests_total"))
        }
    }

    @Test("the OpenAPI document lists every registered route and nothing else")
    func openAPIMatchesRoutes() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let configuration = testConfiguration(databaseURL: database.url)
        let store = try await makeStore(url: configuration.databaseURL, logger: testLogger)
        let parts = try await buildServerParts(
            configuration: configuration, dependencies: ServerDependencies(store: store, logger: testLogger), withWorkers: false
        )
        let registered = Set(parts.router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        let app = Application(router: parts.router, services: parts.services)
        try await app.test(.router) { client in
            let response = try await client.call(.get, "/api/v1/openapi.json", token: nil)
            #expect(response.body["openapi"] == "3.0.3")
            var documented: Set<String> = []
            for (path, item) in response.body["paths"]?.objectValue ?? JSONObject() {
                for (method, _) in item.objectValue ?? JSONObject() { documented.insert("\(method.uppercased()) \(path)") }
            }
            #expect(documented == registered)
            #expect(documented.contains("POST /api/v1/events"))

            // Every JSON body in and out has a schema, and every reference resolves.
            let schemas = response.body["components"]?["schemas"]?.objectValue ?? JSONObject()
            var missing: [String] = []
            var references: [String] = []
            func collect(_ value: JSONValue) {
                switch value {
                case .object(let object):
                    if let target = object["$ref"]?.stringValue { references.append(target) }
                    for (_, member) in object { collect(member) }
                case .array(let items): items.forEach(collect)
                default: break
                }
            }
            for (path, item) in response.body["paths"]?.objectValue ?? JSONObject() {
                for (method, operation) in item.objectValue ?? JSONObject() {
                    collect(operation)
                    // The admin page's files are not JSON.
                    if operation["tags"]?.arrayValue?.contains("admin page") == true { continue }
                    if operation["requestBody"] != nil, operation["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"] == nil {
                        missing.append("\(method.uppercased()) \(path) request")
                    }
                    for (status, answer) in operation["responses"]?.objectValue ?? JSONObject() where status != "204" && answer["content"] == nil {
                        missing.append("\(method.uppercased()) \(path) \(status)")
                    }
                }
            }
            #expect(missing.isEmpty, "\(missing.sorted())")
            let unresolved = references.filter { schemas[String($0.dropFirst("#/components/schemas/".count))] == nil }
            #expect(unresolved.isEmpty, "\(unresolved)")
            let events = response.body["paths"]?["/api/v1/events"]?["post"]
            #expect(events?["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"] == "#/components/schemas/Event")
            #expect(schemas["Delivery"]?["properties"]?["kind"]?["enum"]?.arrayValue?.contains("operations") == true)
            let enable = response.body["paths"]?["/api/v1/breakers/{host}/enable"]?["post"]?["parameters"]?.arrayValue?.first
            #expect(enable?["schema"]?["type"] == "string", "a host is not an integer")
        }
    }
}
