import ArgumentParser
import Foundation
import HookworkServer
import Hummingbird
import Logging
import NIOCore

/// `hookwork serve`: the HTTP API and the queue workers, in one process.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the server on the configured database (SQLite by default).")

    func run() async throws {
        let configuration = try HookworkConfiguration.fromEnvironment()
        let logger = configuration.makeLogger()
        let app = try await buildApplication(configuration: configuration, dependencies: ServerDependencies(logger: logger))
        do {
            try await app.runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw PortInUse(host: configuration.host, port: configuration.port)
        }
    }
}

/// The address `serve` was to listen on is taken.
struct PortInUse: Error, CustomStringConvertible {
    let host: String
    let port: Int
    var description: String { "\(host):\(port) is already in use (another hookwork serve?): stop it, or set HOOKWORK_HTTP_PORT to a free one" }
}
