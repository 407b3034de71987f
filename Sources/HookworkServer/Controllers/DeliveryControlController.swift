import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkStore
import Hummingbird
import Logging

/// Stopping a delivery (`cancelled`), the one status nothing else sets.
struct DeliveryControlController {
    let environment: ServerEnvironment

    func register(on table: RouteTable) {
        let environment = environment
        table.add(
            .post, "/api/v1/deliveries/{id}/cancel", "Stop a pending or failed delivery (no further attempts)", scope: .admin, tag: "deliveries"
        ) { _, context in
            let id = try context.intParameter()
            switch try await environment.store.cancelDelivery(id: id, now: environment.clock.now()) {
            case .changed(let record):
                environment.logger.info("delivery.cancelled", metadata: ["delivery.id": "\(id)"])
                return JSONResponse.make(.object(JSONObject([("delivery", record.json)])))
            case .refused(_, let refusal):
                throw Self.conflict(id: id, refusal)
            case .notFound:
                throw APIError.notFound("delivery", id: id)
            }
        }
    }

    /// The 409 for a delivery that cannot be changed now, naming its status or the running attempt.
    static func conflict(id: Int, _ refusal: DeliveryRefusal) -> APIError {
        switch refusal {
        case .status(let status):
            APIError(
                .conflict, code: "conflict",
                message: "delivery \(id) is \(status.rawValue); only pending or failed deliveries can be cancelled")
        case .inFlight(let until):
            APIError(
                .conflict, code: "attempt_in_flight",
                message: "delivery \(id) has an attempt in flight (held until \(until)); try again when it has finished")
        }
    }
}
