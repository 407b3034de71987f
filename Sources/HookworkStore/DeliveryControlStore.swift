/// Why a delivery was not changed by an operator's request.
public enum DeliveryRefusal: Sendable, Equatable {
    /// Its status does not allow the change (cancelling a delivered, exhausted or cancelled delivery).
    case status(DeliveryStatus)
    /// An attempt holds it until this time (unix seconds); its outcome is still to be recorded.
    case inFlight(until: Int)
}

/// What an operator's change to one delivery came to.
public enum DeliveryChangeResult: Sendable, Equatable {
    /// Changed; the delivery as it is now.
    case changed(DeliveryRecord)
    /// Not changed, and why; the delivery as it is.
    case refused(DeliveryRecord, DeliveryRefusal)
    /// There is no such delivery.
    case notFound
}

/// Operators' changes to single deliveries that must not race with a running attempt.
public protocol DeliveryControlStore: Sendable {
    /// Stops a pending or failed delivery that no attempt holds: status `cancelled`, no next attempt. Delivered,
    /// exhausted and cancelled deliveries are refused with their status, a held one with its lease's end.
    func cancelDelivery(id: Int, now: Int) async throws -> DeliveryChangeResult
}
