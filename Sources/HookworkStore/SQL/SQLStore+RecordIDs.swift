import HookworkCore
import SQLKit

/// Reserving record ids on SQL (`RecordIDStore`): the same counter `insert` takes its ids from.
extension SQLStore {
    /// Raises `kind`'s id counter (kept above every stored id of the kind) and returns the new value.
    public func reserveID(_ kind: EntityKind) async throws -> Int {
        let flavor = engine.flavor
        return try await guarded {
            try await engine.transaction { db in try await Self.nextID(kind, on: db, flavor: flavor) }
        }
    }

    /// Raises the counter of Hookwork's own ids of `kind` (kept above every stored id in that range) and returns it.
    public func reserveHookworkID(_ kind: EntityKind) async throws -> Int {
        let flavor = engine.flavor
        return try await guarded {
            try await engine.transaction { db in
                try await Self.nextID(kind, counter: "hookwork:" + kind.rawValue, above: RecordIDRange.hookworkBase, on: db, flavor: flavor)
            }
        }
    }

    /// Takes the next id of `kind` from its counter within the caller's transaction. The counter row serialises
    /// concurrent takers of one kind (a row lock on PostgreSQL) and keeps ids above any id that `put` wrote explicitly.
    static func nextID(_ kind: EntityKind, on db: any SQLDatabase, flavor: SQLFlavor) async throws -> Int {
        try await nextID(kind, counter: kind.rawValue, above: 0, on: db, flavor: flavor)
    }

    /// The next id of counter `counter`: above `floor`, above the counter's last value and above every stored id of
    /// `kind` greater than `floor`.
    static func nextID(_ kind: EntityKind, counter: String, above floor: Int, on db: any SQLDatabase, flavor: SQLFlavor) async throws -> Int {
        let next = """
            (SELECT COALESCE(MAX(id), \(bind: floor)) + 1 FROM hw_records WHERE kind = \(bind: kind.rawValue) AND id > \(bind: floor))
            """ as SQLQueryString
        var query: SQLQueryString = "INSERT INTO hw_id_counters (kind, last_id) VALUES (\(bind: counter), "
        query += next
        query += ") ON CONFLICT (kind) DO UPDATE SET last_id = \(unsafeRaw: flavor.greatest)(hw_id_counters.last_id + 1, "
        query += next
        query += ") RETURNING last_id"
        guard let id = try await db.raw(query).first()?.decode(column: "last_id", as: Int.self) else {
            throw StoreError(code: "unavailable", message: "the database returned no id; check the hw_id_counters table")
        }
        return id
    }
}
