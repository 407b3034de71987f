import Foundation
import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkStore
import Synchronization
import Testing

@testable import HookworkServer

/// The ids of the deliveries firings committed, until a pass attempts them.
final class DecidedCalls: Sendable {
    let ids = Mutex<[Int]>([])
    func add(_ new: [Int]) { ids.withLock { $0 += new } }
    func take() -> [Int] {
        ids.withLock { ids in
            defer { ids = [] }; return ids
        }
    }
}

/// The unix time the continuous tests start at.
let continuousStart = 1_732_450_000

/// A scheduler on a real SQLite file whose triggers call a real local receiver: trigger 1 calls
/// `POST /closed/{chat id}`, trigger 2 (the alternative) `POST /not-closed/{chat id}`.
struct ContinuousHarness {
    let store: any Store
    let scheduler: ContinuousScheduler
    let firing: ContinuousFiring
    let receiver: Receiver
    let path: String
    let sender: AsyncHTTPSender
    /// Makes the first attempt of the calls a pass committed, as `serve` does right after a firing.
    let attempter: DeliveryAttempter
    let decided: DecidedCalls

    /// Runs `body` with a fresh database (Rest API, both triggers and department 3 stored) and a receiver.
    static func with(_ body: @Sendable (ContinuousHarness) async throws -> Void) async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let path = String(database.url.dropFirst("sqlite://".count))
        try await Receiver.with { receiver, port in
            let sender = AsyncHTTPSender(logger: testLogger, addressPolicy: loopbackAllowed)
            let harness: ContinuousHarness
            do {
                harness = try await open(path: path, receiver: receiver, sender: sender)
            } catch {
                try? await sender.shutdown()
                throw error
            }
            do {
                try await harness.store.put(.restAPI, id: 1, document: try object(Fixture.restAPI(port: port)))
                try await harness.store.put(.trigger, id: 1, document: try object(Fixture.trigger))
                try await harness.store.put(.trigger, id: 2, document: try object(Fixture.alternativeTrigger))
                try await harness.store.put(.department, id: 3, document: ["name": "Sales"])
                try await body(harness)
            } catch {
                try? await harness.store.shutdown()
                try? await sender.shutdown()
                throw error
            }
            try await harness.store.shutdown()
            try await sender.shutdown()
        }
    }

    /// A scheduler on the SQLite file at `path`, as a separate process would open it.
    static func open(path: String, receiver: Receiver, sender: AsyncHTTPSender) async throws -> ContinuousHarness {
        let store = try await SQLiteStore.open(path: path, logger: testLogger)
        try await store.migrate()
        let engine = makeCommandEngine(configuration: HookworkConfiguration(), store: store, sender: sender, logger: testLogger)
        let decided = DecidedCalls()
        // Every pass keeps the chat history, as `serve` does, so that backtests can replay what these tests ran.
        var options = ContinuousOptions()
        options.historyDays = 14
        let scheduler = ContinuousScheduler(
            store: store, executor: engine.executor, clock: ManualClock(continuousStart), logger: testLogger, options: options,
            deliverNow: { decided.add($0) }
        )
        return ContinuousHarness(
            store: store, scheduler: scheduler,
            firing: ContinuousFiring(store: store, executor: engine.executor, logger: testLogger, deliverNow: { decided.add($0) }),
            receiver: receiver, path: path, sender: sender, attempter: engine.attempter, decided: decided)
    }

    /// Saves a webhook through the validator, as the API does; returns its id.
    @discardableResult
    func webhook(_ json: String) async throws -> Int {
        let document = try await ConfigurationValidator(store: store).webhook(try object(json))
        return try await store.insert(.webhook, document: document)
    }

    /// Runs one pass at `time` and returns the paths the receiver got during it.
    @discardableResult
    func pass(at time: Int) async throws -> [String] {
        let before = receiver.requests.count
        try await scheduler.runPass(now: time)
        let ids = decided.take()
        let attempted = await attempter.attemptNow(ids: ids, worker: "test")
        // A server's own delivery worker on the same database may have claimed a call first; wait for it to arrive.
        if attempted.count < ids.count { _ = try await receiver.waitFor(before + ids.count) }
        return receiver.requests.dropFirst(before).map { String($0.path.split(separator: "?").first ?? "") }
    }
}

/// A JSON object from text.
func object(_ json: String) throws -> JSONObject {
    guard case .object(let object) = try JSONValue(parsing: json) else { throw ContinuousTestError(message: "not an object: \(json)") }
    return object
}

struct ContinuousTestError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A continuous chat webhook (type 1) with these conditions, trigger 1 and optionally the alternative trigger 2.
func continuousWebhook(_ conditions: String, firing: String? = nil, alternative: Int = 0, alternativeFiring: String? = nil, type: Int = 1) -> String {
    var json = #"{"name":"continuous","type":\#(type),"bot_id":1,"trigger_id":1,"trigger_id_alt":\#(alternative),"configuration":\#(conditions)"#
    if let firing { json += #","firing":\#(firing)"# }
    if let alternativeFiring { json += #","alternative_firing":\#(alternativeFiring)"# }
    return json + "}"
}

/// A compare-attribute condition as Live Helper Chat stores it.
func compare(_ attr: String, _ op: String, _ value: String, logic: String = "and") -> String {
    #"{"type":"3","attr":"\#(attr)","condition":"\#(op)","value":"\#(value)","logic":"\#(logic)"}"#
}

/// A "Visitor message contains" condition.
func contains(_ pattern: String) -> String {
    #"{"type":"1","message_contains":"\#(pattern)","logic":"and"}"#
}
