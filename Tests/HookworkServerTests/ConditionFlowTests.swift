import Foundation
import HTTPTypes
import HookworkCore
import HookworkEngine
import HookworkStore
import HummingbirdTesting
import Testing

@testable import HookworkServer

@Suite("Hook webhooks with real conditions")
struct ConditionFlowTests {

    /// Runs `body` against a fresh server on SQLite in a temporary folder that already has the fixture Rest API
    /// and trigger, so a webhook can be saved at once.
    func withConfiguredServer(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            try await client.call(.post, "/api/v1/rest_apis", json: Fixture.restAPI(port: 9))
            try await client.call(.post, "/api/v1/triggers", json: Fixture.trigger)
            try await body(client)
        }
    }
    /// Runs `body` against a fresh server on SQLite in a temporary folder, with the receiver listening.
    func withServer(
        worker: WorkerMode, webhook: String, _ body: @Sendable (any TestClientProtocol, Receiver) async throws -> Void
    ) async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await Receiver.with { receiver, port in
            let app = try await makeApp(testConfiguration(worker: worker, databaseURL: database.url))
            try await app.test(.router) { client in
                try await configure(client, port: port, webhook: webhook)
                try await body(client, receiver)
            }
        }
    }

    /// Sends an event and returns its outcome, waiting for a worker in queue mode.
    func send(_ client: some TestClientProtocol, _ event: String, worker: WorkerMode) async throws -> JSONValue {
        let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: event)
        switch worker {
        case .http:
            #expect(response.status == 200)
            return response.body["outcome"] ?? .null
        case .queue:
            #expect(response.status == 202)
            let eventID = try #require(response.body["event_id"]?.intValue)
            return try await waitForOutcome(client, eventID: eventID)["outcome"] ?? .null
        }
    }

    @Test(
        "seed chat.close webhook: a closed Sales chat takes the trigger, a chat of another department the alternative",
        arguments: [WorkerMode.http, .queue]
    )
    func conditionsChooseTheBranch(worker: WorkerMode) async throws {
        let webhook = Fixture.webhook(configuration: Fixture.salesClosedConditions, alternative: 2)
        try await withServer(worker: worker, webhook: webhook) { client, receiver in
            let sales = try await send(client, Fixture.closeEvent(id: "close-7", chat: 7, department: 3), worker: worker)
            let sold = sales["webhooks"]?.arrayValue?.first
            #expect(sold?["valid"] == true)
            #expect(sold?["branch"] == "trigger")
            #expect(sold?["trace"]?.arrayValue?.first?["conditions"]?.arrayValue?.count == 2)

            let other = try await send(client, Fixture.closeEvent(id: "close-8", chat: 8, department: 4), worker: worker)
            let missed = other["webhooks"]?.arrayValue?.first
            #expect(missed?["valid"] == false)
            #expect(missed?["branch"] == "alternative")
            // http: the first attempt is made in the request; queue: the call is recorded and a delivery worker makes it.
            #expect(missed?["trigger"]?["actions"]?.arrayValue?.first?["status"] == (worker == .http ? "sent" : "queued"))

            let requests = try await receiver.waitFor(2)
            #expect(Set(requests.map(\.path)) == ["/closed/7?source=hookwork", "/not-closed/8"])
            #expect(requests.first { $0.path == "/closed/7?source=hookwork" }?.body == #"{"chat_id": 7, "nick": "Ann", "department": "Sales"}"#)
            #expect(requests.first { $0.path == "/not-closed/8" }?.body == #"{"status": 2}"#)
        }
    }

    @Test("a division by zero makes that condition false and is reported; the event goes on (DESIGN §5 deviation 1)")
    func raisedErrorIsReported() async throws {
        let conditions = #"[{"type":"3","attr":"10 / {args.chat.status}","condition":"gt","value":"1"}]"#
        try await withServer(worker: .http, webhook: Fixture.webhook(configuration: conditions, alternative: 2)) { client, receiver in
            let outcome = try await send(client, Fixture.closeEvent(id: "zero", chat: 9, status: 0), worker: .http)
            let entry = outcome["webhooks"]?.arrayValue?.first
            #expect(entry?["valid"] == false)
            #expect(entry?["error"]?.stringValue?.isEmpty == false)
            #expect(entry?["branch"] == "alternative")
            #expect(try await receiver.waitFor(1).map(\.path) == ["/not-closed/9"])
        }
    }

    @Test(
        "a malformed condition is refused with 422 naming its index and field",
        arguments: [
            // Unknown operator.
            (#"[{"type":"3","attr":"{args.chat.status}","condition":"equals","value":"2"}]"#, "conditions[0].condition"),
            // Unknown type, in the second condition.
            (
                #"[{"type":"3","attr":"{args.chat.status}","condition":"eq","value":"2"},{"type":"7","attr":"1","condition":"eq","value":"1"}]"#,
                "conditions[1].type"
            ),
            // Unbalanced placeholder.
            (#"[{"type":"3","attr":"{args.chat.status","condition":"eq","value":"2"}]"#, "conditions[0].attr"),
            // Arithmetic that does not parse.
            (#"[{"type":"3","attr":"{args.chat.status}","condition":"eq","value":"2 +* 3"}]"#, "conditions[0].value"),
        ]
    )
    func malformedCondition(configuration: String, field: String) async throws {
        try await withConfiguredServer { client in
            let response = try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook(configuration: configuration))
            #expect(response.status == 422)
            #expect(response.body["error"]?["code"] == "invalid_conditions")
            #expect(response.body["error"]?["field"] == .string(field))
            #expect(response.body["error"]?["details"]?.arrayValue?.first?["field"] == .string(field))
            #expect(response.body["error"]?["message"]?.stringValue?.isEmpty == false)
            #expect(try await client.call(.get, "/api/v1/webhooks").body["items"]?.arrayValue?.isEmpty ?? true)
        }
    }

    @Test("a configuration the reference accepts but that looks wrong (\"logic\":\"OR\") is saved, with a warning naming the field")
    func suspiciousConditionWarned() async throws {
        try await withConfiguredServer { client in
            let conditions =
                #"[{"type":"3","attr":"{args.chat.status}","condition":"eq","value":"2","logic":"OR"},{"type":"3","attr":"1","condition":"eq","value":"1"}]"#
            let response = try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook(configuration: conditions))
            #expect(response.status == 201)
            let warnings = response.body["warnings"]?.arrayValue ?? []
            #expect(warnings.map { $0["field"] } == ["conditions[0].logic"])
        }
    }

    @Test("every problem is listed: the first names the field, details and the message carry the rest")
    func everyProblemListed() async throws {
        try await withConfiguredServer { client in
            let conditions = #"[{"type":"3","attr":"1","condition":"like_it","value":"1"},{"type":"9"}]"#
            let response = try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook(configuration: conditions))
            #expect(response.status == 422)
            #expect(response.body["error"]?["field"] == "conditions[0].condition")
            let details = response.body["error"]?["details"]?.arrayValue ?? []
            #expect(details.map { $0["field"] } == ["conditions[0].condition", "conditions[1].type"])
            #expect(response.body["error"]?["message"]?.stringValue?.contains("conditions[1].type") == true)
        }
    }

    @Test("a URL that fails validation after rendering is reported in the action outcome and not called")
    func invalidURLReported() async throws {
        try await withServer(worker: .http, webhook: Fixture.webhook()) { client, receiver in
            let trigger = #"{"name":"By nick","actions":[{"type":"restapi","content":{"rest_api":1,"rest_api_method":"nick_path"}}]}"#
            #expect(try await client.call(.put, "/api/v1/triggers/1", json: trigger).status == 200)
            let outcome = try await send(client, Fixture.closeEvent(id: "space", chat: 10, nick: "Ann Lee"), worker: .http)
            let action = outcome["webhooks"]?.arrayValue?.first?["trigger"]?["actions"]?.arrayValue?.first
            #expect(action?["status"] == "failed")
            #expect(action?["code"] == "invalid_url")
            #expect(action?["url"]?.stringValue?.hasSuffix("/by-nick/Ann Lee") == true)
            #expect(try await client.outbox().isEmpty, "the refused call never reached the outbox")
            #expect(receiver.requests.isEmpty)
        }
    }

    @Test("events queued while no worker runs are run by the next server on the same SQLite file, conditions and all")
    func restartWithQueuedEvents() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await Receiver.with { receiver, port in
            var first = testConfiguration(worker: .queue, databaseURL: database.url)
            first.runQueueWorkers = false
            let eventIDs = try await makeApp(first).test(.router) { client in
                try await configure(client, port: port, webhook: Fixture.webhook(configuration: Fixture.salesClosedConditions, alternative: 2))
                var ids: [Int] = []
                for (key, chat, department) in [("r-7", 7, 3), ("r-8", 8, 4)] {
                    let response = try await client.call(
                        .post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent(id: key, chat: chat, department: department))
                    #expect(response.status == 202)
                    ids.append(try #require(response.body["event_id"]?.intValue))
                }
                for id in ids {
                    #expect(try await client.call(.get, "/api/v1/events/\(id)", token: ingestToken).body["status"] == "queued")
                }
                #expect(try await client.outbox().isEmpty, "no worker ran them")
                return ids
            }
            #expect(receiver.requests.isEmpty)
            try await makeApp(testConfiguration(worker: .queue, databaseURL: database.url)).test(.router) { client in
                for eventID in eventIDs {
                    let outcome = try await waitForOutcome(client, eventID: eventID)
                    #expect(outcome["status"] == "done")
                }
                #expect(Set(try await receiver.waitFor(2).map(\.path)) == ["/closed/7?source=hookwork", "/not-closed/8"])
            }
        }
    }
}
