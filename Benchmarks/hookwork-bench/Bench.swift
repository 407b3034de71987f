import ArgumentParser

/// Hookwork's benchmark program: each subcommand prints one JSON line of results.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hookwork-bench",
        abstract: "Measure Hookwork. Build with -c release; each benchmark prints one JSON line.",
        subcommands: [EvalBenchmark.self, IngestBenchmark.self, DeliverBenchmark.self, PassBenchmark.self, FuzzBenchmark.self]
    )
}
