import Foundation
import HookworkCore
import Logging
import SQLKit
import Testing

@testable import HookworkStore

/// A backend the conformance suite runs against.
enum Backend: String, Sendable {
    case sqlite
    case postgres

    /// The PostgreSQL server for tests, from `eval "$(scripts/postgres.sh start)"`.
    static var postgresURL: String? {
        guard let url = ProcessInfo.processInfo.environment["HOOKWORK_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
        return url
    }

    /// A fresh, empty database of this backend.
    func makeDatabase() async throws -> TestDatabase {
        let name = "hw_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent("hookwork.sqlite").path
            return TestDatabase(
                description: path,
                open: { try await SQLiteStore.open(path: path, logger: .quiet) },
                cleanup: { try? FileManager.default.removeItem(at: folder) }
            )
        case .postgres:
            let url = try #require(Self.postgresURL)
            // A schema per test case, so that cases run in parallel on one server without seeing each other's rows.
            let admin = try await PostgresStore.connect(url: url, searchPath: nil, maxConnectionsPerEventLoop: 1, logger: .quiet)
            try await admin.engine.write { db in try await db.raw("CREATE SCHEMA \(ident: name)").run() }
            try await admin.shutdown()
            return TestDatabase(
                description: "schema \(name)",
                open: { try await PostgresStore.connect(url: url, searchPath: [name], maxConnectionsPerEventLoop: 4, logger: .quiet) },
                cleanup: {
                    let admin = try await PostgresStore.connect(url: url, searchPath: nil, maxConnectionsPerEventLoop: 1, logger: .quiet)
                    try await admin.engine.write { db in try await db.raw("DROP SCHEMA \(ident: name) CASCADE").run() }
                    try await admin.shutdown()
                }
            )
        }
    }
}

/// One empty database; `open` can be called several times to get independent handles on it, as separate
/// processes would have.
struct TestDatabase: Sendable {
    let description: String
    let open: @Sendable () async throws -> SQLStore
    let cleanup: @Sendable () async throws -> Void

    /// Runs `body` with a migrated store on a fresh database, then closes and removes it.
    static func with(_ backend: Backend, _ body: (TestDatabase, SQLStore) async throws -> Void) async throws {
        let database = try await backend.makeDatabase()
        do {
            let store = try await database.open()
            do {
                try await store.migrate()
                try await body(database, store)
            } catch {
                try? await store.shutdown()
                throw error
            }
            try await store.shutdown()
        } catch {
            try? await database.cleanup()
            throw error
        }
        try await database.cleanup()
    }
}

extension Logger {
    /// A logger that drops everything, so that test output shows only test results.
    static let quiet = Logger(label: "hookwork.store.tests", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// Builds an object from pairs in order, for readable fixtures.
func object(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONObject {
    JSONObject(pairs.map { ($0.key, $0.value) })
}

/// The ids of listed records.
func ids(_ records: [JSONObject]) -> [Int] {
    records.compactMap { $0["id"]?.intValue }
}
