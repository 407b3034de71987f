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
