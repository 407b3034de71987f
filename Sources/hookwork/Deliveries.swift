import ArgumentParser
import Foundation
import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkServer
import HookworkStore
import Logging

/// `hookwork deliveries ...`: the delivery log on the database of `HOOKWORK_DATABASE_URL`, without a server.
struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show, replay and cancel deliveries (the database of HOOKWORK_DATABASE_URL).",
        subcommands: [List.self, Show.self, Replay.self, ReplayFailed.self, Exhausted.self, Cancel.self]
    )

    /// Opens and migrates the configured store, runs `body`, closes the store.
    static func withStore<T>(_ body: (any Store) async throws -> T) async throws -> T {
        let configuration = try HookworkConfiguration.fromEnvironment()
        var logger = Logger(label: "hookwork")
        logger.logLevel = .warning
        let store = try await makeStore(url: configuration.databaseURL, logger: logger)
        do {
            try await store.migrate()
            let result = try await body(store)
            try await store.shutdown()
            return result
        } catch {
            try? await store.shutdown()
            throw error
        }
    }

    static func status(_ text: String?) throws -> DeliveryStatus? {
        guard let text else { return nil }
        guard let status = DeliveryStatus(rawValue: text) else {
            throw ValidationError("--status must be one of \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", ")); got '\(text)'")
        }
        return status
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliveries, newest first, one JSON line each.")
        @Option(help: "pending, delivered, failed, exhausted or cancelled.") var status: String?
        @Option(name: .customLong("webhook-id"), help: "Only this webhook's.") var webhookID: Int?
        @Option(name: .customLong("chat-id"), help: "Only this chat's.") var chatID: Int?
        @Option(help: "Created at or after (unix seconds).") var since: Int?
        @Option(help: "Created before (unix seconds).") var until: Int?
        @Option(name: .customLong("before-id"), help: "Only ids below this (paging).") var beforeID: Int?
        @Option(help: "At most this many (1-10000).") var limit: Int = 50

        func run() async throws {
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be from 1 to 10000") }
            let query = DeliveryQuery(
                status: try Deliveries.status(status), webhookID: webhookID, chatID: chatID, since: since, until: until, beforeID: beforeID,
                limit: limit
            )
            for record in try await Deliveries.withStore({ try await $0.deliveries(query) }) { print(record.json.jsonText()) }
        }
    }

    struct Exhausted: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliveries that will not be retried, newest first.")
        @Option(help: "At most this many (1-10000).") var limit: Int = 50

        func run() async throws {
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be from 1 to 10000") }
            let records = try await Deliveries.withStore { try await $0.deliveries(DeliveryQuery(status: .exhausted, limit: limit)) }
            for record in records { print(record.json.jsonText()) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One delivery with the log of its attempts (JSON).")
        @Argument(help: "The delivery id.") var id: Int

        func run() async throws {
            let shown = try await Deliveries.withStore { store -> JSONValue? in
                guard let record = try await store.delivery(id: id), case .object(var object) = record.json else { return nil }
                object["attempts_log"] = .array(try await store.deliveryAttempts(id: id).map(\.json))
                return .object(object)
            }
            guard let shown else { throw CommandFailure("delivery \(id) does not exist") }
            print(shown.jsonText())
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a delivery again, with the same message id.")
        @Argument(help: "The delivery id.") var id: Int

        func run() async throws {
            let record = try await Deliveries.withStore { store -> DeliveryRecord? in
                guard let record = try await store.replayDelivery(id: id, now: WallClock().now()) else {
                    if try await store.delivery(id: id) != nil {
                        throw CommandFailure("delivery \(id) has an attempt in flight; replay it when the attempt has finished")
                    }
                    return nil
                }
                return record
            }
            guard let record else { throw CommandFailure("delivery \(id) does not exist") }
            print(record.json.jsonText())
        }
    }

    struct ReplayFailed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay-failed", abstract: "Replay every failed (or exhausted) delivery created in a time range, with a progress line."
        )
        @Option(help: "Created at or after (unix seconds).") var since: Int
        @Option(help: "Created before (unix seconds).") var until: Int
        @Option(help: "failed or exhausted.") var status: String = "failed"

        func run() async throws {
            guard since < until else { throw ValidationError("--until must be later than --since") }
            guard let wanted = try Deliveries.status(status), wanted == .failed || wanted == .exhausted else {
                throw ValidationError("--status must be failed or exhausted")
            }
            let replayed = try await Deliveries.withStore { store -> Int in
                var ids: [Int] = []
                var before: Int?
                while true {
                    let page = try await store.deliveries(DeliveryQuery(status: wanted, since: since, until: until, beforeID: before, limit: 500))
                    ids += page.map(\.id)
                    guard page.count == 500, let last = page.last else { break }
                    before = last.id
                }
                var done = 0
                for id in ids.reversed() {
                    if try await store.replayDelivery(id: id, now: WallClock().now()) != nil { done += 1 }
                    if done % 100 == 0 || done == ids.count {
                        FileHandle.standardError.write(Data("\rreplaying \(wanted.rawValue) deliveries: \(done)/\(ids.count)".utf8))
                    }
                }
                if !ids.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) }
                return done
            }
            print(JSONValue.object(JSONObject([("replayed", .int(replayed))])).jsonText())
        }
    }
}
