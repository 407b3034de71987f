import Foundation
import HookworkCore
import Testing

/// The recorded reference cases, vendored from `shared/conformance/` into `Fixtures/`.
@Suite("Conformance with the reference implementation")
struct ConformanceTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func results(_ file: String) throws -> [ConformanceResult] {
        let text = try String(contentsOf: fixtures.appendingPathComponent(file), encoding: .utf8)
        return ConformanceRunner.run(lines: text)
    }

    @Test("every case passes, known deviations aside", arguments: [
            "text_match.jsonl", "extract.jsonl", "conditions.jsonl", "templates.jsonl", "bot_text.jsonl", "rest_output.jsonl",
        ])
    func file(_ file: String) throws {
        let results = try Self.results(file)
        #expect(results.count >= 200)
        let failing = results.filter { !$0.passed && $0.deviation == nil }
        let detail = failing.prefix(40).map { "\($0.id) got \($0.got.jsonText())" }.joined(separator: "\n")
        #expect(failing.isEmpty, "\(failing.count) failing cases in \(file):\n\(detail)")
    }

    @Test("each listed deviation really differs from the reference, so the list stays honest")
    func deviationsAreReal() throws {
        let results = try Self.results("conditions.jsonl")
        for id in KnownDeviations.reasons.keys.sorted() {
            let result = try #require(results.first { $0.id == id }, "deviation \(id) names no case")
            #expect(!result.passed, "\(id) passes now; remove it from KnownDeviations")
        }
    }
}
