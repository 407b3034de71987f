import Testing

@testable import HookworkCore

/// The bot-text dialect (`translateMessage`, spec §8.4), as `BotTextTemplate` documents it.
@Suite("Bot-text templates")
struct BotTextTests {
    static let now = 1_732_450_000  // 2024-11-24 12:06:40 UTC, a Sunday
    static let args: JSONValue = try! JSONValue(
        parsing: #"""
            {"chat":{"id":5,"nick":"Jo <b>&","email":"","time":1732450000,"status":0,
              "department":{"id":1,"name":"Sales"},"user":{"username":"ann","email":"a@x"},
              "chat_variables_array":{"plan":"gold","n":3,"b":true,"list":["p","q"],"blob":"{\"a\":[1,2]}"},
              "additional_data_array":[{"key":"Age","value":33},{"key":"Plan","identifier":"plan","value":"Pro"}]},
             "msg":{"msg":"hi / there"},"msg_text":"payload"}
            """#
    )

    static func render(_ text: String, jsonMode: Bool = false) -> String {
        BotTextTemplate(text, jsonMode: jsonMode).render(args: args, now: now)
    }

    @Test(
        "{args.PATH} prints the value's text; missing prints nothing",
        arguments: [
            ("Hi {args.chat.nick}!", "Hi Jo <b>&!"),
            ("{args.msg.msg} / {args.msg_text}", "hi / there / payload"),
            ("[{args.chat.missing}] [{args.chat.status}] [{args.chat.chat_variables_array.b}]", "[] [0] [1]"),
            ("{args.chat.department} / {args.chat.user}", "Sales / ann (a@x)"),
            ("{args.chat.chat_variables_array.list}", #"["p","q"]"#),
            ("{args.chat.chat_variables_array.blob___json_text.a.1}", ""),  // `__json` is cut out of `___json_text`
            ("{args.chat.chat_variables_array.list___array_pop}", "q"),
        ]
    )
    func plain(template: String, expected: String) {
        #expect(Self.render(template) == expected)
    }

    @Test(
        "suffixes encode, test and choose",
        arguments: [
            ("{args.chat.nick__url}", "Jo%20%3Cb%3E%26"),
            ("{args.chat.nick__escape}", "Jo &lt;b&gt;&amp;"),
            // `__json` changes nothing in this dialect.
            ("{args.chat.nick__json} {args.chat.missing__json} {args.chat.chat_variables_array.n__json}", "Jo <b>&  3"),
            ("{args.chat.nick__direct}", "Jo <b>&"),
            ("[{args.chat.email__not_empty__has mail}][{args.chat.nick__not_empty__has nick}]", "[][has nick]"),
            ("[{args.chat.email__is_empty__no mail}][{args.chat.nick__is_empty__no nick}]", "[no mail][Jo <b>&]"),
            ("{args.chat.email__or__chat.nick}", "Jo <b>&"),
            ("[{args.chat.email__or__args.chat.nick}]", "[]"),  // alternatives have no `args.` prefix
            ("{args.chat.email__or__chat.missing__or__string__Guest}", "Guest"),
            ("[{args.chat.missing__or__chat.email}]", "[]"),  // none qualifies: the last one counts
            ("{args.chat.email__or__chat.nick__url}", "Jo%20%3Cb%3E%26"),
            ("{args.chat.time__datef__Y__not_empty__q}", "2024__11202430_UTC11Z3024__q"),  // the format takes the rest
            ("{args.chat.time__datef__Y-m-d H:i:s}", "2024-11-24 12:06:40"),
            ("{args.chat.time__datef__D, j M \\a\\t G:i}", "Sun, 24 Nov at 12:06"),
            ("{args.chat.nick__datef__Y}", ""),
        ]
    )
    func suffixes(template: String, expected: String) {
        #expect(Self.render(template) == expected)
    }

    @Test("lists, maps and chats have no text form: translate fails as the reference does, render writes JSON")
    func noTextForm() {
        let template = BotTextTemplate("Tags: {args.chat.chat_variables_array.list}")
        #expect(throws: BotTextError.self) { try template.translate(args: Self.args, now: Self.now).get() }
        #expect(template.render(args: Self.args, now: Self.now) == #"Tags: ["p","q"]"#)
        #expect(throws: BotTextError.self) { try BotTextTemplate("{args.chat}").translate(args: Self.args, now: Self.now).get() }
        #expect(throws: BotTextError.self) { try BotTextTemplate("{args.chat.nick__datef__Y}").translate(args: Self.args, now: Self.now).get() }
    }

    @Test("replacements run over the whole text in order, so values may bring in later placeholders")
    func order() throws {
        let args = try JSONValue(
            parsing:
                #"{"chat":{"id":9,"nick":"{lhc.email} {args.chat.id}","email":"{args.chat.status}","status":1,"chat_variables_array":{"a":"{lhc.var.b}","b":"B"}}}"#
        )
        #expect(BotTextTemplate("{lhc.nick}|{lhc.var.a}").render(args: args, now: 0) == "1 9|B")
        // `{args.…}` values are not scanned by their own placeholder again, but a later one replaces what they brought.
        #expect(BotTextTemplate("{args.chat.nick} / {args.chat.id}").render(args: args, now: 0) == "{lhc.email} 9 / 9")
        #expect(
            BotTextTemplate("{args.chat.email} / {args.chat.nick}").render(args: args, now: 0) == "{args.chat.status} / {lhc.email} {args.chat.id}")
        #expect(BotTextTemplate("{args.chat.{args.chat.id}}|12345").render(args: args, now: 0) == "|12345")
    }

    @Test("JSON mode writes plain values as JSON and __direct as bare text")
    func jsonMode() {
        let text =
            #"{"nick": {args.chat.nick}, "missing": {args.chat.missing}, "n": {args.chat.chat_variables_array.n}, "raw": "{args.chat.nick__direct}"}"#
        #expect(Self.render(text, jsonMode: true) == #"{"nick": "Jo <b>&", "missing": null, "n": 3, "raw": "Jo <b>&"}"#)
    }

    @Test("{lhc.…} reads the chat; an unknown variable stays as written, as in the reference")
    func chatFields() {
        #expect(Self.render("{lhc.nick}|{lhc.email}|{lhc.department}") == "Jo <b>&||Sales")
        #expect(Self.render("{lhc.var.plan}|{lhc.var.n}|{lhc.var.b}|{lhc.add.Age}|{lhc.add.plan}") == "gold|3|{lhc.var.b}|33|Pro")
        #expect(BotTextTemplate("{lhc.nick}|{lhc.var.plan}").render(args: [:], now: 0) == "|{lhc.var.plan}")
    }

    @Test("the clock, translation items and other braces")
    func others() {
        #expect(Self.render("{current_time_ts}") == "1732450000")
        #expect(Self.render("{welcome_message__Welcome to our website}") == "Welcome to our website")
        #expect(Self.render("{noon__Good day__t[12:13]}|{night__Good night__t[22:24]}") == "Good day|")
        #expect(Self.render("{sunday__Sunday__t[0:24]||7}|{monday__Monday__t[0:24]||1,2}") == "Sunday|")
        #expect(Self.render("{plain} {a{b}} {args.chat.nick") == "{plain} {a{b}} {args.chat.nick")
    }
}
