public import Logging
import SQLiteKit
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Opens the SQLite store: the embedded default, one file next to the server.
public enum SQLiteStore {
    /// Opens (creating if needed) the database file at `path`. Call `migrate()` before first use.
    ///
    /// The file runs in WAL mode with `synchronous=NORMAL`: a commit is durable against a crash of the process
    /// (the WAL is written before the call returns), and only a power loss or kernel crash can lose the last
    /// commits, never corrupt the file. That is what lets ingestion reach thousands of durable events per second
    /// without an fsync per event; `synchronous: .full` trades that throughput for power-loss durability.
    public static func open(path: String, synchronous: Synchronous = .normal, logger: Logger) async throws -> SQLStore {
        guard !path.isEmpty else {
            throw StoreError(
                code: "invalid", message: "the SQLite path is empty; set database.url to sqlite://./hookwork.sqlite or sqlite:///absolute/path")
        }
        if SQLiteFile.identity(path) == nil {
            // A missing file next to its write-ahead log was deleted while in use: creating an empty database there
            // would silently drop every event, chat and configuration it held.
            if SQLiteFile.identity(path + "-wal") != nil {
                throw StoreError(
                    code: "unavailable",
                    message:
                        "the SQLite database \(path) is missing but its write-ahead log \(path)-wal is there: the file was deleted while in use; restore it from a backup, or remove the -wal and -shm files to start empty"
                )
            }
            logger.notice("store.sqlite.created", metadata: ["store.path": "\(path)"])
        }
        let engine = try await SQLiteEngine.open(storage: .file(path: path), synchronous: synchronous, logger: logger)
        return SQLStore(engine: engine, logger: logger)
    }

    /// Opens a private in-memory database (tests): it lives as long as the store and is seen by no other connection.
    public static func inMemory(logger: Logger) async throws -> SQLStore {
        let engine = try await SQLiteEngine.open(storage: .memory, synchronous: .normal, logger: logger)
        return SQLStore(engine: engine, logger: logger)
    }

    /// How hard SQLite works to make a commit survive a power loss.
    public enum Synchronous: String, Sendable {
        /// Durable against process crashes; the last commits may be lost on power loss (WAL mode). The default.
        case normal = "NORMAL"
        /// An fsync on every commit: durable against power loss, much slower.
        case full = "FULL"
    }
}

/// SQLite through SQLiteNIO: one writer connection behind an async lock (SQLite allows one writer at a time, and
/// statements of concurrent tasks must not land inside each other's transactions), plus reader connections that
/// WAL mode lets run beside the writer.
final class SQLiteEngine: SQLEngine {
    let flavor = SQLFlavor.sqlite
    private let writer: SQLiteConnection
    private let writerDatabase: any SQLDatabase
    private let readers: [any SQLDatabase]
    private let readerConnections: [SQLiteConnection]
    private let nextReader = Atomic<Int>(0)
    private let lock = AsyncLock()
    private let pending = Mutex(PendingWrites())
    private let threads: NIOThreadPool
    /// The database file and its identity when it was opened (nil in memory).
    private let file: (path: String, identity: SQLiteFile.Identity)?

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], threads: NIOThreadPool, file: (path: String, identity: SQLiteFile.Identity)?)
    {
        self.threads = threads
        self.file = file
        self.writer = writer
        self.writerDatabase = writer.sql(queryLogLevel: .trace)
        self.readerConnections = readers
        self.readers = readers.map { $0.sql(queryLogLevel: .trace) }
    }

    /// How many reader connections a file database gets.
    private static let readerCount = 2

    static func open(storage: SQLiteConnection.Storage, synchronous: SQLiteStore.Synchronous, logger: Logger) async throws -> SQLiteEngine {
        // Threads of the store's own: a call that waits for another process's lock (busy_timeout) blocks its thread,
        // and on NIO's small shared pool two stores on one file could each wait on a thread the other needs to commit.
        let threads = NIOThreadPool(numberOfThreads: readerCount + 1)
        threads.start()
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        let writer: SQLiteConnection
        do {
            writer = try await SQLiteConnection.open(storage: storage, threadPool: threads, logger: logger, on: eventLoop)
        } catch {
            try? await threads.shutdownGracefully()
            throw StoreError(code: "unavailable", message: "cannot open the SQLite database (\(error)); check that the folder exists and is writable")
        }
        var readers: [SQLiteConnection] = []
        do {
            let db = writer.sql(queryLogLevel: .trace)
            // busy_timeout first: the journal-mode switch itself waits for other processes' locks.
            try await db.raw("PRAGMA busy_timeout = 5000").run()
            if case .file = storage {
                let mode = try await db.raw("PRAGMA journal_mode = WAL").first()?.decode(column: "journal_mode", as: String.self)
                guard mode?.lowercased() == "wal" else {
                    throw StoreError(
                        code: "unavailable",
                        message: "SQLite refused WAL mode (got \(mode ?? "nothing")); put the database on a local file system"
                    )
                }
            }
            try await db.raw("PRAGMA synchronous = \(unsafeRaw: synchronous.rawValue)").run()
            try await db.raw("PRAGMA foreign_keys = ON").run()
            if case .file = storage {
                // An in-memory database is private to its connection, so there it is read through the writer.
                for _ in 0..<readerCount {
                    let reader = try await SQLiteConnection.open(storage: storage, threadPool: threads, logger: logger, on: eventLoop)
                    readers.append(reader)
                    let readerDatabase = reader.sql(queryLogLevel: .trace)
                    try await readerDatabase.raw("PRAGMA busy_timeout = 5000").run()
                    try await readerDatabase.raw("PRAGMA foreign_keys = ON").run()
                    try await readerDatabase.raw("PRAGMA query_only = ON").run()
                }
            }
        } catch {
            for reader in readers { try? await reader.close() }
            try? await writer.close()
            try? await threads.shutdownGracefully()
            if let error = error as? StoreError { throw error }
            throw StoreError(
                code: "unavailable", message: "cannot prepare the SQLite database (\(error)); check that the file is a Hookwork database")
        }
        var file: (path: String, identity: SQLiteFile.Identity)?
        if case .file(let path) = storage, let identity = SQLiteFile.identity(path) { file = (path, identity) }
        return SQLiteEngine(writer: writer, readers: readers, threads: threads, file: file)
    }

    /// Fails when the database file was deleted or replaced since it was opened: writes to the open handle would be
    /// acknowledged and then lost with the unlinked file.
    private func checkFile() throws {
        guard let file, SQLiteFile.identity(file.path) != file.identity else { return }
        throw StoreError(
            code: "unavailable",
            message:
                "the SQLite database \(file.path) was deleted or replaced while in use; nothing more is written to it: restore the file and restart Hookwork"
        )
    }

    func read<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try checkFile()
        guard !readers.isEmpty else { return try await write(body) }
        let index = nextReader.add(1, ordering: .relaxed).newValue
        return try await body(readers[index % readers.count])
    }

    func write<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await submit(isTransaction: false, body)
    }

    func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await submit(isTransaction: true, body)
    }

    // MARK: Group commit

    /// Queues a write for the writer, which runs every write queued meanwhile in one transaction (group commit) and
    /// resumes the caller only after that transaction's COMMIT: a returned write is committed, as before, but a
    /// batch pays for one commit instead of one per write.
    ///
    /// No task of its own runs the writer: the caller that finds it idle leads, runs one batch (its own write and
    /// every write queued meanwhile), and hands the lead to the first write still waiting, whose caller runs the next
    /// batch. So each caller does at most one batch of work, and nothing outlives the calls that asked for it.
    private func submit<R: Sendable>(isTransaction: Bool, _ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let slot = ResultSlot<R>()
        let turn = WriteTurn()
        let write = PendingWrite(
            isTransaction: isTransaction,
            run: { db in
                let value = try await body(db)
                slot.value.withLock { $0 = value }
            },
            turn: turn
        )
        let leads = pending.withLock { pending in
            pending.writes.append(write)
            guard !pending.draining else { return false }
            pending.draining = true
            return true
        }
        var outcome: WriteTurn.Outcome = leads ? .lead : await turn.wait()
        if case .lead = outcome {
            // The batch holds other callers' writes: it runs to its COMMIT even if this caller is cancelled meanwhile
            // (SQLiteNIO gives up on cancellation). The task is awaited here, so nothing outlives the call.
            await Task { await self.runNextBatch() }.value
            outcome = turn.finished ?? .failed(StoreError(code: "unavailable", message: "an SQLite write was not run; retry"))
        }
        switch outcome {
        case .failed(let error): throw error
        case .done, .lead:
            guard let value = slot.value.withLock({ $0 }) else {
                throw StoreError(code: "unavailable", message: "an SQLite write finished without a result; retry")
            }
            return value
        }
    }

    /// Runs every write queued now as one batch, tells each its outcome, and passes the lead to the first write that
    /// came in meanwhile (or leaves the writer idle).
    private func runNextBatch() async {
        let batch: [PendingWrite] = pending.withLock { pending in
            let batch = pending.writes
            pending.writes.removeAll(keepingCapacity: true)
            return batch
        }
        var outcomes: [(any Error)?]
        do {
            try checkFile()
            outcomes = try await lock.withLock { await runBatch(batch) }
        } catch {
            outcomes = Array(repeating: error, count: batch.count)
        }
        let next: PendingWrite? = pending.withLock { pending in
            guard let first = pending.writes.first else {
                pending.draining = false
                return nil
            }
            return first
        }
        for (write, outcome) in zip(batch, outcomes) { write.turn.finish(outcome.map(WriteTurn.Outcome.failed) ?? .done) }
        next?.turn.lead()
    }

    /// Runs `batch` in one transaction and returns each write's error (nil if it succeeded). A write that fails
    /// fails alone: a failed statement undoes only itself (SQLite's statement rollback on a constraint), and a
    /// multi-statement write runs in a savepoint that is rolled back to. Anything that may have ended the
    /// transaction (I/O, a busy file, a failed COMMIT) rolls the batch back and runs its writes one by one.
    private func runBatch(_ batch: [PendingWrite]) async -> [(any Error)?] {
        if batch.count == 1 { return [await runAlone(batch[0])] }
        let db = writerDatabase
        do {
            try await db.raw("\(unsafeRaw: flavor.beginTransaction)").run()
        } catch {
            return await runEachAlone(batch)
        }
        var outcomes: [(any Error)?] = []
        outcomes.reserveCapacity(batch.count)
        for write in batch {
            if write.isTransaction {
                do {
                    try await db.raw("SAVEPOINT hw_write").run()
                } catch {
                    try? await db.raw("ROLLBACK").run()
                    return await runEachAlone(batch)
                }
                do {
                    try await write.run(db)
                    try await db.raw("RELEASE hw_write").run()
                    outcomes.append(nil)
                } catch {
                    do {
                        try await db.raw("ROLLBACK TO hw_write").run()
                        try await db.raw("RELEASE hw_write").run()
                    } catch {
                        try? await db.raw("ROLLBACK").run()
                        return await runEachAlone(batch)
                    }
                    outcomes.append(error)
                }
            } else {
                do {
                    try await write.run(db)
                    outcomes.append(nil)
                } catch {
                    // A refused constraint undoes its statement and leaves the transaction open; anything else may not.
                    if let known = classify(error), known.code == "conflict" || known.code == "invalid" {
                        outcomes.append(error)
                    } else {
                        try? await db.raw("ROLLBACK").run()
                        return await runEachAlone(batch)
                    }
                }
            }
        }
        do {
            try await db.raw("COMMIT").run()
        } catch {
            try? await db.raw("ROLLBACK").run()
            return await runEachAlone(batch)
        }
        return outcomes
    }

    /// Runs each write on its own, as without group commit (the fallback after a batch failed as a whole).
    private func runEachAlone(_ batch: [PendingWrite]) async -> [(any Error)?] {
        var outcomes: [(any Error)?] = []
        for write in batch { outcomes.append(await runAlone(write)) }
        return outcomes
    }

    private func runAlone(_ write: PendingWrite) async -> (any Error)? {
        do {
            if write.isTransaction {
                try await flavor.inTransaction(on: writerDatabase, write.run)
            } else {
                try await write.run(writerDatabase)
            }
            return nil
        } catch {
            return error
        }
    }

    func exclusiveSession<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        // Other processes are kept out by each migration's BEGIN IMMEDIATE and its re-check inside the transaction.
        try await lock.withLock { try await body(writerDatabase) }
    }

    func classify(_ error: any Error) -> StoreError? {
        guard let error = error as? SQLiteError else { return nil }
        switch error.reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed:
            return StoreError(
                code: "conflict", message: "a record with the same key exists (\(error.message)); use another id or update the existing one")
        case .constraint, .constraintCheckFailed, .constraintNotNullFailed, .constraintForeignKeyFailed:
            return StoreError(code: "invalid", message: "the database refused the record (\(error.message)); fix the field it names")
        case .busy, .busyTimeout, .locked:
            return StoreError(code: "unavailable", message: "the SQLite file stayed locked by another process; retry, or stop the other writer")
        case .full:
            return StoreError(code: "unavailable", message: "the disk holding the SQLite file is full; free space and retry")
        case .readOnly, .readonlyDirectory, .readonlyCantLock, .permission:
            return StoreError(code: "unavailable", message: "the SQLite file is read-only (\(error.message)); make the file and its folder writable")
        case .error where error.message.contains("no such table"):
            return StoreError(
                code: "unavailable", message: "the database is not migrated (\(error.message)); run migrate() (hookwork serve does) first")
        default:
            return nil
        }
    }

    func shutdown() async throws {
        // The connections are closed even when the task is cancelled (a server that failed to start is cancelled as
        // it stops): SQLiteNIO's async `close()` gives up on cancellation and leaves the connection open.
        func close(_ connection: SQLiteConnection) async throws {
            let closed: EventLoopFuture<Void> = connection.close()
            try await closed.get()
        }
        for reader in readerConnections { try await close(reader) }
        // Wait for a write in progress rather than closing the connection under it.
        try await lock.withLock { try await close(writer) }
        try await threads.shutdownGracefully()
    }
}

/// The identity of a file on disk (device and inode), to notice a database file deleted or replaced under an open
/// connection.
enum SQLiteFile {
    struct Identity: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
    }

    /// The file's identity, or nil if there is no file at `path`.
    static func identity(_ path: String) -> Identity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}
