// AsyncKit predates Sendable; its pool is thread-safe (a lock guards it), as PostgresKit itself assumes.
@preconcurrency import AsyncKit
public import Logging
import PostgresKit

/// Opens the PostgreSQL store, which several Hookwork processes can share.
public enum PostgresStore {
    /// Connects to `postgres://user:pass@host:port/db` (also `postgresql://`; `?tlsmode=disable|prefer|require`).
    /// Connections open lazily; call `migrate()` before first use.
    public static func connect(url: String, maxConnectionsPerEventLoop: Int = 4, logger: Logger) async throws -> SQLStore {
        try await connect(url: url, searchPath: nil, maxConnectionsPerEventLoop: maxConnectionsPerEventLoop, logger: logger)
    }

    /// Connects with a `search_path`, so that the tests can give each case a schema of its own.
    static func connect(url: String, searchPath: [String]?, maxConnectionsPerEventLoop: Int, logger: Logger) async throws -> SQLStore {
        var configuration: SQLPostgresConfiguration
        do {
            configuration = try SQLPostgresConfiguration(url: url)
        } catch {
            throw StoreError(
                code: "invalid",
                message: "the PostgreSQL URL cannot be read (\(error)); write it as postgres://user:password@host:5432/database"
            )
        }
        if let searchPath { configuration.searchPath = searchPath }
        let pool = EventLoopGroupConnectionPool(
            source: PostgresConnectionSource(sqlConfiguration: configuration),
            maxConnectionsPerEventLoop: max(1, maxConnectionsPerEventLoop),
            logger: logger,
            on: MultiThreadedEventLoopGroup.singleton
        )
        return SQLStore(engine: PostgresEngine(pool: pool, logger: logger), logger: logger)
    }
}

/// PostgreSQL through a PostgresKit connection pool. Statements outside transactions take any pooled connection;
/// a transaction holds one connection for its duration.
final class PostgresEngine: SQLEngine {
    let flavor = SQLFlavor.postgres
    private let pool: EventLoopGroupConnectionPool<PostgresConnectionSource>
    private let database: any SQLDatabase

    /// The advisory lock key that serialises migrations across processes ("hookwork" in ASCII, as a bigint).
    private static let migrationLockKey: Int64 = 0x686F_6F6B_776F_726B

    init(pool: EventLoopGroupConnectionPool<PostgresConnectionSource>, logger: Logger) {
        self.pool = pool
        self.database = pool.database(logger: logger).sql(queryLogLevel: .trace)
    }

    func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await body(database)
    }

    func write<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await body(database)
    }

    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let flavor = flavor
        return try await database.withSession { session in try await flavor.inTransaction(on: session, body) }
    }

    func exclusiveSession<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await database.withSession { session in
            // A session-level advisory lock: a second process starting at the same moment waits here until the first
            // has finished migrating, then finds every migration recorded.
            try await session.raw("SELECT pg_advisory_lock(\(bind: Self.migrationLockKey))").run()
            do {
                let result = try await body(session)
                try await session.raw("SELECT pg_advisory_unlock(\(bind: Self.migrationLockKey))").run()
                return result
            } catch {
                try? await session.raw("SELECT pg_advisory_unlock(\(bind: Self.migrationLockKey))").run()
                throw error
            }
        }
    }

    func classify(_ error: any Error) -> StoreError? {
        guard let error = error as? PSQLError else { return nil }
        if let state = error.serverInfo?[.sqlState] {
            let detail = error.serverInfo?[.message] ?? state
            switch state {
            case "23505":
                return StoreError(
                    code: "conflict", message: "a record with the same key exists (\(detail)); use another id or update the existing one")
            case _ where state.hasPrefix("23"):
                return StoreError(code: "invalid", message: "the database refused the record (\(detail)); fix the field it names")
            case "42P01":
                return StoreError(code: "unavailable", message: "the database is not migrated (\(detail)); run migrate() (hookwork serve does) first")
            case "40001", "40P01":
                return StoreError(code: "unavailable", message: "the transaction collided with another one (\(detail)); retry")
            default:
                return nil
            }
        }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .sslUnsupported, .failedToAddSSLHandler:
            return StoreError(
                code: "unavailable",
                message: "PostgreSQL cannot be reached (\(String(reflecting: error))); check database.url and that the server is running"
            )
        case .authMechanismRequiresPassword, .unsupportedAuthMechanism:
            return StoreError(code: "unavailable", message: "PostgreSQL refused the login; check the user and password in database.url")
        default:
            return nil
        }
    }

    func shutdown() async throws {
        try await pool.shutdownAsync()
    }
}
