import HookworkCore
import Testing

@Suite("Text matching (spec §7)")
struct TextPatternTests {
    @Test(
        "matches the spec's run results",
        arguments: [
            ("hello", "Hello there", 0, true),
            ("hello", "say,hello", 0, true),
            ("hello", "say-hello", 0, false),
            ("hello", "(hello)", 0, false),
            ("hello", "hello\tworld", 0, false),
            ("hello", "helo", 1, false),
            ("hello", "hallo", 1, true),
            ("hello", "jello", 1, false),
            ("hello$", "hellp", 1, false),
            ("hel{2}lo", "hxxlo", 0, true),
            ("*llo", "say hello", 0, true),
            ("price*$", "prices", 0, true),
            ("are you there", "are  you there", 0, false),
            ("car && price", "price of car", 0, true),
            ("fish,car && price [params max_words=3]", "car price please now", 0, false),
            ("/^[a-z]{3_com_6}$/", "abcd", 0, true),
            ("/^hel/", "Hello", 0, false),
            ("/^hel/i", "Hello", 0, true),
            ("Привет", "привет мир", 0, true),
            ("1", "10", 0, false),
            ("10", "10.5", 0, true),
            ("", "anything", 0, false),
        ]
    )
    func spec(pattern: String, text: String, typos: Int, found: Bool) {
        #expect(TextPattern(pattern, compatibility: .reference).match(text, typos: typos).found == found)
    }

    @Test("reads the documented `cash$*` as `cash*$` by default, and as the reference does in reference mode")
    func dollarStar() {
        #expect(TextPattern("price$*").match("prices", typos: 0).found)
        #expect(!TextPattern("price$*", compatibility: .reference).match("prices", typos: 0).found)
    }

    @Test("counts typos of the parts that matched even when a later part fails")
    func typosWhenNotFound() {
        let result = TextPattern("car{1} && zzz").match("cxr", typos: 0)
        #expect(result == TextMatchResult(found: false, typosUsed: 1))
    }

    @Test("a regex with an unknown modifier never matches instead of failing")
    func badRegex() {
        #expect(!TextPattern("/abc/e").match("abc", typos: 0).found)
        #expect(!TextPattern("/[a-z/").match("abc", typos: 0).found)
    }
}
