import ArgumentParser
import HookworkServer
import Logging
import ServiceLifecycle

/// `hookwork worker`: only the queue workers, for a second process beside `serve` on the same database.
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run queue workers only.")

    func run() async throws {
        let configuration = try HookworkConfiguration.fromEnvironment()
        let logger = configuration.makeLogger()
        let group = try await buildWorkerGroup(configuration: configuration, dependencies: ServerDependencies(logger: logger))
        try await group.run()
    }
}
