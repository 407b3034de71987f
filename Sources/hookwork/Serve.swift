import ArgumentParser

/// `hookwork serve`: the HTTP API, the admin page, and every worker, in one process.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the server on the configured database (SQLite by default).")

    func run() async throws {
        throw ValidationError("serve is not built yet")
    }
}
