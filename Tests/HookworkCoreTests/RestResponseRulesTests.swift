import HookworkCore
import Testing

@Suite("Rest API response rules (spec §8.3.2)")
struct RestResponseRulesTests {
    static let body = #"{"a":{"b":[{"k":"x","v":1},{"k":"y","v":2},{"k":"y","v":3}]},"n":[2,11,7],"t":"{\"s\":\"in\"}"}"#

    @Test(
        "success_location paths: ':' separator, [key=value] (last match wins), ___json_text, ___array_pop, __all__, __max__",
        arguments: [
            ("a:b:[k=y]:v", "3"), ("a:b:0:k", "x"), ("t___json_text:s", "in"), ("n___array_pop", "7"), ("__max__n", "11"),
            ("a:b:[k=__EXIST__]:v", "3"),
        ]
    )
    func paths(path: String, expected: String) throws {
        let root = try JSONValue(parsing: Self.body)
        let value = try #require(RestResponseRules.extract(path, from: root))
        #expect(PHPText.scalarText(value) == expected)
        #expect(RestResponseRules.extract("__all__", from: root) == root)
        #expect(RestResponseRules.extract("a:missing", from: root) == nil)
    }

    @Test(
        "checks compare PHP-loosely; an empty operator or value passes",
        arguments: [
            ("eq", "1.0", "1", true), ("neq", "a", "a", false), ("lt", "10", "9", true), ("gte", "10", "10", true), ("gt", "a", "b", true),
            ("like", "hello,hi", "Hi there", true), ("notlike", "hello", "hi", true), ("contains", "ell", "hello", true),
            ("notempty", "x", "0", false), ("notempty", "x", "y", true), ("notempty", "", "0", true), ("", "", "anything", true),
            ("lt", "9", "10a", true), ("eq", "box", "Box", false), ("between", "1", "x", true),
        ]
    )
    func checks(condition: String, expected: String, actual: String, holds: Bool) {
        #expect(RestResponseRules.check(condition, expected, .string(actual)) == holds)
    }

    @Test("rules run by output_priority, highest first, unprioritised last; the first match wins; no match gives the raw body")
    func priorities() throws {
        let rules =
            try JSONValue(
                parsing: #"""
                    [{"id":"none1","success_location":"n"},{"id":"p1","output_priority":"1","success_location":"a"},
                     {"id":"p5","output_priority":5,"success_location":"missing"},{"id":"p3","output_priority":3,"success_location":"t"}]
                    """#
            ).arrayValue ?? []
        let match = RestResponseRules.evaluate(rules: rules, status: 200, body: Self.body)
        #expect(match.ruleID == "p3")
        #expect(match.texts[0] == #"{"s":"in"}"#)
        #expect(RestResponseRules.evaluate(rules: rules, checked: ["none1"], status: 200, body: Self.body).ruleID == "none1")
        let none = RestResponseRules.evaluate(rules: [], status: 502, body: "bad gateway")
        #expect(none.ruleID == nil && none.texts[0] == "bad gateway")
        #expect(none.variables["{http_code}"] == "502" && none.variables["{content_raw}"] == "bad gateway")
    }

    @Test("success_preg_replace lines apply to every content; as_failed_request is reported")
    func pregReplace() throws {
        let rules = try JSONValue(
            parsing:
                #"[{"id":"r","success_location":"a:b:0:k","success_location_2":"t","success_preg_replace":"x==>X\n\"(\\w)\"==>[\\1]","as_failed_request":true}]"#
        )
        let match = RestResponseRules.evaluate(rules: rules.arrayValue ?? [], status: 200, body: Self.body)
        #expect(match.texts[0] == "X")
        #expect(match.texts[1] == #"{[s]:"in"}"#)
        #expect(match.failed)
        // The pattern is written without delimiters; one that PCRE cannot compile empties every content.
        let broken = try JSONValue(parsing: #"[{"id":"r","success_location":"a:b:0:k","success_preg_replace":"(x==>y"}]"#)
        #expect(RestResponseRules.evaluate(rules: broken.arrayValue ?? [], status: 200, body: Self.body).contents[0] == .null)
    }

    @Test("success_header items compare loosely with the code; an empty list accepts any code")
    func headers() throws {
        for (header, code, accepted) in [
            ("0200", 200, true), ("2e2", 200, true), (" 200", 200, true), ("2xx", 200, false), ("", 500, true), ("201,0", 0, true),
        ] {
            let rules = try JSONValue(parsing: #"[{"id":"h","success_header":"\#(header)"}]"#)
            #expect(
                (RestResponseRules.evaluate(rules: rules.arrayValue ?? [], status: code, body: "x").ruleID != nil) == accepted, "\(header) \(code)")
        }
    }
}
