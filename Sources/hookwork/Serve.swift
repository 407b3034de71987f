import ArgumentParser
import HookworkServer
import Hummingbird
import Logging

/// `hookwork serve`: the HTTP API and the queue workers, in one process.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the server on the configured database (SQLite by default).")

    func run() async throws {
        let configuration = try HookworkConfiguration.fromEnvironment()
        let logger = configuration.makeLogger()
        let app = try await buildApplication(configuration: configuration, dependencies: ServerDependencies(logger: logger))
        try await app.runService()
    }
}
