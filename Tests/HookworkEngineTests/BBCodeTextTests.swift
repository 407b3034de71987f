import HookworkCore
import Testing

@testable import HookworkEngine

@Suite("mail parse_bbcode: basic BBCode to plain text")
struct BBCodeTextTests {
    @Test(
        "tags become plain text",
        arguments: [
            ("[b]Hi[/b] [i]Ann[/i], [u]see[/u] [s]old[/s]", "Hi Ann, see old"),
            ("Go to [url=https://shop.example/a]the shop[/url].", "Go to the shop (https://shop.example/a)."),
            ("[url]https://shop.example[/url]", "https://shop.example"),
            ("[url=https://a.example]https://a.example[/url]", "https://a.example"),
            ("[img]https://a.example/x.png[/img]", "https://a.example/x.png"),
            ("[quote]said[/quote] [color=red]red[/color] [size=3]big[/size]", "said red big"),
            ("Items:[list][*]one[*]two[/list]", "Items:\n- one\n- two"),
            ("[B]Case[/B] [unknown]stays[/unknown]", "Case [unknown]stays[/unknown]"),
            ("no tags [here", "no tags [here"),
        ]
    )
    func plain(input: String, expected: String) {
        #expect(BBCodeText.plain(input) == expected)
    }

    @Test("the mail body is converted only when parse_bbcode is JSON true, as the reference's === true")
    func onlyWhenTrue() {
        func body(_ flag: JSONValue?) -> String? {
            var options = JSONObject([("recipient", "a@example.com"), ("from_email", "b@example.com")])
            if let flag { options["parse_bbcode"] = flag }
            let content = JSONObject([("text", "[b]Hello[/b] {args.chat.nick}"), ("mail_options", .object(options))])
            let args = JSONValue.object(JSONObject([("chat", .object(JSONObject([("id", 7), ("nick", "Ann")])))]))
            return MailAction.envelope(MailContent(content), args: args, rootKind: .argsWithChat, now: 0, defaultFrom: nil).0?.body
        }
        #expect(body(.bool(true)) == "Hello Ann")
        #expect(body(nil) == "[b]Hello[/b] Ann")
        #expect(body(.int(1)) == "[b]Hello[/b] Ann")
    }
}
