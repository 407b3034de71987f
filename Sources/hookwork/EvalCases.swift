import ArgumentParser
import Foundation
import HookworkCore

/// `hookwork eval-cases FILE...`: runs conformance case files and prints one JSON line per case.
struct EvalCases: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-cases",
        abstract: "Evaluate conformance JSONL files (text_match, extract, conditions, template, bot_text, rest_output cases).",
        discussion: """
            Prints one line per case, {"id":…,"pass":…,"got":{…}}, then the known deviations (DESIGN §5) \
            and last `N passed, N failed`. Exits non-zero when any case failed.
            """
    )

    @Argument(help: "Conformance JSONL files.")
    var files: [String]

    func run() async throws {
        var passed = 0
        var failed = 0
        var deviations: [ConformanceResult] = []
        for file in files {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw CommandFailure("cannot read \(file): \(error.localizedDescription)")
            }
            for result in ConformanceRunner.run(lines: text) {
                var line: JSONObject = ["id": .string(result.id), "pass": .bool(result.passed), "got": result.got]
                if let reason = result.deviation {
                    line["deviation"] = .string(reason)
                    deviations.append(result)
                } else if result.passed {
                    passed += 1
                } else {
                    failed += 1
                }
                print(JSONValue.object(line).jsonText())
            }
        }
        if !deviations.isEmpty {
            print("\(deviations.count) known deviations: \(deviations.map(\.id).joined(separator: ", "))")
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}
