import HookworkCore
import SQLKit

/// Operators' changes to single deliveries on SQL (`DeliveryControlStore`).
extension SQLStore {
    /// Cancels a pending or failed delivery no attempt holds, under its row lock.
    public func cancelDelivery(id: Int, now: Int) async throws -> DeliveryChangeResult {
        let flavor = engine.flavor
        let found = try await guarded {
            try await engine.transaction { db -> (row: DeliveryRow, lease: Int?, changed: Bool)? in
                let current = try await db.raw(
                    """
                    SELECT \(unsafeRaw: Self.deliveryColumns), lease_until FROM hw_deliveries WHERE id = \(bind: id)\(unsafeRaw: flavor.lockRows)
                    """
                ).first()
                guard let current else { return nil }
                let row = try DeliveryRow(row: current)
                let lease = try current.decode(column: "lease_until", as: Int?.self)
                guard row.status == DeliveryStatus.pending.rawValue || row.status == DeliveryStatus.failed.rawValue else {
                    return (row, lease, false)
                }
                if let lease, lease > now { return (row, lease, false) }
                let updated = try await db.raw(
                    """
                    UPDATE hw_deliveries SET status = 'cancelled', next_attempt_at = NULL, lease_until = NULL, worker = NULL, updated_at = \(bind: now)
                    WHERE id = \(bind: id) RETURNING \(unsafeRaw: Self.deliveryColumns)
                    """
                ).first()
                guard let updated else { return (row, lease, false) }
                return (try DeliveryRow(row: updated), nil, true)
            }
        }
        guard let found else { return .notFound }
        let record = try found.row.record()
        if found.changed { return .changed(record) }
        if record.status == .pending || record.status == .failed, let lease = found.lease { return .refused(record, .inFlight(until: lease)) }
        return .refused(record, .status(record.status))
    }
}
