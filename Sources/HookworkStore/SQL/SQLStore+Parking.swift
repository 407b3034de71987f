import HookworkCore
import SQLKit

/// Parked events on SQL (`EventParkingStore`).
extension SQLStore {
    public func parkEvent(sequence: Int, reason: String, attempts: Int, now: Int) async throws {
        let outcomeText = try StoredJSON.text(ParkedEvent.outcome(reason: reason, attempts: attempts))
        let found = try await guarded {
            try await engine.write { db in
                try await db.raw(
                    """
                    UPDATE hw_events SET completed_at = \(bind: now), outcome = \(bind: outcomeText), parked_at = \(bind: now), lease_until = NULL
                    WHERE sequence = \(bind: sequence) RETURNING sequence
                    """
                ).first() != nil
            }
        }
        guard found else { throw StoreError(code: "not_found", message: "there is no event \(sequence) to park") }
    }

    public func parkedEvents(afterSequence: Int, limit: Int) async throws -> [ParkedEvent] {
        let rows = try await guarded {
            try await engine.read { db in
                try await db.raw(
                    """
                    SELECT sequence, event_key, name, args, received_at, run_at, attempts, outcome, parked_at FROM hw_events
                    WHERE parked_at IS NOT NULL AND sequence > \(bind: afterSequence) ORDER BY sequence LIMIT \(bind: max(limit, 0))
                    """
                ).all().map { row in (try EventRow(row: row, outcome: true), try row.decode(column: "parked_at", as: Int.self)) }
            }
        }
        return try rows.map { row, parkedAt in
            let outcome = try row.outcome.map { try StoredJSON.value($0) }
            return ParkedEvent(event: try row.event(), parkedAt: parkedAt, reason: outcome?["reason"]?.stringValue ?? "")
        }
    }

    public func parkedEventCount() async throws -> Int {
        try await guarded {
            try await engine.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM hw_events WHERE parked_at IS NOT NULL").first()?.decode(column: "n", as: Int.self) ?? 0
            }
        }
    }

    public func replayEvent(sequence: Int, now: Int) async throws -> EventReplayResult {
        try await guarded {
            try await engine.write { db in
                let replayed = try await db.raw(
                    """
                    UPDATE hw_events SET completed_at = NULL, outcome = NULL, parked_at = NULL, attempts = 0, lease_until = NULL, worker = NULL,
                        run_at = \(bind: now)
                    WHERE sequence = \(bind: sequence) AND parked_at IS NOT NULL RETURNING sequence
                    """
                ).first()
                if replayed != nil { return .replayed }
                let exists = try await db.raw("SELECT sequence FROM hw_events WHERE sequence = \(bind: sequence)").first()
                return exists == nil ? .notFound : .notParked
            }
        }
    }
}
