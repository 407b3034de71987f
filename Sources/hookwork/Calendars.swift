import ArgumentParser
import Foundation
import HookworkCore
import HookworkStore

/// `hookwork calendars ...`: calendars of opening hours (business time in conditions), on the database of
/// `HOOKWORK_DATABASE_URL`, validated as the API validates them.
struct Calendars: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show, save and delete calendars of opening hours (the database of HOOKWORK_DATABASE_URL).",
        subcommands: [List.self, Show.self, Put.self, Delete.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every calendar, one JSON line each.")

        func run() async throws {
            for calendar in try await Deliveries.withStore({ try await $0.list(.calendar, query: EntityQuery()) }) {
                print(JSONValue.object(calendar).jsonText())
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One calendar, and whether it is open now with its business clock (the seconds conditions compare).")
        @Argument(help: "The calendar id.") var id: Int

        func run() async throws {
            guard let stored = try await Deliveries.withStore({ try await $0.get(.calendar, id: id) }) else {
                throw CommandFailure("there is no calendar \(id); `hookwork calendars list` lists them")
            }
            var shown = stored
            if let calendar = BusinessCalendar(stored: stored) {
                let now = Int(Date().timeIntervalSince1970)
                shown["now"] = .object(
                    JSONObject([
                        ("time", .int(now)), (BusinessTime.clockMember, .int(calendar.businessSeconds(at: now))),
                        (BusinessTime.openMember, .int(calendar.isOpen(at: now) ? 1 : 0)),
                    ]))
            }
            print(JSONValue.object(shown).jsonText())
        }
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or replace calendar ID from a JSON document (a file, or - for stdin).")
        @Argument(help: "The calendar id.") var id: Int
        @Argument(help: "The JSON document: {\"name\",\"time_zone\",\"weekly\",\"exceptions\"}.") var file: String

        func run() async throws {
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            guard data.count <= 1 << 20, case .object(var document) = try JSONValue(parsing: [UInt8](data)) else {
                throw CommandFailure("the calendar must be one JSON object of at most 1 MiB")
            }
            document["id"] = nil
            do {
                _ = try BusinessCalendar(document: document, id: id)
            } catch {
                throw CommandFailure("\(error.field): \(error.message)")
            }
            try await Deliveries.withStore {
                _ = try await $0.saveVersioned(.calendar, id: id, document: document, by: Versions.author, at: Int(Date().timeIntervalSince1970))
            }
            document["id"] = .int(id)
            print(JSONValue.object(document).jsonText())
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a calendar that no department names.")
        @Argument(help: "The calendar id.") var id: Int

        func run() async throws {
            try await Deliveries.withStore { store in
                if let department = try await store.list(.department, query: EntityQuery()).first(where: { $0["calendar_id"]?.looseInt == id }) {
                    throw CommandFailure("department \(department["id"]?.looseInt ?? 0) names calendar \(id); change its calendar_id first")
                }
                guard try await store.deleteVersioned(.calendar, id: id, by: Versions.author, at: Int(Date().timeIntervalSince1970)) != nil else {
                    throw CommandFailure("there is no calendar \(id)")
                }
            }
            print(JSONValue.object(JSONObject([("id", .int(id)), ("deleted", .bool(true))])).jsonText())
        }
    }
}
