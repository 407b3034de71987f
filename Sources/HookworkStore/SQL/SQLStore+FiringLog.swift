import HookworkCore
import SQLKit

/// The firing log on SQL (`FiringLogStore`); its rows are written by `commit` with the decision that ran the trigger.
extension SQLStore {
    /// Deletes firing-log rows older than `before`.
    public func purgeFirings(before: Int) async throws -> Int {
        try await guarded {
            try await engine.write { db in
                try await db.raw("DELETE FROM hw_firings WHERE fired_at < \(bind: before) RETURNING id").all().count
            }
        }
    }
}

/// Shadow firings on SQL (`ShadowFiringStore`); written by `commit` with the decision that made them.
extension SQLStore {
    public func shadowFirings(webhookID: Int, since: Int, until: Int, limit: Int) async throws -> [ShadowFiring] {
        guard limit > 0 else { return [] }
        return try await guarded {
            try await engine.read { db in
                try await db.raw(
                    """
                    SELECT webhook_id, subject_id, fired_at, source, branch, trigger_id, trace FROM hw_shadow_firings
                    WHERE webhook_id = \(bind: webhookID) AND fired_at >= \(bind: since) AND fired_at < \(bind: until)
                    ORDER BY fired_at DESC, id DESC LIMIT \(bind: limit)
                    """
                ).all().map { row in
                    let source = try row.decode(column: "source", as: String.self)
                    return ShadowFiring(
                        source: FiringSource(rawValue: source) ?? .hook, webhookID: try row.decode(column: "webhook_id", as: Int.self),
                        subjectID: try row.decode(column: "subject_id", as: Int.self), firedAt: try row.decode(column: "fired_at", as: Int.self),
                        branch: try row.decode(column: "branch", as: String.self), triggerID: try row.decode(column: "trigger_id", as: Int.self),
                        trace: try StoredJSON.value(try row.decode(column: "trace", as: String.self)))
                }
            }
        }
    }

    public func shadowFiringsPerHour(webhookID: Int, since: Int, until: Int) async throws -> [(hour: Int, count: Int)] {
        try await guarded {
            try await engine.read { db in
                try await db.raw(
                    """
                    SELECT fired_at / 3600 AS hour, COUNT(*) AS n FROM hw_shadow_firings
                    WHERE webhook_id = \(bind: webhookID) AND fired_at >= \(bind: since) AND fired_at < \(bind: until)
                    GROUP BY fired_at / 3600 ORDER BY hour
                    """
                ).all().map { (try $0.decode(column: "hour", as: Int.self) * 3600, try $0.decode(column: "n", as: Int.self)) }
            }
        }
    }

    public func purgeShadowFirings(before: Int) async throws -> Int {
        try await guarded {
            try await engine.write { db in
                try await db.raw("DELETE FROM hw_shadow_firings WHERE fired_at < \(bind: before) RETURNING id").all().count
            }
        }
    }
}
