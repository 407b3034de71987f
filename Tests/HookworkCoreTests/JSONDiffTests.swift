import HookworkCore
import Testing

@Suite("The difference between two configuration documents")
struct JSONDiffTests {
    static func json(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }

    @Test(
        "changes are listed member by member with JSON Pointer paths",
        arguments: [
            (#"{"a":1,"b":2}"#, #"{"b":2,"a":1}"#, [String]()),
            (#"{"a":1}"#, #"{"a":2}"#, ["changed /a"]),
            (#"{"a":1}"#, #"{}"#, ["removed /a"]),
            (#"{}"#, #"{"a":[1]}"#, ["added /a"]),
            (#"{"c":[{"v":1},{"v":2}]}"#, #"{"c":[{"v":1},{"v":3},{"v":4}]}"#, ["added /c/2", "changed /c/1/v"]),
            (#"{"c":[1,2,3]}"#, #"{"c":[1]}"#, ["removed /c/1", "removed /c/2"]),
            (#"{"a/b":1,"m~n":1}"#, #"{"a/b":2,"m~n":2}"#, ["changed /a~1b", "changed /m~0n"]),
            (#"{"a":{"x":1}}"#, #"{"a":"text"}"#, ["changed /a"]),
            (#"{"a":1}"#, #"{"a":1.0}"#, ["changed /a"]),
        ])
    func listed(before: String, after: String, expected: [String]) throws {
        let diff = JSONDiff(from: try Self.json(before), to: try Self.json(after))
        #expect(diff.changes.map { "\($0.operation) \($0.path)" } == expected)
        #expect(!diff.truncated)
    }

    @Test("a change's values are the members before and after, and a pointer finds them again")
    func values() throws {
        let before = try Self.json(#"{"conditions":[{"attr":"{args.chat.status}","value":"1"}],"a/b":{"c":true}}"#)
        let after = try Self.json(#"{"conditions":[{"attr":"{args.chat.status}","value":"2"}],"a/b":{"c":false}}"#)
        let diff = JSONDiff(from: before, to: after)
        #expect(
            diff.changes == [
                JSONChange(path: "/conditions/0/value", before: "1", after: "2"), JSONChange(path: "/a~1b/c", before: true, after: false),
            ])
        for change in diff.changes {
            #expect(before.value(atPointer: change.path) == change.before)
            #expect(after.value(atPointer: change.path) == change.after)
        }
        #expect(before.value(atPointer: "/conditions/5") == nil)
        #expect(before.value(atPointer: "") == before)
    }

    @Test("a deep or very different document is bounded: no recursion, at most maxChanges listed, truncation said")
    func bounded() {
        var deepBefore = JSONValue.int(1)
        var deepAfter = JSONValue.int(2)
        for _ in 0..<2_000 {
            deepBefore = .array([deepBefore])
            deepAfter = .array([deepAfter])
        }
        let deep = JSONDiff(from: deepBefore, to: deepAfter, maxDepth: 32)
        #expect(deep.changes.count == 1, "below the depth limit the differing value is one change")
        #expect(deep.changes.first?.path.split(separator: "/").count == 33)
        let wide = JSONDiff(
            from: .array((0..<5_000).map(JSONValue.int)), to: .array((0..<5_000).map { .int($0 + 1) }), maxChanges: 100)
        #expect(wide.changes.count == 100)
        #expect(wide.truncated)
    }
}
