import Foundation
import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkStore
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Testing

@testable import HookworkServer

/// A small deterministic generator (SplitMix64), so that the recorded hour is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

@Suite("Backtests: a webhook replayed over the stored history")
struct BacktestTests {
    let t0 = continuousStart

    /// An hour of eight bot chats: visitors write, the bot answers some of them (late or never), visitors go offline
    /// (no `lsync`), one chat is put on hold (`status_sub` 3), one closes. `changes[second]` are the records stored
    /// just before the pass of that second.
    static func recordedHour(start: Int) -> [Int: [(kind: EntityKind, id: Int, document: JSONObject)]] {
        var random = SeededGenerator(state: 42)
        var changes: [Int: [(kind: EntityKind, id: Int, document: JSONObject)]] = [:]
        var messageID = 1000
        for chat in 1...8 {
            var chatDocument: JSONObject = ["status": 5, "status_sub": 0, "dep_id": 3, "lsync": .int(start), "last_user_msg_time": .int(start - 30)]
            changes[0, default: []].append((.chat, chat, chatDocument))
            var second = Int.random(in: 0..<120, using: &random)
            var online = true
            while second < 3600 {
                // The visitor writes.
                messageID += 1
                chatDocument["last_user_msg_time"] = .int(start + second)
                chatDocument["last_msg_id"] = .int(messageID)
                if online { chatDocument["lsync"] = .int(start + second) }
                changes[second, default: []].append(
                    (.message, messageID, ["chat_id": .int(chat), "user_id": 0, "msg": "hello?", "time": .int(start + second)]))
                changes[second, default: []].append((.chat, chat, chatDocument))
                // Sometimes the bot answers, sometimes only after the minute has passed, sometimes not at all.
                let answer = Int.random(in: 0..<4, using: &random)
                if answer < 2 {
                    let delay = answer == 0 ? Int.random(in: 5..<50, using: &random) : Int.random(in: 70..<200, using: &random)
                    messageID += 1
                    var answered = chatDocument
                    answered["last_msg_id"] = .int(messageID)
                    let at = second + delay
                    changes[at, default: []].append(
                        (.message, messageID, ["chat_id": .int(chat), "user_id": -2, "msg": "I am here", "time": .int(start + at)]))
                    changes[at, default: []].append((.chat, chat, answered))
                    chatDocument = answered
                }
                // The visitor's page keeps `lsync` fresh while online; chat 3 goes offline after 20 minutes.
                if chat == 3, second > 1200 { online = false }
                second += Int.random(in: 40..<400, using: &random)
            }
            if chat == 5 {
                var held = chatDocument
                held["status_sub"] = 3
                changes[1500, default: []].append((.chat, chat, held))
            }
            if chat == 7 {
                var closed = chatDocument
                closed["status"] = 2
                changes[2400, default: []].append((.chat, chat, closed))
            }
        }
        return changes
    }

    @Test("the seed's bot-not-responding rule replayed over a recorded hour reproduces, chat by chat and second by second, the live firings")
    func seedRuleOverAnHour() async throws {
        try await ContinuousHarness.with { h in
            let webhook = try await h.webhook(
                #"{"name":"Bot not responding for 60 s","type":1,"trigger_id":1,"configuration":\#(botNotRespondingConditions)}"#)
            let changes = Self.recordedHour(start: t0)
            var latest: [Int: JSONObject] = [:]
            var live: [Backtester.Firing] = []
            for second in 0..<3600 {
                for change in changes[second] ?? [] {
                    try await h.store.put(change.kind, id: change.id, document: change.document)
                    if change.kind == .chat { latest[change.id] = change.document }
                }
                // Heartbeats keep lsync fresh for the chats whose visitor is online (not chat 3 after 20 minutes).
                if second % 30 == 15 {
                    for (id, var chat) in latest where !(id == 3 && second > 1200) && chat["status"] == 5 {
                        chat["lsync"] = .int(t0 + second)
                        latest[id] = chat
                        try await h.store.put(.chat, id: id, document: chat)
                    }
                }
                for path in try await h.pass(at: t0 + second) {
                    live.append(
                        Backtester.Firing(chatID: Int(path.split(separator: "/").last ?? "") ?? 0, time: t0 + second, branch: "trigger", triggerID: 1)
                    )
                }
            }
            #expect(live.count >= 20, "the hour makes the rule fire often enough to compare: \(live.count)")
            #expect(Set(live.map(\.chatID)).count >= 5, "on several chats")

            let stored = try #require(try await h.store.get(.webhook, id: webhook))
            let outcome = try await Backtester(store: h.store).run(document: stored, webhookID: webhook, since: t0, until: t0 + 3600)
            // Within one second the firings run concurrently: compare in (second, chat) order.
            func ordered(_ firings: [Backtester.Firing]) -> [Backtester.Firing] { firings.sorted { ($0.time, $0.chatID) < ($1.time, $1.chatID) } }
            live = ordered(live)
            #expect(ordered(outcome.wouldFire) == live, "the replay fires where and when the live rule fired")
            #expect(ordered(outcome.fired) == live, "the firing log, set beside it, holds the same firings")
            #expect(outcome.steps == 3600)

            // A changed rule (30 s instead of 60 s) fires earlier and more often on the same hour.
            var faster = stored
            faster["configuration"] = try JSONValue(parsing: botNotRespondingConditions.replacingOccurrences(of: "{time}-60", with: "{time}-30"))
            let changed = try await Backtester(store: h.store).run(document: faster, webhookID: webhook, since: t0, until: t0 + 3600)
            #expect(changed.wouldFire.count > live.count)
            #expect(ordered(changed.fired) == live, "what really fired does not depend on the replayed configuration")
        }
    }

    @Test("a hook webhook is replayed on the stored events of its name, against the chat as it was; over HTTP, with progress and cancel")
    func hookOverHTTP() async throws {
        try await Receiver.with { receiver, port in
            let database = temporaryDatabaseURL()
            defer { try? FileManager.default.removeItem(at: database.folder) }
            let app = try await makeApp(testConfiguration(databaseURL: database.url))
            try await app.test(.router) { client in
                let department3 = "[" + compare("{args.chat.dep_id}", "eq", "3") + "]"
                try await configure(client, port: port, webhook: Fixture.webhook(configuration: department3))
                let start = Int(Date().timeIntervalSince1970) - 1
                for (index, department) in [3, 4, 3].enumerated() {
                    let event = Fixture.closeEvent(id: "b-\(index)", chat: 50 + index, department: department)
                    #expect(try await client.call(.post, "/api/v1/events", token: ingestToken, json: event).status == 200)
                }
                _ = try await receiver.waitFor(2)
                let until = Int(Date().timeIntervalSince1970) + 1
                let answer = try await client.call(.post, "/api/v1/webhooks/1/backtest", json: #"{"since":\#(start),"until":\#(until)}"#)
                #expect(answer.status == 200, "\(answer.body)")
                #expect(answer.body["status"] == "done")
                let would = answer.body["would_fire"]?.arrayValue ?? []
                #expect(would.compactMap { $0["chat_id"]?.intValue } == [50, 52], "the chats of department 3")
                #expect(answer.body["totals"]?["fired"] == 2 && answer.body["totals"]?["same"] == 2, "\(answer.body)")

                // Not saved yet: every department, so all three events would have fired.
                let draft = Fixture.webhook(configuration: "[]")
                let replay = try await client.call(
                    .post, "/api/v1/webhooks/1/backtest", json: #"{"since":\#(start),"until":\#(until),"webhook":\#(draft)}"#)
                #expect(replay.body["totals"]?["would_fire"] == 3 && replay.body["totals"]?["only_would_fire"] == 1)
                let id = try #require(replay.body["backtest_id"]?.intValue)
                #expect(try await client.call(.get, "/api/v1/backtests/\(id)").body["status"] == "done")
                let saved = try await client.call(.get, "/api/v1/webhooks/1").body
                #expect(saved["configuration"]?.arrayValue?.count == 1, "the draft is not saved")

                let bad = try await client.call(.post, "/api/v1/webhooks/1/backtest", json: #"{"since":\#(until),"until":\#(start)}"#)
                #expect(bad.status == 422 && bad.body["error"]?["field"] == "since")
                let invalid = try await client.call(
                    .post, "/api/v1/webhooks/1/backtest", json: #"{"since":\#(start),"webhook":{"type":1,"trigger_id":99}}"#)
                #expect(invalid.status == 422 && invalid.body["error"]?["field"] == "webhook.trigger_id")
                #expect(try await client.call(.get, "/api/v1/backtests/999").status == 404)
            }
        }
    }

    @Test("a long backtest reports progress and stops when cancelled")
    func progressAndCancel() async throws {
        try await ContinuousHarness.with { h in
            let webhook = try await h.webhook(continuousWebhook("[" + compare("{args.chat.status}", "eq", "1") + "]"))
            for id in 1...50 { try await h.store.put(.chat, id: id, document: ["status": 1]) }
            try await h.pass(at: t0)
            let stored = try #require(try await h.store.get(.webhook, id: webhook))
            let jobs = BacktestJobs()
            let backtester = Backtester(store: h.store)
            let background = BackgroundWork()
            let services = ServiceGroup(configuration: .init(services: [background], logger: Logger(label: "backtest-jobs")))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await services.run() }
                func start() async throws -> Int {
                    // The service takes work once it runs.
                    let deadline = ContinuousClock.now + .seconds(10)
                    while true {
                        do {
                            return try jobs.start(in: background, webhookID: webhook, since: t0, until: t0 + 13 * 86_400, tick: 1, now: t0) {
                                progress in
                                try await backtester.run(document: stored, webhookID: webhook, since: t0, until: t0 + 13 * 86_400, progress: progress)
                            }
                        } catch BacktestJobs.Refusal.stopping where ContinuousClock.now < deadline {
                            try await Task.sleep(for: .milliseconds(10))
                        }
                    }
                }
                let id = try await start()
                // 13 days × 50 chats takes far longer than this test waits: progress shows while it runs.
                let deadline = ContinuousClock.now + .seconds(20)
                while (jobs.job(id)?.progress ?? 0) == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                let running = try #require(jobs.job(id))
                #expect(running.status == .running)
                #expect(running.progress > 0 && running.progress < 1)
                #expect(jobs.cancel(id))
                await jobs.wait(id, milliseconds: 5_000)
                #expect(jobs.job(id)?.status == .cancelled)

                // A graceful shutdown cancels a running backtest and waits for it; then no new one starts.
                let second = try await start()
                #expect(jobs.job(second)?.status == .running)
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                #expect(jobs.job(second)?.status == .cancelled, "the shutdown waited for the job, which ended cancelled")
                #expect(throws: BacktestJobs.Refusal.self) {
                    try jobs.start(in: background, webhookID: webhook, since: t0, until: t0 + 60, tick: 1, now: t0) { _ in
                        throw CancellationError()
                    }
                }
            }
        }
    }
}
