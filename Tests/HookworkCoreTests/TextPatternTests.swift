import HookworkCore
import Testing

/// One pattern tried against one message, with what the reference answers (spec §7.3 and `text_match.jsonl`).
struct TextMatchExample: Sendable, CustomTestStringConvertible {
    var pattern: String
    var text: String
    var typos = 0
    var found: Bool
    var typosUsed = 0

    var testDescription: String { "\(pattern.debugDescription) in \(text.debugDescription) (typos \(typos))" }
}

@Suite("Text matching (spec §7)")
struct TextPatternTests {
    static let specRows: [TextMatchExample] = [
        // Word boundaries: start, end and `" , space ' : . ? !` only.
        .init(pattern: "hello", text: "Hello there", found: true),
        .init(pattern: "hello", text: "say,hello", found: true),
        .init(pattern: "hello", text: "\"hello\"", found: true),
        .init(pattern: "hello", text: "hello?", found: true),
        .init(pattern: "hello", text: "hellothere", found: false),
        .init(pattern: "hello", text: "say-hello", found: false),
        .init(pattern: "hello", text: "(hello)", found: false),
        .init(pattern: "hello", text: "hello\tworld", found: false),
        .init(pattern: "hello", text: "hello\r\nworld", found: true),
        // Typos are substitutions only, never on the first letter.
        .init(pattern: "hello", text: "helo", typos: 1, found: false),
        .init(pattern: "hello", text: "hallo", typos: 1, found: true, typosUsed: 1),
        .init(pattern: "hello", text: "jello", typos: 1, found: false),
        .init(pattern: "hello", text: "hxllp", typos: 2, found: true, typosUsed: 2),
        .init(pattern: "hello$", text: "hellp", typos: 1, found: false),
        .init(pattern: "hello$", text: "hallo", typos: 1, found: true, typosUsed: 1),
        .init(pattern: "hello{1}", text: "hallo", found: true, typosUsed: 1),
        .init(pattern: "hel{2}lo", text: "hxxlo", found: true, typosUsed: 2),
        // Prefix and suffix stars; the prefix is a cut at the first occurrence of the first letter.
        .init(pattern: "hello*", text: "hellos", found: true),
        .init(pattern: "*llo", text: "say hello", found: true),
        .init(pattern: "*bar", text: "abc foobar", found: false),
        .init(pattern: "price*$", text: "prices", found: true),
        // Phrases, alternatives and parts.
        .init(pattern: "are you there", text: "hey are you there?", found: true),
        .init(pattern: "are you there", text: "are  you there", found: false),
        .init(pattern: "hi, hello", text: "hello world", found: true),
        .init(pattern: "car && price", text: "price of car", found: true),
        .init(pattern: "fish,car && price{2}$", text: "car prike", found: true, typosUsed: 1),
        .init(pattern: "1", text: "10", found: false),
        .init(pattern: "10", text: "10.5", found: true),
        .init(pattern: "", text: "anything", found: false),
        .init(pattern: "hello && ", text: "hello", found: false),
        // Regex alternatives: raw text, PCRE flags, never trimmed.
        .init(pattern: "/^hel/", text: "Hello", found: false),
        .init(pattern: "/^hel/i", text: "Hello", found: true),
        .init(pattern: "x, /^hel/i", text: "Hello", found: false),
    ]

    @Test("spec §7.3 rows give the reference's answers", arguments: specRows)
    func specRow(_ example: TextMatchExample) {
        let result = TextPattern(example.pattern, compatibility: .reference).match(example.text, typos: example.typos)
        #expect(result == TextMatchResult(found: example.found, typosUsed: example.typosUsed))
    }

    @Test("`cash$*` means `cash*$` in Hookwork's reading and keeps a literal `$` in the reference's")
    func dollarStar() {
        for text in ["cash", "cashback", "Cash!"] {
            #expect(TextPattern("cash$*").match(text, typos: 0).found)
            #expect(TextPattern("cash$*").match(text, typos: 0) == TextPattern("cash*$").match(text, typos: 0))
            #expect(!TextPattern("cash$*", compatibility: .reference).match(text, typos: 0).found)
        }
        // Still "exact last letter": a typo on the last compared letter is refused.
        #expect(!TextPattern("cash$*").match("casx", typos: 1).found)
        #expect(TextPattern("cash$*", compatibility: .reference).match("cash$ now", typos: 0).found)
    }

    @Test(
        "`[params max_words=N]` rejects longer messages before any matching",
        arguments: [
            TextMatchExample(pattern: "fish,car && price [params max_words=3]", text: "car price please", found: true),
            TextMatchExample(pattern: "fish,car && price [params max_words=3]", text: "car price please now", found: false),
            TextMatchExample(pattern: "hello [params max_words=2]", text: "hello  you", found: false),  // empty words count
            TextMatchExample(pattern: "hello [params max_words=2]", text: "hello,world,again", found: true),  // commas go
            TextMatchExample(pattern: "hello [params max_words=2]", text: "hello\nworld\nagain", found: false),
            TextMatchExample(pattern: "hello [params max_words=0]", text: "hello you there", found: true),  // 0 disables
            TextMatchExample(pattern: "hello [params max_words]", text: "hello you", found: true),
            TextMatchExample(pattern: "hello [params foo=bar max_words=1]", text: "hello you", found: false),
            TextMatchExample(pattern: "hello [params max_words=abc]", text: "hello you", found: true),  // "2" < "abc"
            TextMatchExample(pattern: "car{1} [params max_words=1]", text: "cxr too", found: false),  // no typos counted
        ])
    func maxWords(_ example: TextMatchExample) {
        let result = TextPattern(example.pattern).match(example.text, typos: example.typos)
        #expect(result == TextMatchResult(found: example.found, typosUsed: example.typosUsed))
    }

    @Test("`_com_` stands for a comma inside a regex, since a raw comma splits alternatives")
    func regexComma() {
        #expect(TextPattern("/^[a-z]{3_com_6}$/").match("abcd", typos: 0).found)
        #expect(!TextPattern("/^[a-z]{3_com_6}$/").match("ab", typos: 0).found)
        #expect(TextPattern("/a_com_b/").match("a,b", typos: 0).found)
        #expect(!TextPattern("/a,b/").match("a,b", typos: 0).found)
    }

    @Test("regex flags follow PHP: `u` decides Unicode case folding, bad patterns and `e` never match")
    func regexFlags() {
        #expect(TextPattern("/привет/iu").match("ПРИВЕТ", typos: 0).found)
        #expect(!TextPattern("/привет/i").match("ПРИВЕТ", typos: 0).found)
        #expect(TextPattern("/привет/").match("привет", typos: 0).found)
        #expect(TextPattern("/^.{6}$/u").match("привет", typos: 0).found)
        #expect(TextPattern("/^.{12}$/").match("привет", typos: 0).found)  // bytes without `u`
        #expect(TextPattern("/are.*hey/s").match("are\nhey", typos: 0).found)
        #expect(!TextPattern("/are.*hey/").match("are\nhey", typos: 0).found)
        #expect(TextPattern("/^hey/m").match("hi\nhey", typos: 0).found)
        #expect(!TextPattern("/[a-z/").match("abc", typos: 0).found)
        #expect(!TextPattern("/abc/e").match("abc", typos: 0).found)
        #expect(TextPattern("/a{/").match("a{", typos: 0).found)  // a `{` that starts no quantifier is literal in PCRE
        #expect(TextPattern("/manager/I").match("/manager/i", typos: 0).found)  // upper-case flag: a plain word
    }

    @Test(
        "each code point is lower-cased on its own; composed and decomposed accents differ",
        arguments: [
            TextMatchExample(pattern: "Привет", text: "привет мир", found: true),
            TextMatchExample(pattern: "ÜBER", text: "über alles", found: true),
            TextMatchExample(pattern: "straße", text: "STRASSE", found: false),
            TextMatchExample(pattern: "café", text: "cafe\u{301}", found: false),
            TextMatchExample(pattern: "👍", text: "👍🏽", found: false),  // the skin tone is a second code point
            TextMatchExample(pattern: "👍", text: "great 👍", found: true),
            TextMatchExample(pattern: "ΓΕΙΑ", text: "γεια σου", found: true),
            TextMatchExample(pattern: "istanbul", text: "İstanbul", found: false),  // "İ" lowers to two code points, one letter
            TextMatchExample(pattern: "İstanbul", text: "İSTANBUL", found: true),
        ])
    func unicodeLowerCase(_ example: TextMatchExample) {
        let result = TextPattern(example.pattern).match(example.text, typos: example.typos)
        #expect(result == TextMatchResult(found: example.found, typosUsed: example.typosUsed))
    }

    @Test("typos_used keeps the typos of the parts that matched before a failing one")
    func typosUsedWhenNotFound() {
        #expect(TextPattern("car{1} && zzz").match("cxr", typos: 0) == TextMatchResult(found: false, typosUsed: 1))
        #expect(TextPattern("car{1} && price{1}").match("cxr prxce", typos: 0) == TextMatchResult(found: true, typosUsed: 2))
        #expect(TextPattern("zzz && car{1}").match("cxr", typos: 0) == TextMatchResult(found: false, typosUsed: 0))
    }

    @Test("the first `{d}` sets the allowance and every copy of that same token is removed")
    func typoTokens() {
        #expect(!TextPattern("he{1}{2}llo").match("hxllo", typos: 0).found)
        #expect(TextPattern("he{1}{2}llo").match("he{2}llo", typos: 0).found)
        #expect(TextPattern("i{1}s{1}$").match("is!", typos: 0).found)
    }

    @Test("the pattern is cut as UTF-8 bytes, as PHP does: a combining mark does not hide a `,` or `*` before it")
    func combiningMarks() {
        #expect(TextPattern("x,\u{301}b").match("\u{301}b", typos: 0).found)
        #expect(TextPattern("*\u{301}b").match("a\u{301}b", typos: 0).found)
    }

    @Test("patterns are equal when written with the same code points and read alike")
    func equality() {
        #expect(TextPattern("a,b") == TextPattern("a,b"))
        #expect(TextPattern("caf\u{E9}") != TextPattern("cafe\u{301}"))  // equal Swift strings, different matches
        #expect(TextPattern("a,b") != TextPattern("a,b", compatibility: .reference))
        #expect(Set([TextPattern("x"), TextPattern("x"), TextPattern("y")]).count == 2)
        #expect(TextPattern("hello && world").source == "hello && world")
    }
}
