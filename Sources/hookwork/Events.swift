import ArgumentParser
import HookworkCore
import HookworkEngine
import HookworkStore

/// `hookwork events ...`: parked events on the database of `HOOKWORK_DATABASE_URL`, without a server.
struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List and replay parked events (the database of HOOKWORK_DATABASE_URL).", subcommands: [Parked.self, Replay.self]
    )

    struct Parked: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Events parked after failing or crashing their worker, one JSON line each.")
        @Option(help: "Only sequences above this (paging).") var after: Int = 0
        @Option(help: "At most this many (1-10000).") var limit: Int = 100

        func run() async throws {
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be from 1 to 10000") }
            for parked in try await Deliveries.withStore({ try await $0.parkedEvents(afterSequence: after, limit: limit) }) {
                print(parked.json.jsonText())
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a parked event again, due now, with its attempts reset.")
        @Argument(help: "The event id (its sequence number).") var id: Int

        func run() async throws {
            switch try await Deliveries.withStore({ try await $0.replayEvent(sequence: id, now: WallClock().now()) }) {
            case .replayed: print(JSONValue.object(JSONObject([("event_id", .int(id)), ("status", .string("queued"))])).jsonText())
            case .notParked: throw CommandFailure("event \(id) is not parked; only parked events are replayed")
            case .notFound: throw CommandFailure("event \(id) does not exist")
            }
        }
    }
}

/// `hookwork chats ...`: chats and mail messages continuous passes set aside, on the database of
/// `HOOKWORK_DATABASE_URL`, without a server.
struct Chats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List and resume chats and mail messages parked by continuous passes (the database of HOOKWORK_DATABASE_URL).",
        subcommands: [Parked.self, Resume.self]
    )

    struct Parked: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Chats and mail messages a process stopped on during a continuous pass (suspected or parked), one JSON line each.")

        func run() async throws {
            for fault in try await Deliveries.withStore({ try await $0.continuousFaults() }) { print(fault.json.jsonText()) }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let continuous passes evaluate a parked chat (or mail message) again.")
        @Argument(help: "The chat id (or mail message id with --mail).") var id: Int
        @Flag(help: "The id is a mail message's.") var mail = false

        func run() async throws {
            let subject: ContinuousSubject = mail ? .mailMessage : .chat
            guard try await Deliveries.withStore({ try await $0.resumeContinuous(subject, id: id) }) else {
                throw CommandFailure("\(mail ? "mail message" : "chat") \(id) is neither parked nor suspected")
            }
            print(
                JSONValue.object(JSONObject([("subject", .string(subject.rawValue)), ("id", .int(id)), ("status", .string("resumed"))])).jsonText())
        }
    }
}
