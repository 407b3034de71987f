import Foundation
import HookworkCore

/// The extra variables a trigger run by another action receives (spec §8.1 `replace_array`): a Rest API output rule
/// passes `{content_1}` … `{content_6}`, `{http_code}`, `{content_raw}`, `{http_error}`, `{http_data}` to its output trigger.
///
/// They travel in the trigger arguments as `args.replace_array`, an object from placeholder (`{content_1}`) to text,
/// and are replaced literally, before the dialect's own placeholders, in bot texts, e-mail fields and Rest API fields.
enum TriggerVariables {
    /// The argument member that carries them.
    static let key = "replace_array"

    /// The placeholders and their texts, longest placeholder first (so `{content_10}` never loses to `{content_1}`).
    static func pairs(in args: JSONValue) -> [(String, String)] {
        guard case .object(let object)? = args[key] else { return [] }
        return object.compactMap { entry -> (String, String)? in
            guard !entry.key.isEmpty else { return nil }
            return (entry.key, PHPText.scalarText(entry.value) ?? entry.value.jsonText())
        }.sorted { $0.0.count > $1.0.count }
    }

    /// `text` with every placeholder replaced; `escape` encodes each value first (JSON string content for raw bodies).
    static func substitute(_ text: String, args: JSONValue, escape: ((String) -> String)? = nil) -> String {
        let pairs = pairs(in: args)
        guard !pairs.isEmpty, text.contains("{") else { return text }
        var out = text
        for (placeholder, value) in pairs where out.contains(placeholder) {
            out = out.replacingOccurrences(of: placeholder, with: escape.map { $0(value) } ?? value)
        }
        return out
    }

    /// A bot-text template (spec §8.4) with the variables replaced first.
    static func botText(_ text: String, args: JSONValue, rootKind: NodeKind, now: Int) -> String {
        BotTextTemplate(BusinessTime.rewritten(substitute(text, args: args))).render(args: args, now: now, rootKind: rootKind)
    }

    /// The JSON string content of `text`, without the quotes.
    static func jsonStringContent(_ text: String) -> String {
        String(JSONValue.string(text).jsonText().dropFirst().dropLast())
    }
}
