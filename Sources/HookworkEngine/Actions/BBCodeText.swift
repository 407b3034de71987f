import Foundation

/// The `mail` action's `mail_options.parse_bbcode` (spec §8.2): the basic BBCode of chat texts turned into plain text
/// for the e-mail body (Hookwork sends `text/plain`). Formatting tags keep their content (`[b]Hi[/b]` -> `Hi`), links
/// and images become their address (`[url=https://a.example]shop[/url]` -> `shop (https://a.example)`), list items
/// start a `- ` line. Unknown tags stay as written.
enum BBCodeText {
    private static let rules: [(pattern: String, template: String)] = [
        (#"\[url=([^\]\s]+)\]\1\[/url\]"#, "$1"),
        (#"\[url=([^\]\s]+)\](.*?)\[/url\]"#, "$2 ($1)"),
        (#"\[url\](.*?)\[/url\]"#, "$1"),
        (#"\[img\](.*?)\[/img\]"#, "$1"),
        (#"\[\*\]\s*"#, "\n- "),
        (#"\[/?(?:b|i|u|s|code|quote|list|center|left|right)\]"#, ""),
        (#"\[(?:quote|color|size|font|list)=[^\]]*\]"#, ""),
        (#"\[/(?:color|size|font)\]"#, ""),
    ]

    private static let compiled: [(NSRegularExpression, String)] = rules.compactMap { rule in
        (try? NSRegularExpression(pattern: rule.pattern, options: [.caseInsensitive, .dotMatchesLineSeparators])).map { ($0, rule.template) }
    }

    /// `text` with its basic BBCode turned into plain text.
    static func plain(_ text: String) -> String {
        guard text.contains("[") else { return text }
        var out = text
        for (expression, template) in compiled {
            out = expression.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: template)
        }
        return out
    }
}
