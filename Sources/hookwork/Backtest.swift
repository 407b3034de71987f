import ArgumentParser
import Foundation
import HookworkCore
import HookworkEngine
import HookworkServer
import HookworkStore
import Synchronization

/// `hookwork backtest`: replays a webhook (or a configuration file not saved yet) over the stored history of
/// `HOOKWORK_DATABASE_URL`, with a progress bar on standard error and the answer as JSON on standard output.
struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "What a webhook would have fired over a past range, beside what it fired (the database of HOOKWORK_DATABASE_URL).")

    @Option(help: "The webhook's id.") var webhook: Int
    @Option(help: "The range's start, unix seconds (default: an hour before --until).") var since: Int?
    @Option(help: "The range's end, unix seconds (default: now).") var until: Int?
    @Option(help: "Seconds between replayed passes (continuous webhooks).") var tick: Int = 1
    @Option(help: "A webhook document to replay instead of the saved one (a file, or - for stdin); validated, not saved.")
    var file: String?

    func run() async throws {
        let until = until ?? Int(Date().timeIntervalSince1970)
        let since = since ?? until - 3600
        guard since < until else { throw ValidationError("--since must be before --until") }
        guard (1...3600).contains(tick) else { throw ValidationError("--tick must be from 1 to 3600 seconds") }
        let configuration = try HookworkConfiguration.fromEnvironment()
        let outcome = try await Deliveries.withStore { store -> Backtester.Outcome in
            guard var document = try await store.get(.webhook, id: webhook) else {
                throw CommandFailure("there is no webhook \(webhook); `GET /api/v1/webhooks` lists them")
            }
            if let file {
                let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
                guard data.count <= 1 << 20, case .object(let candidate) = try JSONValue(parsing: [UInt8](data)) else {
                    throw CommandFailure("the webhook must be one JSON object of at most 1 MiB")
                }
                do { document = try await ConfigurationValidator(store: store).webhook(candidate) } catch let failure as ValidationFailure {
                    throw CommandFailure("\(failure.field): \(failure.message)")
                }
            }
            let bar = ProgressBar()
            defer { bar.finish() }
            do {
                return try await Backtester(store: store, defaultCalendarID: configuration.defaultCalendarID).run(
                    document: document, webhookID: webhook, since: since, until: until, tick: tick, progress: { bar.show($0) })
            } catch let failure as ValidationFailure {
                throw CommandFailure("\(failure.field): \(failure.message)")
            }
        }
        let answer = JSONObject([
            ("webhook_id", .int(webhook)), ("since", .int(since)), ("until", .int(until)), ("would_fire", .array(outcome.wouldFire.map(\.json))),
            ("fired", .array(outcome.fired.map(\.json))), ("totals", outcome.totals),
        ])
        print(JSONValue.object(answer).jsonText())
    }
}

/// A one-line progress bar on standard error, redrawn when the share done moves by a percent.
final class ProgressBar: Sendable {
    private let shown = Mutex(-1)

    func show(_ share: Double) {
        let percent = Int((min(max(share, 0), 1) * 100).rounded(.down))
        let redraw = shown.withLock { last -> Bool in
            guard percent != last else { return false }
            last = percent
            return true
        }
        guard redraw else { return }
        let filled = percent * 30 / 100
        let line = "\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled) + "] \(percent)%"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        show(1)
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
