public import HookworkCore
import Logging
import SQLKit

/// The `Store` on SQL: one implementation for SQLite and PostgreSQL; the engine supplies connections and the few
/// dialect differences (`SQLFlavor`). Open one with `SQLiteStore`, `PostgresStore` or `makeStore(url:logger:)`.
public struct SQLStore: Store {
    let engine: any SQLEngine
    let logger: Logger

    init(engine: any SQLEngine, logger: Logger) {
        self.engine = engine
        self.logger = logger
    }

    /// `sqlite` or `postgresql`.
    public var engineName: String { engine.flavor.name }

    // MARK: Migrations

    /// Runs the named migrations this database has not recorded yet.
    public func migrate() async throws {
        try await guarded { try await Migrator(engine: engine, logger: logger).run() }
    }

    // MARK: Records

    /// Creates or replaces a record (an upsert), refreshing its indexed columns.
    public func put(_ kind: EntityKind, id: Int, document: JSONObject) async throws {
        let row = try RecordRow(kind: kind, id: id, document: document)
        try await guarded { try await engine.write { db in try await row.upsert(on: db) } }
    }

    /// Creates or replaces many records in one transaction: all or nothing.
    public func putBatch(_ records: [(kind: EntityKind, id: Int, document: JSONObject)]) async throws {
        guard !records.isEmpty else { return }
        // Rows are checked one by one inside the transaction: a bad record anywhere rolls back the ones before it.
        let records = records.map { SendableRecord(kind: $0.kind, id: $0.id, document: $0.document) }
        try await guarded {
            try await engine.transaction { db in
                for record in records {
                    try await RecordRow(kind: record.kind, id: record.id, document: record.document).upsert(on: db)
                }
            }
        }
    }

    /// Creates a record with the next id of its kind (ids of deleted records are not reused).
    public func insert(_ kind: EntityKind, document: JSONObject) async throws -> Int {
        let flavor = engine.flavor
        _ = try StoredJSON.text(document)  // refuse a bad document before an id is spent on it
        return try await guarded {
            try await engine.transaction { db in
                let id = try await Self.nextID(kind, on: db, flavor: flavor)
                try await RecordRow(kind: kind, id: id, document: document).insert(on: db)
                return id
            }
        }
    }

    /// Merges members into a record under a row lock; nil if there is no such record.
    public func patch(_ kind: EntityKind, id: Int, with patch: JSONObject) async throws -> JSONObject? {
        let flavor = engine.flavor
        return try await guarded {
            // A record that does not exist is the common case on intake (a new chat): find that out with one read,
            // which on SQLite runs on a reader connection beside the writer, instead of an empty write transaction
            // (three round trips under the single writer lock). Answering nil is right as of that read; a record
            // created after it is the same race a caller already has between patch and a following put.
            let exists = try await engine.read { db in
                try await db.raw("SELECT 1 AS found FROM hw_records WHERE kind = \(bind: kind.rawValue) AND id = \(bind: id)").first() != nil
            }
            guard exists else { return nil }
            return try await engine.transaction { db in
                let row = try await db.raw(
                    "SELECT document FROM hw_records WHERE kind = \(bind: kind.rawValue) AND id = \(bind: id)\(unsafeRaw: flavor.lockRows)"
                ).first()
                guard let row else { return nil }
                var document = try StoredJSON.object(try row.decode(column: "document", as: String.self))
                for (key, value) in patch { document[key] = value }
                let updated = try RecordRow(kind: kind, id: id, document: document)
                try await updated.update(on: db)
                return updated.document
            }
        }
    }

    /// The record, or nil.
    public func get(_ kind: EntityKind, id: Int) async throws -> JSONObject? {
        let text = try await guarded {
            try await engine.read { db in
                try await db.raw("SELECT document FROM hw_records WHERE kind = \(bind: kind.rawValue) AND id = \(bind: id)")
                    .first()?.decode(column: "document", as: String.self)
            }
        }
        return try text.map { try StoredJSON.object($0) }
    }

    /// Deletes a record; false if there was none.
    public func delete(_ kind: EntityKind, id: Int) async throws -> Bool {
        try await guarded {
            try await engine.write { db in
                try await db.raw("DELETE FROM hw_records WHERE kind = \(bind: kind.rawValue) AND id = \(bind: id) RETURNING id").first() != nil
            }
        }
    }

    /// Records of a kind, filtered on the indexed columns, in id order.
    public func list(_ kind: EntityKind, query: EntityQuery) async throws -> [JSONObject] {
        if let statuses = query.statuses, statuses.isEmpty { return [] }
        if let limit = query.limit, limit <= 0 { return [] }
        var sql: SQLQueryString = "SELECT document FROM hw_records WHERE kind = \(bind: kind.rawValue)"
        if let statuses = query.statuses { sql += " AND status IN (\(binds: statuses))" }
        if let chatID = query.chatID { sql += " AND chat_id = \(bind: chatID)" }
        if let conversationID = query.conversationID { sql += " AND conversation_id = \(bind: conversationID)" }
        if let afterID = query.afterID { sql += " AND id > \(bind: afterID)" }
        sql += query.newestFirst ? " ORDER BY id DESC" : " ORDER BY id ASC"
        if let limit = query.limit { sql += " LIMIT \(bind: limit)" }
        let statement = sql
        let texts = try await guarded {
            try await engine.read { db in try await db.raw(statement).all(decodingColumn: "document", as: String.self) }
        }
        return texts.compactMap { readable($0, kind: kind) }
    }

    /// A listed document, or nil (logged) when its text cannot be read: one damaged row must not hide the others
    /// from a list or stop every continuous pass.
    func readable(_ text: String, kind: EntityKind) -> JSONObject? {
        do { return try StoredJSON.object(text) } catch {
            logger.error("store.unreadable_document", metadata: ["record.kind": "\(kind.rawValue)", "error": "\(error.message)"])
            return nil
        }
    }

    // MARK: Events

    /// Stores an event unless its key was seen before (then returns the first event's sequence).
    public func enqueueEvent(key: String?, name: String, args: JSONValue, receivedAt: Int, runAt: Int) async throws -> EnqueueResult {
        let argsText = try StoredJSON.text(args)
        return try await guarded {
            // Two attempts: the first finds a duplicate or writes; the second only matters when the event holding the
            // key disappeared between the insert and the lookup.
            for _ in 0..<2 {
                let inserted = try await engine.write { db in
                    try await db.raw(
                        """
                        INSERT INTO hw_events (event_key, name, args, received_at, run_at)
                        VALUES (\(bind: key), \(bind: name), \(bind: argsText), \(bind: receivedAt), \(bind: runAt))
                        ON CONFLICT (event_key) DO NOTHING RETURNING sequence
                        """
                    ).first()?.decode(column: "sequence", as: Int.self)
                }
                if let inserted { return .accepted(sequence: inserted) }
                guard let key else { break }
                let existing = try await engine.read { db in
                    try await db.raw("SELECT sequence FROM hw_events WHERE event_key = \(bind: key)").first()?
                        .decode(column: "sequence", as: Int.self)
                }
                if let existing { return .duplicate(sequence: existing) }
            }
            throw StoreError(code: "conflict", message: "the event could not be stored or found by its key; send it again")
        }
    }

    /// Leases up to `limit` due events to `worker`, oldest first; no two claimers get the same event.
    public func claimEvents(limit: Int, now: Int, worker: String, leaseSeconds: Int) async throws -> [StoredEvent] {
        guard limit > 0 else { return [] }
        let flavor = engine.flavor
        let rows = try await guarded {
            // One statement picks and leases the events. On PostgreSQL SKIP LOCKED lets concurrent claimers take
            // different events without waiting; SQLite runs the whole statement under its single write lock.
            try await engine.write { db in
                try await db.raw(
                    """
                    UPDATE hw_events SET attempts = attempts + 1, lease_until = \(bind: now + leaseSeconds), worker = \(bind: worker)
                    WHERE sequence IN (
                        SELECT sequence FROM hw_events
                        WHERE completed_at IS NULL AND run_at <= \(bind: now) AND (lease_until IS NULL OR lease_until <= \(bind: now))
                        ORDER BY sequence LIMIT \(bind: limit)\(unsafeRaw: flavor.skipLocked)
                    )
                    RETURNING sequence, event_key, name, args, received_at, run_at, attempts
                    """
                ).all().map { try EventRow(row: $0, outcome: false) }
            }
        }
        return try rows.sorted { $0.sequence < $1.sequence }.map { try $0.event() }
    }

    /// Marks an event done with its outcome; `not_found` if there is no such event.
    public func completeEvent(sequence: Int, outcome: JSONValue, now: Int) async throws {
        let outcomeText = try StoredJSON.text(outcome)
        let found = try await guarded {
            try await engine.write { db in
                try await db.raw(
                    """
                    UPDATE hw_events SET completed_at = \(bind: now), outcome = \(bind: outcomeText), lease_until = NULL
                    WHERE sequence = \(bind: sequence) RETURNING sequence
                    """
                ).first() != nil
            }
        }
        guard found else {
            throw StoreError(code: "not_found", message: "there is no event \(sequence); complete only events returned by claimEvents")
        }
    }

    /// The event and its outcome (nil until completed), or nil if there is no such event.
    public func event(sequence: Int) async throws -> (event: StoredEvent, outcome: JSONValue?)? {
        try await event(where: "sequence = \(bind: sequence)")
    }

    public func event(key: String) async throws -> (event: StoredEvent, outcome: JSONValue?)? {
        try await event(where: "event_key = \(bind: key)")
    }

    public func events(name: String?, beforeSequence: Int?, limit: Int) async throws -> [(event: StoredEvent, outcome: JSONValue?)] {
        var filter: SQLQueryString = "1 = 1"
        if let name { filter = filter + " AND name = \(bind: name)" }
        if let beforeSequence { filter = filter + " AND sequence < \(bind: beforeSequence)" }
        return try await events(where: filter + " ORDER BY sequence DESC LIMIT \(bind: max(limit, 0))")
    }

    /// The one event `condition` selects, with its outcome.
    private func event(where condition: SQLQueryString) async throws -> (event: StoredEvent, outcome: JSONValue?)? {
        try await events(where: condition + " LIMIT 1").first
    }

    /// The events `tail` (a condition, then any order and limit) selects, with their outcomes.
    private func events(where tail: SQLQueryString) async throws -> [(event: StoredEvent, outcome: JSONValue?)] {
        let rows = try await guarded {
            try await engine.read { db in
                try await db.raw("SELECT sequence, event_key, name, args, received_at, run_at, attempts, outcome FROM hw_events WHERE " + tail)
                    .all().map { try EventRow(row: $0, outcome: true) }
            }
        }
        return try rows.map { (try $0.event(), try $0.outcome.map { try StoredJSON.value($0) }) }
    }

    /// Closes every connection (and the SQLite store's threads).
    public func shutdown() async throws {
        try await engine.shutdown()
    }

    // MARK: Errors

    /// Runs `body`, turning engine errors that have a meaning for callers (a constraint, an unreachable server)
    /// into `StoreError`s; anything else is logged and passed on as `unavailable` with its cause in the message.
    func guarded<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as StoreError {
            throw error
        } catch is CancellationError {
            // The server is stopping (or the caller gave up): not a database failure, and not logged as one.
            throw CancellationError()
        } catch {
            if let known = engine.classify(error) { throw known }
            logger.error("store.failed", metadata: ["store.engine": "\(engine.flavor.name)", "error": "\(String(reflecting: error))"])
            throw StoreError(
                code: "unavailable", message: "the \(engine.flavor.name) database failed (\(error)); check that it is reachable and migrated")
        }
    }
}

/// A record of a batch, as a Sendable value (the tuple array of the protocol is not captured by `@Sendable` closures).
private struct SendableRecord: Sendable {
    var kind: EntityKind
    var id: Int
    var document: JSONObject
}

/// One row of `hw_records`, ready to write: the document with its `id` set, its text and its indexed columns.
struct RecordRow: Sendable {
    let kind: EntityKind
    let id: Int
    let document: JSONObject
    let text: String
    let columns: IndexedColumns

    init(kind: EntityKind, id: Int, document: JSONObject) throws(StoreError) {
        guard id > 0 else {
            throw StoreError(code: "invalid", message: "a \(kind.rawValue) id must be a positive integer, not \(id)")
        }
        var document = document
        if document["id"] == nil {
            // The id leads, as in the platform's own rows, so that a listed record reads naturally.
            var ordered = JSONObject([("id", .int(id))])
            for (key, value) in document { ordered[key] = value }
            document = ordered
        } else {
            document["id"] = .int(id)
        }
        self.kind = kind
        self.id = id
        self.document = document
        self.text = try StoredJSON.text(document)
        self.columns = IndexedColumns(kind: kind, document: document)
    }

    func upsert(on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO hw_records (kind, id, document, status, chat_id, conversation_id, dep_id, user_id, type, event, disabled)
            VALUES (\(bind: kind.rawValue), \(bind: id), \(bind: text), \(bind: columns.status), \(bind: columns.chatID),
                \(bind: columns.conversationID), \(bind: columns.departmentID), \(bind: columns.userID), \(bind: columns.type),
                \(bind: columns.event), \(bind: columns.disabled))
            ON CONFLICT (kind, id) DO UPDATE SET document = excluded.document, status = excluded.status,
                chat_id = excluded.chat_id, conversation_id = excluded.conversation_id, dep_id = excluded.dep_id,
                user_id = excluded.user_id, type = excluded.type, event = excluded.event, disabled = excluded.disabled
            """
        ).run()
    }

    func insert(on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO hw_records (kind, id, document, status, chat_id, conversation_id, dep_id, user_id, type, event, disabled)
            VALUES (\(bind: kind.rawValue), \(bind: id), \(bind: text), \(bind: columns.status), \(bind: columns.chatID),
                \(bind: columns.conversationID), \(bind: columns.departmentID), \(bind: columns.userID), \(bind: columns.type),
                \(bind: columns.event), \(bind: columns.disabled))
            """
        ).run()
    }

    func update(on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE hw_records SET document = \(bind: text), status = \(bind: columns.status), chat_id = \(bind: columns.chatID),
                conversation_id = \(bind: columns.conversationID), dep_id = \(bind: columns.departmentID),
                user_id = \(bind: columns.userID), type = \(bind: columns.type), event = \(bind: columns.event),
                disabled = \(bind: columns.disabled)
            WHERE kind = \(bind: kind.rawValue) AND id = \(bind: id)
            """
        ).run()
    }
}

/// One row of `hw_events` as read back.
struct EventRow: Sendable {
    var sequence: Int
    var key: String?
    var name: String
    var args: String
    var receivedAt: Int
    var runAt: Int
    var attempts: Int
    var outcome: String?

    init(row: any SQLRow, outcome: Bool) throws {
        sequence = try row.decode(column: "sequence", as: Int.self)
        key = try row.decode(column: "event_key", as: String?.self)
        name = try row.decode(column: "name", as: String.self)
        args = try row.decode(column: "args", as: String.self)
        receivedAt = try row.decode(column: "received_at", as: Int.self)
        runAt = try row.decode(column: "run_at", as: Int.self)
        attempts = try row.decode(column: "attempts", as: Int.self)
        self.outcome = outcome ? try row.decode(column: "outcome", as: String?.self) : nil
    }

    func event() throws(StoreError) -> StoredEvent {
        StoredEvent(
            sequence: sequence, key: key, name: name, args: try StoredJSON.value(args), receivedAt: receivedAt, runAt: runAt,
            attempts: attempts
        )
    }
}
