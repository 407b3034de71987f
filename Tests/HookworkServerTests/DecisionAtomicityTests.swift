import Foundation
import HTTPTypes
import HookworkCore
import HookworkDelivery
import HookworkStore
import HummingbirdTesting
import Testing

@testable import HookworkEngine
@testable import HookworkServer

/// A store on a fresh SQLite file with an engine whose callback URL is set, chat 7 (open, department 3) and trigger 3,
/// which writes a bot message and sets a chat variable.
struct ChangingHarness {
    let store: any Store
    let engine: CommandEngine

    static let trigger = triggerJSON(
        "Change the chat",
        [
            #"{"type":"text","content":{"text":"Hello {args.chat.nick}"}}"#,
            #"{"type":"command","content":{"command":"chatvariable","payload":"{\"seen\":\"yes\"}"}}"#,
        ])

    static func with(status: Int, _ body: @Sendable (ChangingHarness) async throws -> Void) async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let store = try await SQLiteStore.open(path: String(database.url.dropFirst("sqlite://".count)), logger: testLogger)
        let sender = AsyncHTTPSender(logger: testLogger, addressPolicy: loopbackAllowed)
        do {
            try await store.migrate()
            var configuration = HookworkConfiguration()
            configuration.callbackURL = "http://127.0.0.1:9/commands"
            let engine = makeCommandEngine(configuration: configuration, store: store, sender: sender, logger: testLogger)
            try await store.put(.chat, id: 7, document: ["id": 7, "nick": "Ann", "status": .int(status), "dep_id": 3])
            try await store.put(.department, id: 3, document: ["name": "Sales"])
            try await store.put(.trigger, id: 3, document: try object(trigger))
            try await body(ChangingHarness(store: store, engine: engine))
        } catch {
            try? await store.shutdown()
            try? await sender.shutdown()
            throw error
        }
        try await store.shutdown()
        try await sender.shutdown()
    }

    /// The stored chat 7, its messages and the callback commands recorded for it.
    func chatState() async throws -> (chat: JSONObject, messages: [JSONObject], commands: [String]) {
        let chat = try #require(try await store.get(.chat, id: 7))
        let messages = try await store.list(.message, query: EntityQuery(chatID: 7))
        let deliveries = try await store.deliveries(DeliveryQuery(chatID: 7))
        let commands = deliveries.filter { $0.kind == .callback }.compactMap { $0.context["command"]?.stringValue }.sorted()
        return (chat, messages, commands)
    }

    /// Checks that chat 7 was changed exactly once by trigger 3 (one bot message, the variable, two commands).
    func expectChangedOnce() async throws {
        let state = try await chatState()
        #expect(state.messages.count == 1)
        #expect(state.messages.first?["msg"] == "Hello Ann")
        #expect(state.chat["last_msg_id"] != nil && state.chat["last_msg_id"]?.looseInt == state.messages.first?["id"]?.looseInt)
        #expect(try JSONValue(parsing: state.chat["chat_variables"]?.stringValue ?? "{}")["seen"] == "yes")
        #expect(state.commands == ["chatvariable", "text"])
    }

    /// Checks that chat 7 is as stored at the start.
    func expectUnchanged() async throws {
        let state = try await chatState()
        #expect(state.messages.isEmpty)
        #expect(state.chat["last_msg_id"] == nil)
        #expect(state.chat["chat_variables"] == nil)
        #expect(state.commands.isEmpty)
    }
}

@Suite("A decision's chat changes commit with it or not at all")
struct DecisionAtomicityTests {
    @Test("continuous: a firing whose ledger slot another process claimed leaves the chat unchanged and records no callback")
    func lostClaim() async throws {
        try await ChangingHarness.with(status: 1) { harness in
            let firing = ContinuousFiring(store: harness.store, executor: harness.engine.executor, logger: testLogger)
            let chat = try #require(try await ChatAssembler(store: harness.store).chat(id: 7, now: continuousStart)).chat
            // The other process wins the slot first.
            #expect(try await harness.store.claimFiring(webhookID: 9, chatID: 7, branch: .trigger, everySeconds: nil, now: continuousStart))
            let lost = try await firing.fire(
                webhookID: 9, chatID: 7, branch: .trigger, policy: FiringPolicy(kind: .once), triggerID: 3, chat: chat, now: continuousStart)
            guard case .alreadyClaimed = lost else {
                Issue.record("the firing should have lost its claim, got \(lost)")
                return
            }
            try await harness.expectUnchanged()
            // The same firing on a free slot changes the chat, once, with its commands.
            let won = try await firing.fire(
                webhookID: 10, chatID: 7, branch: .trigger, policy: FiringPolicy(kind: .once), triggerID: 3, chat: chat, now: continuousStart)
            guard case .fired(let report) = won else {
                Issue.record("the firing should have fired, got \(won)")
                return
            }
            #expect(report.succeeded)
            try await harness.expectChangedOnce()
            // The activity view counts the continuous firing that was committed, not the one that lost its claim.
            let buckets = try await harness.store.activity(start: continuousStart - 60, bucketSeconds: 300, count: 1)
            #expect(buckets.map(\.firings) == [1])
        }
    }

    @Test("an event raised inline by a chat-changing action sees the change before it is committed (variables and the new message)")
    func inlineEventSeesPendingChange() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            let stage = #"{"type":"command","content":{"command":"chatvariable","payload":"{\"stage\":\"bot\"}"}}"#
            let text = #"{"type":"text","content":{"text":"Hi {args.chat.chat_variables_array.stage}"}}"#
            let seen = #"{"type":"command","content":{"command":"chatvariable","payload":"{\"seen\":\"{args.chat.last_msg.msg}\"}"}}"#
            #expect(try await client.call(.post, "/api/v1/triggers", json: triggerJSON("Greet", [stage, text])).status == 201)
            #expect(try await client.call(.post, "/api/v1/triggers", json: triggerJSON("Seen", [seen])).status == 201)
            #expect(try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook()).status == 201)
            // Runs only when the announced chat already has the variable and the new message as its last one.
            let conditions =
                "[" + compare("{args.chat.chat_variables_array.stage}", "eq", "bot") + "," + compare("{args.chat.last_msg.msg}", "eq", "Hi bot") + "]"
            let echo = #"{"name":"Echo","event":"chat.web_add_msg_admin","type":0,"trigger_id":2,"configuration":\#(conditions)}"#
            #expect(try await client.call(.post, "/api/v1/webhooks", json: echo).status == 201)
            let response = try await client.call(.post, "/api/v1/events", token: ingestToken, json: Fixture.closeEvent)
            #expect(response.status == 200)
            let chat = try await client.call(.get, "/api/v1/chats/7", token: ingestToken).body
            let variables = try JSONValue(parsing: chat["chat_variables"]?.stringValue ?? "{}")
            #expect(variables["stage"] == "bot")
            #expect(variables["seen"] == "Hi bot")
        }
    }

    @Test("queue mode: when the event's unit of work fails to commit, the chat is unchanged; the re-run changes it once")
    func failedCommit() async throws {
        try await ChangingHarness.with(status: 2) { harness in
            let webhook = Fixture.webhook().replacingOccurrences(of: #""trigger_id":1"#, with: #""trigger_id":3"#)
            let document = try await ConfigurationValidator(store: harness.store).webhook(try object(webhook))
            _ = try await harness.store.insert(.webhook, document: document)
            let dispatcher = Dispatcher(store: harness.store, executor: harness.engine.executor, logger: testLogger)
            let worker = QueueWorker(
                store: harness.store, runner: EventRunner(store: harness.store, dispatcher: dispatcher, logger: testLogger),
                clock: ManualClock(continuousStart), logger: testLogger, name: "test")
            let args = try #require(try JSONValue(parsing: Fixture.closeEvent)["args"])
            // An event whose completion cannot be written (its row is gone): the commit fails after the trigger ran.
            await worker.process(
                StoredEvent(sequence: 999, key: nil, name: "chat.close", args: args, receivedAt: continuousStart, runAt: continuousStart, attempts: 1)
            )
            try await harness.expectUnchanged()

            _ = try await harness.store.enqueueEvent(
                key: "evt-1", name: "chat.close", args: args, receivedAt: continuousStart, runAt: continuousStart)
            let claimed = try await harness.store.claimEvents(limit: 1, now: continuousStart, worker: "test", leaseSeconds: 60)
            try #require(claimed.count == 1)
            await worker.process(claimed[0])
            try await harness.expectChangedOnce()
        }
    }
}
