import Testing

@testable import HookworkCore

/// Condition lists: grouping, the message cursor, the compare-attribute pipeline, errors and validation (spec §4).
@Suite("Conditions")
struct ConditionsTests {
    static let now = 1_732_450_000

    static func compare(_ attr: String, _ op: String, _ value: String, logic: String = "and") -> JSONValue {
        ["type": "3", "attr": .string(attr), "condition": .string(op), "value": .string(value), "logic": .string(logic)]
    }

    static func contains(_ pattern: String, logic: String = "and") -> JSONValue {
        ["type": "1", "message_contains": .string(pattern), "logic": .string(logic)]
    }

    static let startOfOR: JSONValue = ["type": "4"]

    static func evaluate(
        _ conditions: [JSONValue], chat: JSONValue = ["status": 1], args: JSONValue? = nil, messages: [ConditionMessage] = [],
        variant: ConditionVariant = .hook, resolver: ConditionResolver? = nil
    ) throws -> ConditionOutcome {
        let list = try ConditionList(configuration: .array(conditions), compatibility: .reference)
        return list.evaluate(
            ConditionInput(args: args ?? ["chat": chat], messages: messages, now: now, conditionResolver: resolver), variant: variant)
    }

    // MARK: Grouping (spec §4.2)

    /// Spec §4.2's run results, by name: `|` is an OR inside a cluster, `‖` a "Start of OR".
    static let groupingTable: [String: (conditions: [JSONValue], valid: Bool)] = [
        "5 and 1": ([status(5), status(1)], false),
        "(5 | 1)": ([status(5, logic: "or"), status(1)], true),
        "5 ‖ 1": ([status(5), startOfOR, status(1)], true),
        "(5 | 7 | 9) and 1": ([status(5, logic: "or"), status(7, logic: "or"), status(9), status(1)], false),
        "(5 | 1) and (9 | 1)": ([status(5, logic: "or"), status(1), status(9, logic: "or"), status(1)], true),
    ]

    static func status(_ value: Int, logic: String = "and") -> JSONValue {
        compare("{args.chat.status}", "eq", String(value), logic: logic)
    }

    @Test("the §4.2 run table, with status = 1", arguments: ConditionVariant.allCases, groupingTable.keys.sorted())
    func grouping(_ variant: ConditionVariant, _ name: String) throws {
        let (conditions, valid) = try #require(Self.groupingTable[name])
        #expect(try Self.evaluate(conditions, variant: variant).valid == valid)
    }

    @Test("an empty list passes a hook webhook only; a list of separators passes nothing")
    func emptyLists() throws {
        #expect(try Self.evaluate([], variant: .hook).valid)
        #expect(try !Self.evaluate([], variant: .continuousChat).valid)
        #expect(try !Self.evaluate([], variant: .continuousMail).valid)
        for variant in ConditionVariant.allCases {
            #expect(try !Self.evaluate([Self.startOfOR, Self.startOfOR], variant: variant).valid)
        }
    }

    @Test("logic compares case-sensitively: \"OR\" and \"or \" mean and", arguments: ["OR", "or ", "", "and"])
    func logicSpellings(_ logic: String) throws {
        let conditions = [Self.compare("{args.chat.status}", "eq", "5", logic: logic), Self.compare("{args.chat.status}", "eq", "1")]
        #expect(try !Self.evaluate(conditions).valid)
    }

    @Test(
        "type compares PHP-loosely; an item without a usable type is false",
        arguments: [
            (JSONValue.string("3"), true), (.int(3), true), (.string("03"), true), (.string("3 "), true), (.string("3.0"), true),
            (.string("x"), false), (.null, false),
        ])
    func typeSpellings(_ type: JSONValue, _ compares: Bool) throws {
        var condition = Self.compare("{args.chat.status}", "eq", "1")
        condition["type"] = type
        #expect(try Self.evaluate([condition]).valid == compares)
    }

    @Test("an OR cluster left open at the end of a group does not leak into the next (DESIGN §5 deviation 2)")
    func noLeakedCluster() throws {
        // The reference carries indices 0 and 1 into the second group, whose item 1 is true: it says valid.
        let conditions = [
            Self.compare("{args.chat.status}", "eq", "7", logic: "or"), Self.compare("{args.chat.status}", "eq", "8", logic: "or"),
            Self.startOfOR,
            Self.compare("{args.chat.status}", "eq", "9"), Self.compare("{args.chat.status}", "eq", "1"),
        ]
        #expect(try !Self.evaluate(conditions).valid)
    }

    // MARK: Type 1 (spec §4.3)

    /// Newest to oldest: visitor "are you there", system, visitor "hello", bot, visitor "hi".
    static let cursorMessages = [
        ConditionMessage(id: 1, userID: 0, text: "hi"), ConditionMessage(id: 2, userID: -2, text: "How can I help?"),
        ConditionMessage(id: 3, userID: 0, text: "hello"), ConditionMessage(id: 4, userID: -1, text: "Chat was transferred"),
        ConditionMessage(id: 5, userID: 0, text: "are you there"),
    ]

    @Test("each type-1 condition reads the next older non-system message", arguments: ConditionVariant.allCases.filter { $0 != .continuousMail })
    func cursor(_ variant: ConditionVariant) throws {
        let messages = Self.cursorMessages
        #expect(try Self.evaluate([Self.contains("are you there"), Self.contains("hello")], messages: messages, variant: variant).valid)
        #expect(
            try !Self.evaluate([Self.contains("hello", logic: "or"), Self.contains("are you there")], messages: messages, variant: variant).valid)
        let three = [Self.contains("are you there"), Self.contains("hello"), Self.contains("hi")]
        #expect(try !Self.evaluate(three, messages: messages, variant: variant).valid)
        #expect(try Self.evaluate([Self.contains("hello,are you there")], messages: messages.reversed(), variant: variant).valid)
    }

    @Test("the cursor restarts for every main group")
    func cursorPerGroup() throws {
        let conditions = [Self.contains("hello"), Self.startOfOR, Self.contains("are you there")]
        #expect(try Self.evaluate(conditions, messages: Self.cursorMessages, variant: .continuousChat).valid)
    }

    @Test("a mail event matches body or alt_body; continuous mail never matches type 1")
    func mailMessages() throws {
        let args: JSONValue = ["mail": ["subject": "Re: order", "body": "<p>hi</p>", "alt_body": "need a refund please"]]
        #expect(try Self.evaluate([Self.contains("refund")], args: args, variant: .hook).valid)
        #expect(try !Self.evaluate([Self.contains("invoice")], args: args, variant: .hook).valid)
        let mail: JSONValue = ["chat": ["status": 0, "body": "refund"]]
        #expect(try !Self.evaluate([Self.contains("refund")], args: mail, variant: .continuousMail).valid)
    }

    // MARK: Compare attribute (spec §4.4-4.9)

    static let chat: JSONValue = [
        "status": 1, "nick": "John Smith", "email": "", "pnd_time": 1000, "wait_time": 30,
        "chat_variables_array": ["tags": ["a", "b"]], "department": ["name": "Sales", "stats": ["stats_array": ["avg": 5]]],
    ]

    @Test(
        "the §4.9 run table (hook variant)",
        arguments: [
            ("{args.chat.status}", "eq", "01", true),
            ("{args.chat.status}", "eq", "1.0", true),
            ("{args.chat.nick}", "eq", "JohnSmith", true),
            ("{args.chat.nick}", "eq", "john smith", false),
            ("{args.chat.nick}", "like", "smith", true),
            ("{args.chat.nick}", "contains", "", true),
            ("{args.chat.missing}", "eq", "0", true),
            ("{args.chat.department.missing}", "eq", "0", true),
            ("{args.chat.email}", "empty", "", true),
            ("{time}-({args.chat.pnd_time}+{args.chat.wait_time})", "gt", "1.5*100", true),
            ("{args.chat.status}", "gte", "abc", true),
            ("{args.msg.msg}", "like", "refund", true),
            ("{args.chat.department}", "eq", "Sales", true),
            ("2024-01-01", "eq", "2022", true),
            ("+370 600 00000", "eq", "37060000000", true),
            ("0.0", "empty", "", true),
            ("007", "eq", "7", true),
            ("1/3", "eq", "0.33333333333333", true),
            ("1.5*300", "eq", "450", true),
            ("08", "eq", "8", true),  // a parse error leaves "08", which still equals 8 numerically
            ("12abc", "gt", "11.99", true),
            ("12abc", "gt", "11.9995", false),  // 11.9995 rounds to 12.000
            ("{args.chat.status}", "in_list", "0 || 1", true),
            ("{args.chat.status}", "not_in_list", "0 || 1", false),
        ])
    func hookRunTable(_ attr: String, _ op: String, _ value: String, _ valid: Bool) throws {
        let args: JSONValue = ["chat": Self.chat, "msg": ["msg": "I want a refund"]]
        let outcome = try Self.evaluate([Self.compare(attr, op, value)], args: args)
        #expect(outcome.valid == valid)
        #expect(outcome.raisedError == nil)
    }

    @Test("list items keep their spaces in the continuous variants; numeric items still match")
    func listSpacing() throws {
        let chat: JSONValue = ["status": 1, "lang": "b"]
        #expect(try !Self.evaluate([Self.compare("{args.chat.lang}", "in_list", "a || b")], chat: chat, variant: .continuousChat).valid)
        #expect(try Self.evaluate([Self.compare("{args.chat.lang}", "in_list", "a || b")], chat: chat, variant: .hook).valid)
        #expect(try Self.evaluate([Self.compare("{args.chat.status}", "in_list", "0 || 1")], chat: chat, variant: .continuousChat).valid)
        #expect(try Self.evaluate([Self.compare("{args.chat.lang}", "in_list_lowercase", "A||B")], chat: chat, variant: .continuousChat).valid)
    }

    @Test("`%` is arithmetic only in the continuous variants")
    func modulo() throws {
        #expect(try Self.evaluate([Self.compare("10%3", "eq", "1")], variant: .continuousChat).valid)
        #expect(try !Self.evaluate([Self.compare("10%3", "eq", "1")], variant: .hook).valid)
    }

    @Test("empty trims in the hook variant only")
    func emptyTrim() throws {
        let chat: JSONValue = ["status": 1, "note": "\0"]
        #expect(try Self.evaluate([Self.compare("{args.chat.note}", "empty", "")], chat: chat, variant: .hook).valid)
        #expect(try !Self.evaluate([Self.compare("{args.chat.note}", "empty", "")], chat: chat, variant: .continuousChat).valid)
    }

    @Test("{condition.ID} asks the resolver; without one it is not_valid")
    func conditionPlaceholders() throws {
        let conditions = [Self.compare("{condition.vip}", "eq", "valid")]
        #expect(try !Self.evaluate(conditions).valid)
        #expect(try Self.evaluate(conditions, resolver: { $0 == "vip" }).valid)
    }

    @Test("placeholders must balance; nested ones resolve as one path")
    func placeholderBraces() throws {
        // Unbalanced: stays literal text, which is not 0.
        #expect(try !Self.evaluate([Self.compare("{args.chat.status", "eq", "0")]).valid)
        // Nested: one placeholder whose path "chat.{args.chat.status}" is not found, so 0.
        #expect(try Self.evaluate([Self.compare("{args.chat.{args.chat.status}}", "eq", "0")]).valid)
    }

    // MARK: Errors (DESIGN §5 deviation 1)

    @Test("division by zero: an error in hooks, the side unchanged in continuous chat, a prefilter error in continuous mail")
    func divisionByZero() throws {
        let list = try ConditionList(configuration: [Self.compare("1/0", "eq", "1/0")])
        let input = ConditionInput(args: ["chat": ["status": 1]], now: Self.now)

        let hook = list.evaluate(input, variant: .hook, trace: true)
        #expect(hook.raisedError == "DivisionByZeroError: Division by zero")
        #expect(!hook.valid)
        #expect(hook.trace.first?.lines.first?.text == "attr => error: DivisionByZeroError: Division by zero => INVALID")

        let chat = list.evaluate(input, variant: .continuousChat, trace: true)
        #expect(chat.raisedError == nil)
        #expect(chat.valid)
        #expect(chat.trace.first?.lines.first?.text == #"attr => "1\/0" eq "1\/0" => VALID"#)

        let mail = list.evaluate(input, variant: .continuousMail)
        #expect(mail.raisedError == "DivisionByZeroError: Division by zero")
        #expect(!mail.valid)
    }

    @Test("an error makes only its condition false; later groups still count")
    func errorIsLocal() throws {
        let conditions = [Self.compare("8/0", "eq", "1"), Self.startOfOR, Self.compare("{args.chat.status}", "eq", "1")]
        let outcome = try Self.evaluate(conditions)
        #expect(outcome.valid)
        #expect(outcome.raisedError != nil)
    }

    @Test("an error in a group after the satisfied one is never reached")
    func unreachedError() throws {
        let conditions = [Self.compare("{args.chat.status}", "eq", "1"), Self.startOfOR, Self.compare("8/0", "eq", "1")]
        for variant in [ConditionVariant.hook, .continuousChat] {
            let outcome = try Self.evaluate(conditions, variant: variant)
            #expect(outcome.valid)
            #expect(outcome.raisedError == nil)
            // A trace evaluates the later group too and shows the error there, but the reference never raised it.
            let list = try ConditionList(configuration: .array(conditions))
            let traced = list.evaluate(ConditionInput(args: ["chat": ["status": 1]], now: Self.now), variant: variant, trace: true)
            #expect(traced.raisedError == nil)
            #expect(traced.trace.last?.lines.first?.error == "DivisionByZeroError: Division by zero" || variant != .hook)
        }
    }

    @Test("a placeholder that reaches a list, a map or a chat object has no text form", arguments: ConditionVariant.allCases)
    func noTextForm(_ variant: ConditionVariant) throws {
        // In continuous mail `chat` is a mail message, whose text form is its subject.
        let chatObject = variant == .continuousMail ? [] : ["{args.chat}"]
        for attr in ["{args.chat.chat_variables_array}", "{args.chat.department.stats}"] + chatObject {
            let outcome = try Self.evaluate([Self.compare(attr, "eq", "x")], chat: Self.chat, variant: variant)
            #expect(outcome.raisedError != nil, "\(attr)")
            #expect(!outcome.valid)
        }
    }

    @Test("the mail SQL prefilter raises on arithmetic the PHP step would shrug off")
    func mailPrefilter() throws {
        let chat: JSONValue = ["status": 8, "udate": 5]
        let conditions = [Self.compare("{args.chat.status}", "eq", "08")]
        #expect(try Self.evaluate(conditions, chat: chat, variant: .continuousChat).valid)
        #expect(try Self.evaluate(conditions, chat: chat, variant: .continuousMail).raisedError == "ParseError: Invalid numeric literal")
        // Not a column: left out of SQL, so no error.
        let notColumn = [Self.compare("{args.chat.conversation.status}", "eq", "08")]
        #expect(try Self.evaluate(notColumn, chat: chat, variant: .continuousMail).raisedError == nil)
    }

    // MARK: Trace, passes and validation

    @Test("with a trace every group is evaluated and reported in the reference's line format")
    func trace() throws {
        let list = try ConditionList(configuration: [
            Self.compare("{args.chat.status}", "eq", "1"), Self.startOfOR, Self.compare("{args.chat.status}", "lt", "{time}-60"),
            Self.contains("hello"),
        ])
        let outcome = list.evaluate(
            ConditionInput(args: ["chat": ["status": 1]], messages: [ConditionMessage(id: 1, userID: 0, text: "hello")], now: 100),
            variant: .continuousChat, trace: true)
        #expect(outcome.valid)
        #expect(outcome.trace.count == 2)
        #expect(outcome.trace[0].lines.map(\.text) == ["attr => 1 eq 1 => VALID"])
        #expect(outcome.trace[1].lines.map(\.text) == ["attr => 1 lt 40 => VALID", #"msg => "hello" like "hello" => VALID"#])
    }

    @Test("a pass evaluates many chats; evaluate(chat:) is evaluate(args: [\"chat\": chat])")
    func passes() throws {
        let list = try ConditionList(configuration: [
            Self.compare("{args.chat.status}", "eq", "5"), Self.compare("{args.chat.last_msg.time}", "lt", "{time}-60"),
        ])
        var pass = list.pass(now: Self.now, variant: .continuousChat)
        for (status, time, valid) in [(5, Self.now - 61, true), (5, Self.now - 60, false), (1, 0, false), (5, 0, true)] {
            let chat: JSONValue = ["id": 1, "status": .int(status), "last_msg": ["time": .int(time)]]
            #expect(pass.evaluate(chat: chat).valid == valid)
            #expect(pass.evaluate(args: ["chat": chat]).valid == valid)
        }
        var copy = pass
        #expect(copy.evaluate(chat: ["last_msg": ["time": 0], "status": 5]).valid)
    }

    @Test("only a configuration that is not a list fails to compile")
    func compileError() {
        #expect(throws: ConditionCompileError.self) { try ConditionList(configuration: ["type": "3"]) }
        #expect(throws: Never.self) { try ConditionList(configuration: [5, "x", .null, [:]]) }
    }

    @Test("validate() reports what the reference silently tolerates")
    func validate() throws {
        let list = try ConditionList(configuration: [
            ["type": "3", "attr": "{args.chat.status", "condition": "EQ", "value": "08", "logic": "OR"],
            ["type": "x"],
            ["attr": "1"],
            5,
            ["type": "1", "message_contains": ""],
            ["type": "3", "attr": "{Args.chat.x}", "condition": "like", "value": ""],
            ["type": "3", "attr": "1/0", "condition": "eq", "value": "1..2"],
            ["type": 4],
            ["type": "3", "attr": "{args.chat.a}", "condition": "gt", "value": "{time}-60"],
        ])
        let issues = list.validate().map { "\($0.index).\($0.field)" }
        #expect(
            issues == [
                "0.condition", "0.attr", "0.value", "0.logic", "1.type", "2.type", "3.type", "4.message_contains", "5.attr", "5.value",
                "6.attr", "6.value",
            ])
        #expect(list.validate()[0].reason.hasPrefix("unknown operator \"EQ\""))
    }
}
