import ArgumentParser
import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkStore

extension Deliveries {
    /// `hookwork deliveries cancel <id>`: stops a pending or failed delivery.
    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a pending or failed delivery: no further attempts (status cancelled).")
        @Argument(help: "The delivery id.") var id: Int

        func run() async throws {
            let result = try await Deliveries.withStore { try await $0.cancelDelivery(id: id, now: WallClock().now()) }
            switch result {
            case .changed(let record):
                print(record.json.jsonText())
            case .refused(_, .status(let status)):
                throw CommandFailure("delivery \(id) is \(status.rawValue); only pending or failed deliveries can be cancelled")
            case .refused(_, .inFlight(let until)):
                throw CommandFailure("delivery \(id) has an attempt in flight (held until \(until)); try again when it has finished")
            case .notFound:
                throw CommandFailure("delivery \(id) does not exist")
            }
        }
    }
}
