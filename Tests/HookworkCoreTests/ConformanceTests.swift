import Foundation
import Testing

@testable import HookworkCore

/// The recorded reference cases, vendored from `shared/conformance/` into `Fixtures/`.
@Suite("Conformance with the reference implementation")
struct ConformanceTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func results(_ file: String) throws -> [ConformanceResult] {
        let text = try String(contentsOf: fixtures.appendingPathComponent(file), encoding: .utf8)
        return ConformanceRunner.run(lines: text)
    }

    @Test(
        "every case passes, known deviations aside",
        arguments: [
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
        var results: [String: ConformanceResult] = [:]
        var cases: [String: JSONValue] = [:]
        for file in ["conditions.jsonl", "rest_output.jsonl"] {
            for result in try Self.results(file) { results[result.id] = result }
            let text = try String(contentsOf: Self.fixtures.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(whereSeparator: \.isNewline) {
                let value = try JSONValue(parsing: String(line))
                if let id = value["id"]?.stringValue { cases[id] = value }
            }
        }
        for id in KnownDeviations.reasons.keys.sorted() {
            let result = try #require(results[id], "deviation \(id) names no case")
            #expect(!result.passed, "\(id) passes now; remove it from KnownDeviations")
            // Where the case records the intended behaviour, Hookwork must produce exactly that.
            if let intended = cases[id]?["expect_intended"] {
                #expect(ConformanceRunner.matches(got: result.got, expect: intended), "\(id) got \(result.got.jsonText())")
            }
        }
        // Every case that records an intended result is listed.
        for (id, value) in cases where value["expect_intended"] != nil {
            #expect(KnownDeviations.reasons[id] != nil, "\(id) has expect_intended but is not a listed deviation")
        }
    }
}
