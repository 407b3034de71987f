import ArgumentParser
import Foundation
import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkServer
import HookworkStore
import Logging
import Synchronization

/// `hookwork cron webhooks|stats`: one pass of what `serve`'s scheduler does, for people who drive it from cron as
/// Live Helper Chat does (spec §5.1, §9.2).
struct Cron: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one continuous pass or one statistics run on the configured database, then exit.",
        subcommands: [CronWebhooks.self, CronStats.self]
    )
}

/// `hookwork cron webhooks`: exactly one pass over open chats and new mail, then exit.
struct CronWebhooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Evaluate continuous chat and mail webhooks once and run their triggers; prints one JSON line."
    )

    func run() async throws {
        let configuration = try HookworkConfiguration.fromEnvironment()
        let logger = configuration.makeLogger()
        try await withCommandStore(configuration, logger: logger) { store in
            let sender = AsyncHTTPSender(logger: logger, addressPolicy: configuration.addressPolicy)
            do {
                let engine = makeCommandEngine(configuration: configuration, store: store, sender: sender, logger: logger)
                let clock = WallClock()
                // The calls the pass decided are committed with its ledger claims; this command then makes their
                // first attempt before it exits (failures are retried by `serve` or `hookwork worker`).
                let decided = Mutex<[Int]>([])
                let scheduler = ContinuousScheduler(
                    store: store, executor: engine.executor, clock: clock, logger: logger, options: configuration.continuousOptions,
                    deliverNow: { ids in decided.withLock { $0 += ids } }
                )
                let report = try await scheduler.runPass(now: clock.now())
                let attempts = await engine.attempter.attemptNow(
                    ids: decided.withLock { $0 }, worker: "cron-\(ProcessInfo.processInfo.processIdentifier)")
                let fired = report.fired.map {
                    JSONValue.object(["webhook_id": .int($0.webhookID), "id": .int($0.id), "branch": .string($0.branch.rawValue)])
                }
                let line: JSONValue = [
                    "chats": .int(report.chats), "mail_messages": .int(report.mailMessages), "webhooks": .int(report.webhooks),
                    "evaluations": .int(report.evaluations), "fired": .array(fired), "episodes_ended": .int(report.episodesEnded),
                    "mail_purged": .int(report.mailPurged), "calls": .int(decided.withLock { $0.count }),
                    "delivered": .int(attempts.values.filter { $0.status == .delivered }.count),
                ]
                print(line.jsonText())
            } catch {
                try? await sender.shutdown()
                throw error
            }
            try await sender.shutdown()
        }
    }
}

/// `hookwork cron stats`: the department averages once (spec §9.2), then exit.
struct CronStats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Compute and store avg_chat_duration and avg_wait_time of every active department; prints one JSON line."
    )

    func run() async throws {
        let configuration = try HookworkConfiguration.fromEnvironment()
        let logger = configuration.makeLogger()
        try await withCommandStore(configuration, logger: logger) { store in
            let averages = try await DepartmentStatistics(store: store, logger: logger).run(now: WallClock().now())
            let departments = averages.keys.sorted().map { id in
                JSONValue.object([
                    "department_id": .int(id), "avg_chat_duration": averages[id]?.avgChatDuration.map(JSONValue.int) ?? .null,
                    "avg_wait_time": averages[id]?.avgWaitTime.map(JSONValue.int) ?? .null,
                ])
            }
            print(JSONValue.object(["departments": .array(departments)]).jsonText())
        }
    }
}

/// Opens and migrates the configured store, runs `body`, and closes the store whatever happens.
func withCommandStore(_ configuration: HookworkConfiguration, logger: Logger, _ body: (any Store) async throws -> Void) async throws {
    let store = try await makeStore(url: configuration.databaseURL, logger: logger)
    do {
        try await store.migrate()
        try await body(store)
    } catch {
        try? await store.shutdown()
        throw error
    }
    try await store.shutdown()
}
