import Testing

@testable import HookworkCore

/// Hostile values from visitors and administrators: every parser and evaluator stays within its limits, and a value
/// past them makes that one condition false with the reason in the trace (README, "Limits").
@Suite("Bounded input")
struct BoundedInputTests {
    static func nickList(_ op: String = "eq", _ value: String = "1") throws -> ConditionList {
        try ConditionList(
            configuration: [["type": "3", "attr": "{args.chat.nick}", "condition": .string(op), "value": .string(value), "logic": "and"]])
    }

    static func evaluate(_ list: ConditionList, nick: String, variant: ConditionVariant = .hook) -> ConditionOutcome {
        list.evaluate(ConditionInput(args: ["chat": ["id": 1, "nick": .string(nick)]], now: 1_700_000_000), variant: variant, trace: true)
    }

    @Test(
        "200,000 nested parentheses in a visitor's nick make the condition false with a limit reason, in every variant",
        arguments: ConditionVariant.allCases)
    func deepParentheses(_ variant: ConditionVariant) throws {
        let nick = String(repeating: "(", count: 200_000) + "1" + String(repeating: ")", count: 200_000)
        let outcome = Self.evaluate(try Self.nickList(), nick: nick, variant: variant)
        #expect(!outcome.valid)
        let line = try #require(outcome.trace.first?.lines.first)
        #expect(line.error?.contains("LimitError") == true, "\(line.text.prefix(200))")
    }

    @Test("a 50,000-term sum is refused by the token limit; 2,000 terms still evaluate, without recursion")
    func longSums() throws {
        let huge = Array(repeating: "1", count: 50_000).joined(separator: "+")
        #expect(throws: ArithmeticError.self) { try ArithmeticExpression(parsing: huge) }
        let long = Array(repeating: "1", count: 2_000).joined(separator: "+")
        #expect(try ArithmeticExpression.evaluate(long) == .int(2_000))
        // The exact route (concatenation) walks the same postfix program.
        #expect(try ArithmeticExpression.evaluate("(" + long + ").(5)") == .string("20005"))
        let outcome = Self.evaluate(try Self.nickList("eq", "2000"), nick: long)
        #expect(outcome.valid)
    }

    @Test("nesting just inside the limit evaluates as PHP does; one level more is a limit error")
    func nestingLimit() throws {
        let depth = ArithmeticExpression.maxNesting
        let inside = String(repeating: "(", count: depth) + "2" + String(repeating: ")", count: depth) + "*3"
        #expect(try ArithmeticExpression.evaluate(inside) == .int(6))
        let over = String(repeating: "(", count: depth + 1) + "2" + String(repeating: ")", count: depth + 1)
        #expect {
            try ArithmeticExpression(parsing: over)
        } throws: { error in
            guard case .limit = error as? ArithmeticError else { return false }
            return true
        }
        // Unary signs and `**` count as nesting too.
        let signs = String(repeating: "-(", count: 5_000) + "1" + String(repeating: ")", count: 5_000)
        #expect(throws: ArithmeticError.self) { try ArithmeticExpression(parsing: signs) }
        let powers = Array(repeating: "2", count: 5_000).joined(separator: "**")
        #expect(throws: ArithmeticError.self) { try ArithmeticExpression(parsing: powers) }
    }

    @Test("a catastrophic regular expression stops at its time limit and says so in the trace")
    func regexTimeLimit() throws {
        let list = try Self.nickList("like", "/^(a+)+$/")
        let clock = ContinuousClock()
        let started = clock.now
        let outcome = Self.evaluate(list, nick: String(repeating: "a", count: 34) + "!")
        let elapsed = clock.now - started
        #expect(!outcome.valid)
        let line = try #require(outcome.trace.first?.lines.first)
        #expect(line.error?.contains("time limit") == true, "\(line.text)")
        // Without the limit this match runs for minutes; with it, it ends within a generous multiple of 50 ms.
        #expect(elapsed < .seconds(10))
        // An ordinary match is unaffected.
        #expect(Self.evaluate(list, nick: "aaaa").valid)
    }

    @Test("saving refuses arithmetic past the limits, over-long sides and over-long placeholder paths, naming the field")
    func saveTimeLimits() throws {
        func issues(_ attr: String) throws -> [ConditionIssue] {
            try ConditionList(configuration: [["type": "3", "attr": .string(attr), "condition": "eq", "value": "1"]]).validate()
        }
        let nested = String(repeating: "(", count: 1_000) + "1" + String(repeating: ")", count: 1_000)
        #expect(try issues(nested).contains { $0.field == "attr" && $0.reason.contains("nests deeper") })
        let many = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        #expect(try issues(many).contains { $0.field == "attr" && $0.reason.contains("tokens") })
        let path = "{args.chat" + String(repeating: ".a", count: 100_000) + "}"
        #expect(try issues(path).contains { $0.field == "attr" && $0.reason.contains("over the limit") })
        let segments = "{args.chat" + String(repeating: ".a", count: 100) + "}"
        #expect(try issues(segments).contains { $0.field == "attr" && $0.reason.contains("path segments") })
        // 300 KB of unbalanced placeholders: refused for its length at once, and scanning them is linear.
        let unbalanced = String(repeating: "{args.", count: 50_000)
        #expect(try issues(unbalanced).contains { $0.reason.contains("over the limit") })
        #expect(PlaceholderScanner.argsMatches(in: Array(unbalanced.utf8)).isEmpty)
        #expect(try issues(String(repeating: "{args.", count: 10_000)).contains { $0.reason.contains("unbalanced") })
    }

    @Test("a long placeholder path that arrives at evaluation resolves in a loop")
    func longPathAtEvaluation() throws {
        let attr = "{args.chat" + String(repeating: ".a", count: 100_000) + "}"
        let list = try ConditionList(configuration: [["type": "3", "attr": .string(attr), "condition": "eq", "value": "0"]])
        let outcome = list.evaluate(ConditionInput(args: ["chat": ["id": 1]], now: 0), variant: .continuousChat, trace: true)
        #expect(outcome.trace.count == 1)
    }

    @Test("JSON nested deeper than 512 levels is refused with the offset")
    func deepJSON() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect {
            try JSONValue(parsing: text)
        } throws: { error in
            (error as? JSONParseError)?.reason.contains("512") == true
        }
    }

    @Test("a raw body full of unclosed blocks compiles in one pass and keeps its text")
    func unclosedBlocks() {
        let body = String(repeating: "{not_empty__args.chat.id}x", count: 20_000)
        let template = RestTemplate(body, context: .rawBody)
        #expect(template.substitute(TemplateInput(args: ["chat": ["id": 1]], now: 0)).hasPrefix("{not_empty__args.chat.id}x"))
    }
}

/// Credentials read back masked (README, "Secrets").
@Suite("Secret masking")
struct SecretMaskTests {
    @Test(
        "credentials in URLs are masked: the user-info password and credential query values",
        arguments: [
            ("https://user:pw@api.example.com/x?access_token=abc&page=2", "https://user:********@api.example.com/x?access_token=********&page=2"),
            ("http://api.example.com/x?api_key=k#frag", "http://api.example.com/x?api_key=********#frag"),
            ("http://api.example.com/x?q=1", "http://api.example.com/x?q=1"),
            ("http://token@api.example.com/", "http://********@api.example.com/"),
        ])
    func urls(_ url: String, _ masked: String) {
        #expect(SecretMask.maskURL(url) == masked)
    }

    static let document: JSONObject = [
        "name": "R",
        "configuration": [
            "host": "https://bot:hunter2@api.example.com", "signing_secrets": ["whsec_AAAA", "whsec_BBBB"],
            "parameters": [
                [
                    "id": "m1", "auth_bearer": "tok-1", "auth_password": "", "auth_api_key_key": "key-1",
                    "header": [
                        ["key": "X-Api-Token", "value": "ht"], ["key": "X-Plain", "value": "p"], ["key": "X-Marked", "value": "s", "secret": true],
                    ],
                    "query": [["key": "access_token", "value": "qt"], ["key": "page", "value": "1"]],
                ]
            ],
        ],
    ]

    @Test("a Rest API reads back with no secret in it, and saving that back keeps every stored secret")
    func restAPIRoundTrip() throws {
        let masked = SecretMask.maskRestAPI(Self.document)
        let text = JSONValue.object(masked).jsonText()
        for secret in ["hunter2", "whsec_AAAA", "whsec_BBBB", "tok-1", "key-1", "\"ht\"", "\"qt\"", "\"s\""] {
            #expect(!text.contains(secret), "\(secret) is readable in \(text)")
        }
        #expect(text.contains("\"p\"") && text.contains("\"page\""))
        let restored = SecretMask.restoreRestAPI(masked, stored: Self.document)
        #expect(JSONValue.object(restored) == JSONValue.object(Self.document))
        // A changed secret is taken as written.
        var method = try #require(masked["configuration"]?["parameters"]?.arrayValue?.first?.objectValue)
        method["auth_bearer"] = "tok-2"
        var configuration = try #require(masked["configuration"]?.objectValue)
        configuration["parameters"] = .array([.object(method)])
        var changed = masked
        changed["configuration"] = .object(configuration)
        let saved = SecretMask.restoreRestAPI(changed, stored: Self.document)
        let savedMethod = saved["configuration"]?["parameters"]?.arrayValue?.first
        #expect(savedMethod?["auth_bearer"] == "tok-2")
        #expect(savedMethod?["auth_api_key_key"] == "key-1")
    }
}
