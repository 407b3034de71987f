import Logging
import SQLKit

/// Runs the migrations of `Migration.all` that a database has not recorded yet, in order, each in its own
/// transaction together with the row that records it.
struct Migrator: Sendable {
    let engine: any SQLEngine
    let logger: Logger

    /// Brings the schema up to date. Safe when several processes start at once: the engine's exclusive session
    /// (an advisory lock on PostgreSQL, the write lock on SQLite) lets one migrate while the others wait, and each
    /// migration checks again inside its transaction whether it has run.
    func run() async throws {
        let flavor = engine.flavor
        let logger = logger
        try await engine.exclusiveSession { session in
            try await session.raw(
                """
                CREATE TABLE IF NOT EXISTS hw_migrations (
                    name TEXT PRIMARY KEY,
                    applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
                )
                """
            ).run()
            for migration in Migration.all {
                let applied = try await flavor.inTransaction(on: session) { db in
                    let done = try await db.raw("SELECT name FROM hw_migrations WHERE name = \(bind: migration.name)").first()
                    guard done == nil else { return false }
                    for statement in migration.statements(flavor) {
                        try await db.raw("\(unsafeRaw: statement)").run()
                    }
                    try await db.raw("INSERT INTO hw_migrations (name) VALUES (\(bind: migration.name))").run()
                    return true
                }
                if applied {
                    logger.info("store.migration.applied", metadata: ["migration.name": "\(migration.name)", "store.engine": "\(flavor.name)"])
                }
            }
        }
    }
}
