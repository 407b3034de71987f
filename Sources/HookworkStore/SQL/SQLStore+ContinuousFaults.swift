import SQLKit

/// Suspected and parked chats and mail messages on SQL (`ContinuousFaultStore`).
extension SQLStore {
    public func recordContinuousCrashes(_ crashes: [ContinuousCrash], parkAfter: Int, now: Int) async throws -> [ContinuousFault] {
        var seen = Set<String>()
        let unique = crashes.filter { seen.insert("\($0.subject.rawValue)/\($0.id)").inserted }
        guard !unique.isEmpty else { return [] }
        return try await guarded {
            try await engine.transaction { db in
                var parked: [ContinuousFault] = []
                for crash in unique {
                    let row = try await db.raw(
                        """
                        INSERT INTO hw_continuous_faults (subject, id, webhook_id, phase, crashes, first_at, last_at)
                        VALUES (\(bind: crash.subject.rawValue), \(bind: crash.id), \(bind: crash.webhookID), \(bind: crash.phase.rawValue), 1,
                            \(bind: now), \(bind: now))
                        ON CONFLICT (subject, id) DO UPDATE SET crashes = hw_continuous_faults.crashes + 1, last_at = excluded.last_at,
                            webhook_id = excluded.webhook_id, phase = excluded.phase
                        RETURNING crashes, parked_at
                        """
                    ).first()
                    let count = try row?.decode(column: "crashes", as: Int.self) ?? 1
                    guard count >= parkAfter, try row?.decodeNil(column: "parked_at") ?? true else { continue }
                    if let fault = try await db.raw(
                        """
                        UPDATE hw_continuous_faults SET parked_at = \(bind: now)
                        WHERE subject = \(bind: crash.subject.rawValue) AND id = \(bind: crash.id)
                        RETURNING \(unsafeRaw: Self.faultColumns)
                        """
                    ).first() {
                        parked.append(try Self.fault(fault))
                    }
                }
                return parked
            }
        }
    }

    public func clearContinuousSuspects() async throws {
        try await guarded {
            try await engine.write { db in try await db.raw("DELETE FROM hw_continuous_faults WHERE parked_at IS NULL").run() }
        }
    }

    public func continuousFaults() async throws -> [ContinuousFault] {
        try await guarded {
            try await engine.read { db in
                try await db.raw(
                    """
                    SELECT \(unsafeRaw: Self.faultColumns) FROM hw_continuous_faults
                    ORDER BY CASE WHEN parked_at IS NULL THEN 1 ELSE 0 END, subject, id
                    """
                ).all().map(Self.fault)
            }
        }
    }

    public func parkedContinuousIDs(_ subject: ContinuousSubject) async throws -> Set<Int> {
        try await guarded {
            try await engine.read { db in
                Set(
                    try await db.raw(
                        "SELECT id FROM hw_continuous_faults WHERE subject = \(bind: subject.rawValue) AND parked_at IS NOT NULL"
                    ).all().map { try $0.decode(column: "id", as: Int.self) })
            }
        }
    }

    public func resumeContinuous(_ subject: ContinuousSubject, id: Int) async throws -> Bool {
        try await guarded {
            try await engine.write { db in
                try await db.raw(
                    "DELETE FROM hw_continuous_faults WHERE subject = \(bind: subject.rawValue) AND id = \(bind: id) RETURNING id"
                ).first() != nil
            }
        }
    }

    static let faultColumns = "subject, id, webhook_id, phase, crashes, first_at, last_at, parked_at"

    static func fault(_ row: any SQLRow) throws -> ContinuousFault {
        ContinuousFault(
            subject: ContinuousSubject(rawValue: try row.decode(column: "subject", as: String.self)) ?? .chat,
            id: try row.decode(column: "id", as: Int.self), webhookID: try row.decode(column: "webhook_id", as: Int.self),
            phase: ContinuousFaultPhase(rawValue: try row.decode(column: "phase", as: String.self)) ?? .evaluating,
            crashes: try row.decode(column: "crashes", as: Int.self), firstAt: try row.decode(column: "first_at", as: Int.self),
            lastAt: try row.decode(column: "last_at", as: Int.self), parkedAt: try row.decode(column: "parked_at", as: Int?.self))
    }
}
