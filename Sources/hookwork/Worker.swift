import ArgumentParser

/// `hookwork worker`: only the queue workers, for a second process beside `serve`.
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run queue workers only.")

    func run() async throws {
        throw ValidationError("worker is not built yet")
    }
}
