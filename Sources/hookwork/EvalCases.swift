import ArgumentParser

/// `hookwork eval-cases FILE...`: runs conformance case files and prints one JSON line per case.
struct EvalCases: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval-cases", abstract: "Evaluate conformance JSONL files.")

    @Argument(help: "Conformance JSONL files.")
    var files: [String]

    func run() async throws {
        throw ValidationError("eval-cases is not built yet")
    }
}
