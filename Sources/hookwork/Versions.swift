import ArgumentParser
import Foundation
import HookworkCore
import HookworkEngine
import HookworkStore

/// `hookwork versions ...`: the history of webhooks, triggers, Rest APIs and calendars on the database of
/// `HOOKWORK_DATABASE_URL`, as the API shows it (secrets masked).
struct Versions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show and restore the versions of a webhook, trigger, Rest API or calendar (the database of HOOKWORK_DATABASE_URL).",
        subcommands: [List.self, Show.self, Restore.self, Deleted.self]
    )

    /// The kinds that keep versions, as they are named on the command line.
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case webhook, trigger, calendar
        case restAPI = "rest_api"

        var entity: EntityKind {
            switch self {
            case .webhook: .webhook
            case .trigger: .trigger
            case .calendar: .calendar
            case .restAPI: .restAPI
            }
        }
    }

    /// Who a save from the command line is recorded as.
    static var author: String { "command line (\(ProcessInfo.processInfo.userName))" }

    static func history(_ store: any Store) -> ConfigurationHistory {
        ConfigurationHistory(store: store, validator: ConfigurationValidator(store: store))
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every version of a record, oldest first, one JSON line each.")
        @Argument(help: "webhook, trigger, rest_api or calendar.") var kind: Kind
        @Argument(help: "The record's id.") var id: Int

        func run() async throws {
            let items = try await Deliveries.withStore { try await Versions.history($0).listed(kind.entity, id: id) }
            guard !items.isEmpty else { throw CommandFailure("\(kind.entity.label) \(id) has no versions") }
            for item in items { print(JSONValue.object(item).jsonText()) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One version: who saved it and when, the document, the changes from the one before.")
        @Argument(help: "webhook, trigger, rest_api or calendar.") var kind: Kind
        @Argument(help: "The record's id.") var id: Int
        @Argument(help: "The version number.") var version: Int

        func run() async throws {
            let shown = try await Deliveries.withStore { store in
                do { return try await Versions.history(store).described(kind.entity, id: id, number: version) } catch let error as HistoryError {
                    throw CommandFailure(error.message)
                }
            }
            print(JSONValue.object(shown).jsonText())
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a version the record's document again (checked as a save is; kept as a new version).")
        @Argument(help: "webhook, trigger, rest_api or calendar.") var kind: Kind
        @Argument(help: "The record's id.") var id: Int
        @Argument(help: "The version number to bring back.") var version: Int

        func run() async throws {
            let restored = try await Deliveries.withStore { store in
                do {
                    return try await Versions.history(store).restore(
                        kind.entity, id: id, number: version, by: Versions.author, at: Int(Date().timeIntervalSince1970))
                } catch let error as HistoryError {
                    throw CommandFailure(error.message)
                } catch let error as ValidationFailure {
                    throw CommandFailure("version \(version) cannot be saved today: \(error.field): \(error.message)")
                }
            }
            print(
                JSONValue.object(
                    JSONObject([
                        ("version", .int(restored.version)), ("document", .object(ConfigurationHistory.shown(kind.entity, restored.document))),
                    ])
                )
                .jsonText())
        }
    }

    struct Deleted: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deleted records of a kind whose history is still kept, newest first.")
        @Argument(help: "webhook, trigger, rest_api or calendar.") var kind: Kind

        func run() async throws {
            let items = try await Deliveries.withStore { try await Versions.history($0).deleted(kind.entity) }
            for item in items { print(JSONValue.object(item).jsonText()) }
        }
    }
}
