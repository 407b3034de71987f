import SQLKit

/// API tokens on SQL (`TokenStore`).
extension SQLStore {
    static let tokenColumns = "id, secret_hash, scope, name, created_at, last_used_at"

    public func addToken(secretHash: String, scope: String, name: String, now: Int) async throws -> StoredToken {
        let token = try await guarded {
            try await engine.write { db in
                try await db.raw(
                    """
                    INSERT INTO hw_tokens (secret_hash, scope, name, created_at) VALUES (\(bind: secretHash), \(bind: scope), \(bind: name), \(bind: now))
                    RETURNING \(unsafeRaw: Self.tokenColumns)
                    """
                ).first().map(Self.token(row:))
            }
        }
        guard let token else { throw StoreError(code: "unavailable", message: "the database returned no token id; check the hw_tokens table") }
        return token
    }

    public func token(secretHash: String) async throws -> StoredToken? {
        try await guarded {
            try await engine.read { db in
                try await db.raw("SELECT \(unsafeRaw: Self.tokenColumns) FROM hw_tokens WHERE secret_hash = \(bind: secretHash)").first()
                    .map(Self.token(row:))
            }
        }
    }

    public func tokens() async throws -> [StoredToken] {
        try await guarded {
            try await engine.read { db in
                try await db.raw("SELECT \(unsafeRaw: Self.tokenColumns) FROM hw_tokens ORDER BY id").all().map(Self.token(row:))
            }
        }
    }

    public func rotateToken(id: Int, secretHash: String, now: Int) async throws -> StoredToken? {
        try await guarded {
            try await engine.write { db in
                try await db.raw(
                    """
                    UPDATE hw_tokens SET secret_hash = \(bind: secretHash), created_at = \(bind: now), last_used_at = NULL
                    WHERE id = \(bind: id) RETURNING \(unsafeRaw: Self.tokenColumns)
                    """
                ).first().map(Self.token(row:))
            }
        }
    }

    public func deleteToken(id: Int) async throws -> Bool {
        try await guarded {
            try await engine.write { db in
                try await db.raw("DELETE FROM hw_tokens WHERE id = \(bind: id) RETURNING id").first() != nil
            }
        }
    }

    public func markTokenUsed(id: Int, at time: Int) async throws {
        try await guarded {
            try await engine.write { db in
                try await db.raw("UPDATE hw_tokens SET last_used_at = \(bind: time) WHERE id = \(bind: id)").run()
            }
        }
    }

    public func tokenCount() async throws -> Int {
        try await guarded {
            try await engine.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM hw_tokens").first()?.decode(column: "n", as: Int.self) ?? 0
            }
        }
    }

    static func token(row: any SQLRow) throws -> StoredToken {
        StoredToken(
            id: try row.decode(column: "id", as: Int.self), secretHash: try row.decode(column: "secret_hash", as: String.self),
            scope: try row.decode(column: "scope", as: String.self), name: try row.decode(column: "name", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int?.self), lastUsedAt: try row.decode(column: "last_used_at", as: Int?.self)
        )
    }
}
