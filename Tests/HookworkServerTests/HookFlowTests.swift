import Foundation
import HTTPTypes
import HookworkCore
import HookworkEngine
import HookworkStore
import HummingbirdTesting
import Testing

@testable import HookworkServer

@Suite("Hook webhooks end to end")
struct HookFlowTests {
    @Test("http worker: the event runs the webhook in the request and the receiver gets the rendered call")
    func httpWorker() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await Receiver.with { receiver, port in
            let app = try await makeApp(testConfiguration(worker: .http, databaseURL: database.url))
            try await app.test(.router) { client in
                // Saved as "Chat.Close " it still matches chat.close (spec §1.3).
                try await configure(client, port: port, webhook: Fixture.webhook(event: "Chat.Close "))
                let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent)
                #expect(response.status == 200)
                let webhooks = response.body["outcome"]?["webhooks"]?.arrayValue ?? []
                #expect(webhooks.count == 1)
                #expect(webhooks.first?["valid"] == true)
                #expect(webhooks.first?["trigger"]?["actions"]?.arrayValue?.first?["status"] == "sent")
                #expect(webhooks.first?["trigger"]?["actions"]?.arrayValue?.first?["http_code"] == 200)
            }
            let requests = try await receiver.waitFor(1)
            #expect(requests.count == 1)
            #expect(requests.first?.method == "POST")
            #expect(requests.first?.path == "/closed/7?source=hookwork")
            #expect(requests.first?.headers["x-operator"] == "Olga")
            #expect(requests.first?.headers["content-type"] == "application/json")
            #expect(requests.first?.body == #"{"chat_id": 7, "nick": "Ann", "department": "Sales"}"#)
        }
    }

    @Test("queue worker: 202 with the event id, a worker runs it and records the outcome")
    func queueWorker() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await Receiver.with { receiver, port in
            let app = try await makeApp(testConfiguration(worker: .queue, databaseURL: database.url))
            try await app.test(.router) { client in
                try await configure(client, port: port)
                let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent)
                #expect(response.status == 202)
                #expect(response.body["status"] == "queued")
                let eventID = try #require(response.body["event_id"]?.intValue)
                let outcome = try await waitForOutcome(client, eventID: eventID)
                // The event's outcome records the call; a delivery worker makes it after the event completes.
                let action = outcome["outcome"]?["webhooks"]?.arrayValue?.first?["trigger"]?["actions"]?.arrayValue?.first
                #expect(action?["status"] == "queued")
                #expect(action?["message_id"]?.stringValue?.hasPrefix("msg_") == true)
                let requests = try await receiver.waitFor(1)
                #expect(requests.map(\.body) == [#"{"chat_id": 7, "nick": "Ann", "department": "Sales"}"#])
                #expect(requests.first?.headers["webhook-id"] == action?["message_id"]?.stringValue)
            }
        }
    }

    @Test("queue worker: a webhook's delay is a scheduled run, not a sleep")
    func delayedWebhook() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await Receiver.with { receiver, port in
            let app = try await makeApp(testConfiguration(worker: .queue, databaseURL: database.url))
            try await app.test(.router) { client in
                try await configure(client, port: port, webhook: Fixture.webhook(delay: 1))
                let started = ContinuousClock.now
                let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent)
                #expect(response.status == 202)
                let eventID = try #require(response.body["event_id"]?.intValue)
                let first = try await waitForOutcome(client, eventID: eventID)
                #expect(first["outcome"]?["scheduled_delays"] == [1])
                #expect(receiver.requests.isEmpty)
                let requests = try await receiver.waitFor(1, seconds: 5)
                #expect(requests.count == 1)
                // Due one second after arrival, in whole seconds: later than the first run, never before it.
                #expect(ContinuousClock.now - started > .zero)
                // The original event links its delayed run, and the delayed run names the original.
                var linked = JSONValue.null
                for _ in 0..<250 {
                    linked = try await client.call(.get, "/api/v1/events/\(eventID)", token: ingestToken).body
                    if linked["delayed_runs"]?.arrayValue?.first?["status"] == "done" { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                let run = try #require(linked["delayed_runs"]?.arrayValue?.first)
                #expect(run["delay"] == 1)
                #expect(run["status"] == "done")
                #expect(run["id"] == .string("hookwork:delay:\(eventID):1"))
                let delayedID = try #require(run["event_id"]?.intValue)
                let delayed = try await client.call(.get, "/api/v1/events/\(delayedID)", token: ingestToken).body
                #expect(delayed["outcome"]?["delayed_from"] == .int(eventID))
                #expect(delayed["outcome"]?["webhooks"]?.arrayValue?.first?["trigger"]?["actions"]?.arrayValue?.first?["status"] == "queued")
            }
        }
    }

    @Test("an event id seen before is acknowledged and not run again")
    func idempotency() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await Receiver.with { receiver, port in
            let app = try await makeApp(testConfiguration(worker: .http, databaseURL: database.url))
            try await app.test(.router) { client in
                try await configure(client, port: port)
                let first = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent)
                let second = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent)
                #expect(first.body["duplicate"] == false)
                #expect(second.status == 200)
                #expect(second.body["duplicate"] == true)
                #expect(second.body["event_id"] == first.body["event_id"])
                #expect(try await client.outbox().count == 1, "one call decided, by the first event only")
            }
            #expect(try await receiver.waitFor(1).count == 1)
        }
    }

    @Test("with webhooks disabled the event updates state but runs nothing")
    func webhooksDisabled() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        try await Receiver.with { receiver, port in
            var configuration = testConfiguration(worker: .queue, databaseURL: database.url)
            configuration.webhooksEnabled = false
            let app = try await makeApp(configuration)
            try await app.test(.router) { client in
                try await configure(client, port: port)
                let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent)
                #expect(response.status == 202)
                #expect(response.body["status"] == "stored")
                let chat = try await client.call(.get, "/api/v1/chats/7", token: ingestToken)
                #expect(chat.body["nick"] == "Ann")
                let event = try await client.call(.get, "/api/v1/events/\(try #require(response.body["event_id"]?.intValue))", token: ingestToken)
                #expect(event.body["outcome"]?["skipped"] == "webhooks_disabled")
                #expect(try await client.outbox().isEmpty, "no call was decided")
            }
            #expect(receiver.requests.isEmpty)
        }
    }

    @Test("an args.msg with a chat_id is stored and the chat's derived attributes resolve")
    func stateCarryingEvent() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(worker: .http, databaseURL: database.url))
        try await app.test(.router) { client in
            try await client.call(.put, "/api/v1/operators/5", token: ingestToken, json: #"{"name":"Olga","surname":"K","chat_nickname":""}"#)
            let event =
                #"{"event":"chat.addmsguser","args":{"chat":{"id":9,"user_id":5,"chat_variables":"{\"lang\":\"lt\"}","last_user_msg_time":100},"msg":{"id":40,"chat_id":9,"user_id":0,"msg":"hello","time":100}}}"#
            #expect(try await client.call(.post, "/api/v1/events", token: ingestToken, json: event).status == 200)
            let message = try await client.call(.get, "/api/v1/messages/40", token: ingestToken)
            #expect(message.body["msg"] == "hello")
            let attributes = try await client.call(.get, "/api/v1/chats/9/attributes", token: ingestToken)
            #expect(attributes.body["user"]?["name_official"] == "Olga K")
            #expect(attributes.body["user"]?["name_support"] == "Olga K")
            #expect(attributes.body["last_msg"]?["id"] == 40)
            #expect(attributes.body["last_msg_text"]?["msg"] == "hello")
            #expect(attributes.body["chat_variables_array"]?["lang"] == "lt")
            #expect(attributes.body["department"] == false)
        }
    }

    @Test("the event log: newest first, by name, paged by before_id, with each event's status and triggers run; bad parameters named")
    func eventLog() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(worker: .http, databaseURL: database.url))
        try await app.test(.router) { client in
            for (index, name) in ["chat.close", "chat.accept", "chat.close"].enumerated() {
                let event = #"{"event":"\#(name)","id":"log-\#(index)","args":{"chat":{"id":\#(10 + index),"status":1}}}"#
                #expect(try await client.call(.post, "/api/v1/events", token: ingestToken, json: event).status == 200)
            }
            let all = try await client.call(.get, "/api/v1/events").body
            #expect(all["events"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["log-2", "log-1", "log-0"])
            #expect(all["events"]?.arrayValue?.first?["chat_id"] == 12)
            #expect(all["events"]?.arrayValue?.first?["status"] == "done")
            let closes = try await client.call(.get, "/api/v1/events?name=chat.close&limit=1").body
            #expect(closes["events"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["log-2"])
            let before = try #require(closes["next_before_id"]?.intValue)
            let older = try await client.call(.get, "/api/v1/events?name=chat.close&limit=1&before_id=\(before)").body
            #expect(older["events"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["log-0"])
            let bad = try await client.call(.get, "/api/v1/events?limit=0")
            #expect(bad.status == 400)
            #expect(bad.body["error"]?["field"] == "limit")
            #expect(try await client.call(.get, "/api/v1/events", token: ingestToken).status == 403)
        }
    }
}
