import Foundation
import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkStore
import ServiceLifecycle
import Synchronization
import Testing

@testable import HookworkServer

/// A mail server stand-in that accepts everything (the SMTP client is tested on its own).
struct AcceptingMail: MailSender {
    let sent = Setting<[MailEnvelope]>([])
    func send(_ envelope: MailEnvelope) async throws -> MailReceipt {
        sent.value.withLock { $0.append(envelope) }
        return MailReceipt(code: 250, reply: "2.0.0 queued")
    }
}

/// Adds a signed callback command after every delivered call, as the output rules will.
struct CallbackOnSuccess: DeliveryCompletionHandler {
    let target: CallbackTarget
    func deliveryFinished(_ completion: DeliveryCompletion, effects: Effects) async throws {
        guard completion.status == .delivered, completion.kind == .restapi else { return }
        effects.call(
            target.call(
                command: JSONObject([("command", "set_attribute"), ("status", .int(completion.statusCode ?? 0))]),
                chatID: completion.origin.chatID, webhookID: completion.origin.webhookID,
                messageID: effects.messageID("callback")
            )
        )
    }
}

@Suite("Delivery worker, mail, callbacks and retention")
struct DeliveryWorkerTests {
    /// Runs `body` with a migrated SQLite store in a temporary folder.
    func withStore(_ body: (SQLStore) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hookwork-worker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try await SQLiteStore.open(path: folder.appendingPathComponent("hookwork.sqlite").path, logger: testLogger)
        try await store.migrate()
        do {
            try await body(store)
        } catch {
            try? await store.shutdown()
            throw error
        }
        try await store.shutdown()
    }

    func claimAll(_ store: SQLStore, now: Int) async throws -> [DeliveryRecord] {
        try await store.claimDeliveries(DeliveryClaim(limit: 100, now: now, worker: "test", leaseSeconds: 60))
    }

    @Test("a mail delivery without a mail sender is exhausted with an error that says so; with one it is delivered")
    func mail() async throws {
        try await withStore { store in
            let clock = ManualClock()
            let envelope = MailEnvelope(from: "bot@example.com", to: ["ann@example.com"], subject: "Chat 7 closed", body: "Bye")
            let call = OutboundCall(kind: .mail, payload: .mail(envelope), origin: CallOrigin(json: JSONObject([("chat_id", 7)])))
            let ids = try await store.commit(UnitOfWork(deliveries: [call.newDelivery()]), now: clock.now())
            let without = DeliveryAttempter(store: store, sender: FailingHTTP(), clock: clock, breakers: BreakerRegistry(), logger: testLogger)
            let first = try #require(try await claimAll(store, now: clock.now()).first)
            let result = try #require(await without.attempt(first))
            #expect(result.status == .exhausted)
            #expect(result.error?.contains("no mail sender is configured") == true)
            let record = try #require(try await store.delivery(id: ids[0]))
            #expect(record.method == "SMTP")
            #expect(record.url == "mailto:ann@example.com")

            let mail = AcceptingMail()
            let with = DeliveryAttempter(
                store: store, sender: FailingHTTP(), mailSender: mail, clock: clock, breakers: BreakerRegistry(), logger: testLogger)
            _ = try await store.replayDelivery(id: ids[0], now: clock.now())
            let second = try #require(try await claimAll(store, now: clock.now()).first)
            #expect(await with.attempt(second)?.status == .delivered)
            #expect(mail.sent.current == [envelope])
            #expect(try await store.deliveryAttempts(id: ids[0]).last?.response?["status"] == 250)
        }
    }

    @Test("the completion hook's calls are committed with the outcome: a signed callback command reaches the platform")
    func completionHookAndCallback() async throws {
        try await withStore { store in
            try await Receiver.with { receiver, port in
                let secret = DeliveryFixture.secret()
                let target = CallbackTarget(url: "http://127.0.0.1:\(port)/callback", secrets: [secret])
                let sender = AsyncHTTPSender(logger: testLogger, addressPolicy: loopbackAllowed)
                do {
                    try await checkCallback(sender: sender, store: store, receiver: receiver, target: target, secret: secret, port: port)
                } catch {
                    try? await sender.shutdown()
                    throw error
                }
                try await sender.shutdown()
            }
        }
    }

    func checkCallback(sender: AsyncHTTPSender, store: SQLStore, receiver: Receiver, target: CallbackTarget, secret: String, port: Int) async throws {
        let clock = WallClock()
        let attempter = DeliveryAttempter(
            store: store, sender: sender, clock: clock, breakers: BreakerRegistry(),
            completion: CallbackOnSuccess(target: target), logger: testLogger,
            signingSecrets: ConfiguredSigningSecrets(store: store, callbackSecrets: target.secrets)
        )
        let request = OutboundRequest(method: "POST", url: "http://127.0.0.1:\(port)/hook", body: Array("{}".utf8))
        let call = OutboundCall(kind: .restapi, payload: .http(request), origin: CallOrigin(json: JSONObject([("chat_id", 7), ("webhook_id", 3)])))
        _ = try await store.commit(UnitOfWork(deliveries: [call.newDelivery()]), now: clock.now())
        for record in try await claimAll(store, now: clock.now()) { await attempter.attempt(record) }
        let followUps = try await claimAll(store, now: clock.now())
        #expect(followUps.map(\.kind) == [.callback])
        #expect(followUps.first?.chatID == 7)
        for record in followUps { await attempter.attempt(record) }
        let requests = try await receiver.waitFor(2)
        let callback = try #require(requests.first { $0.path == "/callback" })
        // The command carries its number in the chat's command stream, signed with the rest of the body.
        #expect(callback.body == #"{"command":"set_attribute","status":200,"chat_id":7,"webhook_id":3,"sequence":1}"#)
        let signature = try StandardWebhooks.signature(
            messageID: callback.headers["webhook-id"] ?? "", timestamp: Int(callback.headers["webhook-timestamp"] ?? "") ?? 0,
            body: Array(callback.body.utf8), secrets: [secret]
        )
        #expect(callback.headers["webhook-signature"] == signature)
    }

    @Test("on graceful shutdown the worker stops claiming and finishes the attempt under way")
    func gracefulDrain() async throws {
        try await withStore { store in
            let released = Setting(false)
            try await Receiver.with(respond: { _ in
                while !released.current { try? await Task.sleep(for: .milliseconds(10)) }
                return (200, [])
            }) { receiver, port in
                let clock = WallClock()
                let breakers = BreakerRegistry()
                let sender = AsyncHTTPSender(logger: testLogger, addressPolicy: loopbackAllowed)
                let attempter = DeliveryAttempter(store: store, sender: sender, clock: clock, breakers: breakers, logger: testLogger)
                let calls = (0..<3).map { index in
                    OutboundCall(
                        kind: .restapi,
                        payload: .http(OutboundRequest(method: "POST", url: "http://127.0.0.1:\(port)/n/\(index)", timeoutSeconds: 30)))
                }
                _ = try await store.commit(UnitOfWork(deliveries: calls.map { $0.newDelivery() }), now: clock.now())
                let worker = DeliveryWorker(
                    store: store, attempter: attempter, clock: clock, breakers: breakers, logger: testLogger, concurrency: 1,
                    pollInterval: .milliseconds(10), name: "drain"
                )
                let group = ServiceGroup(configuration: .init(services: [worker], logger: testLogger))
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    _ = try await receiver.waitFor(1)
                    await group.triggerGracefulShutdown()
                    released.current = true
                    try await tasks.waitForAll()
                }
                try await sender.shutdown()
                #expect(receiver.requests.count == 1, "nothing new is claimed after the shutdown began")
                let statuses = try await store.deliveries(DeliveryQuery()).map(\.status)
                #expect(statuses.filter { $0 == .delivered }.count == 1, "the attempt under way finished and was recorded")
                #expect(statuses.filter { $0 == .pending }.count == 2)
            }
        }
    }

    @Test("a burst of calls to a hanging host takes only its share of the slots; a call to a healthy host recorded after them still goes")
    func burstToHangingHost() async throws {
        try await withStore { store in
            let released = Setting(false)
            try await Receiver.with(respond: { _ in
                while !released.current { try? await Task.sleep(for: .milliseconds(10)) }
                return (200, [])
            }) { hanging, hangingPort in
                try await Receiver.with { healthy, healthyPort in
                    let clock = WallClock()
                    let breakers = BreakerRegistry()
                    let sender = AsyncHTTPSender(logger: testLogger, addressPolicy: loopbackAllowed)
                    let attempter = DeliveryAttempter(store: store, sender: sender, clock: clock, breakers: breakers, logger: testLogger)
                    var calls = (0..<8).map { index in
                        OutboundCall(
                            kind: .restapi,
                            payload: .http(OutboundRequest(method: "POST", url: "http://127.0.0.1:\(hangingPort)/n/\(index)", timeoutSeconds: 30)))
                    }
                    calls.append(
                        OutboundCall(kind: .restapi, payload: .http(OutboundRequest(method: "POST", url: "http://127.0.0.1:\(healthyPort)/ok"))))
                    _ = try await store.commit(UnitOfWork(deliveries: calls.map { $0.newDelivery() }), now: clock.now())
                    let worker = DeliveryWorker(
                        store: store, attempter: attempter, clock: clock, breakers: breakers, logger: testLogger, concurrency: 4,
                        pollInterval: .milliseconds(10), name: "burst"
                    )
                    let group = ServiceGroup(configuration: .init(services: [worker], logger: testLogger))
                    try await withThrowingTaskGroup(of: Void.self) { tasks in
                        tasks.addTask { try await group.run() }
                        #expect(try await healthy.waitFor(1).count == 1, "the healthy call is made while the hanging ones wait")
                        #expect(hanging.requests.count == 2, "the hanging host holds two of the four slots")
                        released.current = true
                        _ = try await hanging.waitFor(8)
                        await group.triggerGracefulShutdown()
                        try await tasks.waitForAll()
                    }
                    try await sender.shutdown()
                    let records = try await store.deliveries(DeliveryQuery())
                    #expect(records.allSatisfy { $0.status == .delivered && $0.attempts == 1 }, "released claims did not use up attempt numbers")
                }
            }
        }
    }

    @Test("retention deletes delivered records older than the configured age, and nothing else")
    func retention() async throws {
        try await withStore { store in
            let clock = ManualClock()
            let calls = (0..<3).map { _ in OutboundCall(kind: .restapi, payload: .http(OutboundRequest(method: "POST", url: "http://127.0.0.1:9/x")))
            }
            let ids = try await store.commit(UnitOfWork(deliveries: calls.map { $0.newDelivery() }), now: clock.now())
            let claimed = try await claimAll(store, now: clock.now())
            let attempt = DeliveryAttemptRecord(number: 1, startedAt: clock.now(), durationMilliseconds: 1, request: .null, response: nil, error: nil)
            _ = try await store.finishAttempt(
                AttemptFinish(
                    deliveryID: claimed[0].id, attempt: attempt, status: .delivered, nextAttemptAt: nil, statusCode: 200, error: nil, now: clock.now()
                ),
                followUp: UnitOfWork()
            )
            _ = try await store.finishAttempt(
                AttemptFinish(
                    deliveryID: claimed[1].id, attempt: attempt, status: .exhausted, nextAttemptAt: nil, statusCode: 400, error: "HTTP 400",
                    now: clock.now()),
                followUp: UnitOfWork()
            )
            let retention = DeliveryRetention(store: store, clock: clock, logger: testLogger, days: 7)
            clock.advance(7 * 86_400 - 1)
            #expect(await retention.purge() == 0)
            clock.advance(2)
            #expect(await retention.purge() == 1)
            #expect(try await store.delivery(id: ids[0]) == nil)
            #expect(try await store.deliveries(DeliveryQuery()).count == 2, "exhausted and pending deliveries are kept")
        }
    }
}

/// An HTTP sender that is never reached.
struct FailingHTTP: HTTPSender {
    func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        throw StoreError(code: "unavailable", message: "no HTTP in this test")
    }
}
