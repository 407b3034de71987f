import Foundation
import Testing

@testable import HookworkCore

/// The Rest API `{{…}}` dialect in its three contexts (spec §8.3.1, §8.4; conformance README, "templates").
@Suite("Rest API templates")
struct TemplateTests {
    static let args: JSONValue = try! JSONValue(
        parsing: #"""
            {"chat":{"id":42,"nick":"John","email":"","phone":"+370 600","dep_id":3,"status":1,
              "department":{"id":3,"name":"Sales","stats":{"stats_array":{}}},
              "chat_variables_array":{"plan":"gold","tags":["a","b"],"n":5,"f":0.1,"tiny":1e-7,"b":true,"o":{"x":1},
                "uni":"Ąžuolas / \"q\"","e":"","zero":"0","list":{"0":"p","1":"q"},"emoji":"😀"},
              "additional_data_array":[{"key":"Plan","identifier":"plan","value":"Gold"},{"key":"Age","value":33},{"key":"Arr","value":["x"]}]},
             "msg":{"id":7,"msg":"  Hello \"World\" / ok [img]https://x.test/a.png[/img] ","user_id":0},
             "user_data":false}
            """#
    )

    static func render(
        _ text: String,
        _ context: TemplateContext,
        args: JSONValue = args,
        methodTexts: [String] = []
    ) -> Result<String, TemplateError> {
        RestTemplate(text, context: context, methodTexts: methodTexts).render(TemplateInput(args: args, now: 1_732_450_000))
    }

    @Test(
        "raw body: values arrive as PHP's json_encode writes them",
        arguments: [
            (#"{"nick": {{args.chat.nick}}}"#, #"{"nick": "John"}"#),
            (#"{"nick": "{{args.chat.nick}}"}"#, #"{"nick": ""John""}"#),
            (
                #"{"m": {{args.chat.missing}}, "n": {{args.chat.chat_variables_array.n}}, "b": {{args.chat.chat_variables_array.b}}}"#,
                #"{"m": null, "n": 5, "b": true}"#
            ),
            (#"{"f": {{args.chat.chat_variables_array.f}}, "t": {{args.chat.chat_variables_array.tiny}}}"#, #"{"f": 0.1, "t": 1.0e-7}"#),
            (#"{"tags": {{args.chat.chat_variables_array.tags}}, "o": {{args.chat.chat_variables_array.o}}}"#, #"{"tags": ["a","b"], "o": {"x":1}}"#),
            (#"{{args.chat.chat_variables_array.list}} {{args.chat.department.stats.stats_array}}"#, #"["p","q"] []"#),
            (#"{{args.chat.chat_variables_array.uni}}"#, #""\u0104\u017euolas \/ \"q\"""#),
            (#"{{args.chat.chat_variables_array.emoji}}"#, #""\ud83d\ude00""#),
            (#"{{args.user_data}} {{args.chat.chat_variables_array.e}}"#, #"false """#),
            (
                #"{"id": {{chat_id}}, "nick": {{lhc.nick}}, "dep": {{lhc.dep_id}}, "st": {{lhc.status}}}"#,
                #"{"id": 42, "nick": "John", "dep": 3, "st": 1}"#
            ),
            (#"{{lhc.var.plan}} {{lhc.var.none}} {{lhc.add.plan}} {{lhc.add.Age}} {{lhc.add.Arr}}"#, #""gold" null "Gold" 33 null"#),
            (#"{{custom_args_1}} {{unknown}} {{file_url}} {{media}} {{replaceable.x}}"#, #"null {{unknown}} null [] null"#),
            ("  \n{\"a\": 1}\t ", #"{"a": 1}"#),
        ]
    )
    func rawBodyValues(template: String, expected: String) throws {
        #expect(try Self.render(template, .rawBody).get() == expected)
    }

    @Test(
        "raw body: raw_, direct_ and sensitive_ prefixes",
        arguments: [
            (#""raw_{{args.chat.nick}}""#, #""John""#),
            (#""raw_{{args.chat.chat_variables_array.uni}}""#, #""\u0104\u017euolas \/ \"q\"""#),
            (#""raw_{{args.chat.chat_variables_array.n}}" "raw_{{args.chat.missing}}""#, #""5" "null""#),
            (#""raw_{{args.chat.chat_variables_array.tags}}""#, #""["a","b"]""#),
            (#""direct_{{args.chat.chat_variables_array.uni}}""#, #""Ąžuolas / "q"""#),
            (#""direct_{{args.chat.chat_variables_array.n}}" "direct_{{args.chat.missing}}""#, #""direct_5" "direct_null""#),
            (#""urlencode_{{args.chat.id}}""#, #""urlencode_42""#),
            (#"sensitive_{{args.chat.nick}} raw_sensitive_{{args.chat.nick}}"#, #""John" raw_"John""#),
            (#"raw_{{unknown}}"#, #"raw_{{unknown}}"#),
        ]
    )
    func rawBodyPrefixes(template: String, expected: String) throws {
        #expect(try Self.render(template, .rawBody).get() == expected)
    }

    @Test("raw body: the {{msg}} family reads args.msg.msg")
    func messageForms() throws {
        let body = try Self.render("{{msg}}|{{msg_lowercase}}|{{msg_clean}}|{{msg_clean_lowercase}}|raw_{{msg_shortened_256}}", .rawBody).get()
        #expect(
            body
                == #""  Hello \"World\" \/ ok [img]https:\/\/x.test\/a.png[\/img] "|"  hello \"world\" \/ ok [img]https:\/\/x.test\/a.png[\/img] "|"#
                + #""Hello \"World\" \/ ok"|"hello \"world\" \/ ok"|  Hello \"World\" \/ ok [img]https:\/\/x.test\/a.png[\/img] "#
        )
        let withoutMessage = try Self.render("{{msg}} {{msg_clean}}", .rawBody, args: ["chat": ["id": 1]]).get()
        #expect(withoutMessage == "\"\" \"\"")
    }

    @Test("raw body: msg_shortened_256 cuts at 254 bytes, and a split character makes json_encode fail")
    func shortenedMessage() throws {
        let ascii: JSONValue = ["msg": ["msg": .string(String(repeating: "a", count: 300))]]
        #expect(try Self.render("{{msg_shortened_256}}", .header, args: ascii).get().count == 254)
        let split: JSONValue = ["msg": ["msg": .string(String(repeating: "a", count: 253) + "é")]]
        #expect(try Self.render("[{{msg_shortened_256}}]", .rawBody, args: split).get() == "[]")
        #expect(try Self.render("[{{msg_shortened_256}}]", .header, args: split).get() == "[" + String(repeating: "a", count: 253) + "]")
    }

    @Test(
        "raw body: {not_empty__…} and {is_empty__…} blocks, decided before substitution",
        arguments: [
            (
                #"{"a": 1{not_empty__args.chat.email}, "e": {{args.chat.email}}{/not_empty}{is_empty__args.chat.email}, "none": true{/is_empty}}"#,
                #"{"a": 1, "none": true}"#
            ),
            (#"{"a": 1{not_empty__msg}, "m": 1{/not_empty}{not_empty__chat_id}, "c": 1{/not_empty}}"#, #"{"a": 1, "m": 1, "c": 1}"#),
            // Every `||` part must be registered somewhere in the method; args.chat.dep_id is not, so it counts as empty.
            (#"{"a": 1{not_empty__args.chat.nick||args.chat.dep_id}, "x": 1{/not_empty}{{args.chat.nick}}}"#, #"{"a": 1"John"}"#),
            // The closing tag may be of either kind; the opening one decides.
            (#"{"a": 1{not_empty__args.chat.chat_variables_array.e}, "e": 1{/is_empty}}"#, #"{"a": 1}"#),
            // lhc.var is added to the table only after the blocks are decided, so it is always empty here.
            (#"[{not_empty__lhc.var.plan}x{/not_empty}{{lhc.var.plan}}]"#, #"["gold"]"#),
            (#"[{not_empty__lhc.nick}n{/not_empty}{is_empty__lhc.email}e{/is_empty}{not_empty__lhc.department}d{/not_empty}]"#, "[ned]"),
            // A list is JSON text by then, never empty, even an empty one.
            (#"[{not_empty__args.chat.department.stats.stats_array}s{/not_empty}]"#, "[s]"),
            ("\n" + #"{{is_empty__args.chat.chat_variables_array.tags}"t": 1{/is_empty}, "k": 2}"#, #"{, "k": 2}"#),
        ]
    )
    func blocks(template: String, expected: String) throws {
        #expect(try Self.render(template, .rawBody).get() == expected)
    }

    @Test("raw body: a block variable registered in another field of the method is seen")
    func blockSeesOtherFields() throws {
        let template = "[{not_empty__args.chat.nick||args.chat.dep_id}both{/not_empty}]"
        #expect(try Self.render(template, .rawBody).get() == "[]")
        #expect(try Self.render(template, .rawBody, methodTexts: ["/chats/{{args.chat.nick}}", "{{args.chat.dep_id}}"]).get() == "[both]")
    }

    @Test(
        "raw body: plain_api tags go, interactive_api and button blocks are deleted, leftovers cleaned up",
        arguments: [
            (#"  {"x": {plain_api}"p"{/plain_api}{interactive_api}, "i": 1{/interactive_api}}  "#, #"{"x": "p"}"#),
            (#"{"a": 1{buttons_generic}, "b": 2{/buttons_generic}{reply_to}, "r": {{db_msg_id}}{/reply_to}}"#, #"{"a": 1}"#),
            (#"{"l": "{{lhc.var.{x}}", "b": "__lhc_bracket__"}"#, #"{"l": """", "b": "{{"}"#),
        ]
    )
    func bodyCleanUp(template: String, expected: String) throws {
        #expect(try Self.render(template, .rawBody).get() == expected)
    }

    @Test("raw body: user parameters with location body_param replace {{key}} first, as JSON strings")
    func bodyParameters() throws {
        let template = RestTemplate(#"{"p": {{param}}, "r": "raw_{{param}}", "m": {{msg}}}"#, context: .rawBody)
        let input = TemplateInput(args: Self.args, now: 0, bodyParams: ["param": "a/b", "msg": "override"])
        #expect(try template.render(input).get() == #"{"p": "a\/b", "r": "raw_"a\/b"", "m": "override"}"#)
    }

    @Test("the clock and the custom arguments come from the input")
    func clockAndCustomArgs() throws {
        let template = RestTemplate("{{timestamp}} {{date_utc}} {{custom_args_2}} {{ip}}", context: .rawBody)
        let input = TemplateInput(args: Self.args, now: 1_732_450_000, customArgs: [2: "c/2"], ip: "10.0.0.1")
        #expect(try template.render(input).get() == #"1732450000 "2024-11-24 12:06:40 UTC" "c\/2" "10.0.0.1""#)
        let header = RestTemplate("{{timestamp}}/{{date_utc}}", context: .header)
        #expect(try header.render(input).get() == "1732450000/2024-11-24 12:06:40 UTC")
    }

    @Test(
        "url: plain values, urlencode_ as RFC 3986, trimmed",
        arguments: [
            (
                "https://api.example.com/chats/{{args.chat.id}}?nick=urlencode_{{args.chat.nick}}&p=urlencode_{{args.chat.phone}}",
                "https://api.example.com/chats/42?nick=John&p=%2B370%20600"
            ),
            (
                "https://api.example.com/{{chat_id}}/{{lhc.var.plan}}?u=urlencode_{{args.chat.chat_variables_array.uni}}",
                "https://api.example.com/42/gold?u=%C4%84%C5%BEuolas%20%2F%20%22q%22"
            ),
            (
                "https://api.example.com/x?t=urlencode_{{args.chat.chat_variables_array.tags}}&m=urlencode_{{args.chat.missing}}",
                "https://api.example.com/x?t=%5B%22a%22%2C%22b%22%5D&m="
            ),
            (
                "  https://api.example.com/x/{{args.chat.chat_variables_array.n}}/{{args.chat.chat_variables_array.b}}/{{args.user_data}}  ",
                "https://api.example.com/x/5/1/"
            ),
            ("https://api.example.com/{{args.chat.chat_variables_array.o}}", #"https://api.example.com/{"x":1}"#),
        ]
    )
    func urls(template: String, expected: String) throws {
        #expect(try Self.render(template, .url).get() == expected)
    }

    @Test(
        "url: PHP's URL validation and the http/https check reject the result",
        arguments: [
            ("https://api.example.com/x?p={{args.chat.phone}}", TemplateError.Code.invalidURL),
            ("{{args.chat.missing}}", .invalidURL),
            ("https://api.example.com/{{args.chat.chat_variables_array.uni}}", .invalidURL),
            ("https://bad_host.example.com/", .invalidURL),
            ("ftp://api.example.com/x", .unsupportedScheme),
            ("HTTPS://api.example.com/x", .unsupportedScheme),
        ]
    )
    func rejectedURLs(template: String, code: TemplateError.Code) {
        guard case .failure(let error) = Self.render(template, .url) else {
            Issue.record("\(template) was accepted")
            return
        }
        #expect(error.code == code)
    }

    @Test("url: renderURL prepends the host and appends the query string, then validates the whole")
    func hostAndQuery() throws {
        let template = RestTemplate("/chats/{{chat_id}}", context: .url)
        let input = TemplateInput(args: Self.args, now: 0)
        #expect(
            try template.renderURL(host: " https://api.example.com \n", query: "a=1&b=2", input).get() == "https://api.example.com/chats/42?a=1&b=2")
        #expect(throws: TemplateError.self) { try template.renderURL(host: "api.example.com", input).get() }
    }

    @Test(
        "header: plain insertion, prefixes mean nothing",
        arguments: [
            ("Bearer {{args.chat.chat_variables_array.plan}}", "Bearer gold"),
            ("{{args.chat.chat_variables_array.tags}} {{args.chat.chat_variables_array.b}} {{args.chat.missing}}", #"["a","b"] 1 "#),
            ("raw_{{args.chat.nick}} urlencode_{{args.chat.nick}} direct_{{args.chat.nick}}", "raw_John urlencode_John direct_John"),
            ("{{lhc.nick}} {{lhc.var.plan}} {{lhc.var.none}}", "John gold "),
            (
                "{{args.chat.chat_variables_array.f}}/{{args.chat.chat_variables_array.o}}/{{args.chat.chat_variables_array.uni}}",
                #"0.1/{"x":1}/Ąžuolas / "q""#
            ),
            ("{{unknown}} {{lhc.department}}", #"{{unknown}} {"id":3,"name":"Sales","stats":{"stats_array":[]}}"#),
        ]
    )
    func headers(template: String, expected: String) throws {
        #expect(try Self.render(template, .header).get() == expected)
    }

    @Test(
        "PHP's FILTER_VALIDATE_URL, ported",
        arguments: [
            ("http://example.com", true), ("http://example", true), ("https://user:pa%20ss@x.com:8080/a?b#c", true),
            ("https://[::1]/", true), ("http://example.com./", true), ("http://1.2.3.4:80/", true), ("mailto:a@b.c", true),
            ("http://exa mple.com", false), ("http://-example.com", false), ("http://a_b.com", false), ("http://a.com-", false),
            ("http://x.com:99999/", false), ("http:///path", false), ("//example.com", false), ("http://ü.com", false), ("", false),
            ("http://u%2x@x.com", false), ("http://[1::2::3]/", false),
        ]
    )
    func urlValidation(url: String, valid: Bool) {
        #expect(PHPURL.isValid(url) == valid)
    }

    @Test("every recorded template case matches the reference")
    func conformance() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/templates.jsonl")
        let lines = try String(contentsOf: file, encoding: .utf8).split(whereSeparator: \.isNewline)
        #expect(lines.count == 200)
        var failures: [String] = []
        for line in lines {
            let testCase = try JSONValue(parsing: String(line))
            let result = TemplateConformance.run(
                context: testCase["context"]?.stringValue ?? "",
                template: testCase["template"]?.stringValue ?? "",
                args: testCase["args"] ?? .null
            )
            let expect = testCase["expect"] ?? .null
            let passed: Bool
            switch result {
            case .success(let output): passed = expect["output"]?.stringValue.map { $0.utf8.elementsEqual(output.utf8) } ?? false
            case .failure: passed = expect["error"] != nil
            }
            if !passed { failures.append(testCase["id"]?.stringValue ?? "?") }
        }
        #expect(failures.isEmpty, "failing: \(failures)")
    }
}
