public import HookworkCore
import SQLKit

/// The configuration history on SQL (`VersionStore`): each version is written in the transaction of its save.
extension SQLStore {
    public func saveVersioned(_ kind: EntityKind, id: Int?, document: JSONObject, by: String, at: Int) async throws -> (id: Int, version: Int) {
        let flavor = engine.flavor
        _ = try StoredJSON.text(document)  // refuse a bad document before an id is spent on it
        return try await guarded {
            try await engine.transaction { db in
                let row: RecordRow
                if let id {
                    row = try RecordRow(kind: kind, id: id, document: document)
                    try await row.upsert(on: db)
                } else {
                    row = try RecordRow(kind: kind, id: try await Self.nextID(kind, on: db, flavor: flavor), document: document)
                    try await row.insert(on: db)
                }
                let version = try await Self.appendVersion(kind, id: row.id, text: row.text, by: by, at: at, on: db)
                return (row.id, version)
            }
        }
    }

    public func deleteVersioned(_ kind: EntityKind, id: Int, by: String, at: Int) async throws -> Int? {
        try await guarded {
            try await engine.transaction { db in
                let deleted = try await db.raw(
                    "DELETE FROM hw_records WHERE kind = \(bind: kind.rawValue) AND id = \(bind: id) RETURNING id"
                ).first()
                guard deleted != nil else { return nil }
                return try await Self.appendVersion(kind, id: id, text: nil, by: by, at: at, on: db)
            }
        }
    }

    public func versions(_ kind: EntityKind, id: Int) async throws -> [ConfigurationVersion] {
        try await guarded {
            try await engine.read { db in
                try await db.raw(
                    """
                    SELECT \(unsafeRaw: Self.versionColumns) FROM hw_versions
                    WHERE kind = \(bind: kind.rawValue) AND record_id = \(bind: id) ORDER BY version
                    """
                ).all().map(Self.version)
            }
        }
    }

    public func version(_ kind: EntityKind, id: Int, number: Int) async throws -> ConfigurationVersion? {
        try await guarded {
            try await engine.read { db in
                try await db.raw(
                    """
                    SELECT \(unsafeRaw: Self.versionColumns) FROM hw_versions
                    WHERE kind = \(bind: kind.rawValue) AND record_id = \(bind: id) AND version = \(bind: number)
                    """
                ).first().map(Self.version)
            }
        }
    }

    public func deletions(_ kind: EntityKind) async throws -> [ConfigurationVersion] {
        try await guarded {
            try await engine.read { db in
                try await db.raw(
                    """
                    SELECT \(unsafeRaw: Self.versionColumns) FROM hw_versions AS last
                    WHERE kind = \(bind: kind.rawValue) AND document IS NULL
                    AND version = (SELECT MAX(version) FROM hw_versions AS other WHERE other.kind = last.kind AND other.record_id = last.record_id)
                    ORDER BY saved_at DESC, record_id DESC
                    """
                ).all().map(Self.version)
            }
        }
    }

    public func purgeVersions(deletedBefore before: Int) async throws -> Int {
        try await guarded {
            try await engine.write { db in
                try await db.raw(
                    """
                    DELETE FROM hw_versions WHERE (kind, record_id) IN (
                        SELECT kind, record_id FROM hw_versions AS last
                        WHERE document IS NULL AND saved_at < \(bind: before)
                        AND version = (SELECT MAX(version) FROM hw_versions AS other WHERE other.kind = last.kind AND other.record_id = last.record_id)
                    ) RETURNING version
                    """
                ).all().count
            }
        }
    }

    /// Appends version `MAX + 1` of a record inside the caller's transaction; returns its number.
    static func appendVersion(_ kind: EntityKind, id: Int, text: String?, by: String, at: Int, on db: any SQLDatabase) async throws -> Int {
        let row = try await db.raw(
            """
            INSERT INTO hw_versions (kind, record_id, version, saved_at, saved_by, document)
            SELECT \(bind: kind.rawValue), \(bind: id), COALESCE(MAX(version), 0) + 1, \(bind: at), \(bind: by), \(bind: text)
            FROM hw_versions WHERE kind = \(bind: kind.rawValue) AND record_id = \(bind: id)
            RETURNING version
            """
        ).first()
        guard let number = try row?.decode(column: "version", as: Int.self) else {
            throw StoreError(code: "unavailable", message: "the database returned no version number; check the hw_versions table")
        }
        return number
    }

    static let versionColumns = "kind, record_id, version, saved_at, saved_by, document"

    static func version(_ row: any SQLRow) throws -> ConfigurationVersion {
        let kindName = try row.decode(column: "kind", as: String.self)
        guard let kind = EntityKind(rawValue: kindName) else {
            throw StoreError(code: "unreadable", message: "hw_versions holds an unknown kind '\(kindName)'")
        }
        return ConfigurationVersion(
            kind: kind, recordID: try row.decode(column: "record_id", as: Int.self), number: try row.decode(column: "version", as: Int.self),
            savedAt: try row.decode(column: "saved_at", as: Int?.self), savedBy: try row.decode(column: "saved_by", as: String.self),
            document: try row.decode(column: "document", as: String?.self).map { try StoredJSON.object($0) })
    }
}
