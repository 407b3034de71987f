import Foundation
import HookworkCore

/// The `messageaggregation` command (spec §8.2), as the reference's `erLhcoreClassGenericBotActionCommand` does it:
/// select the chat's messages, read one `meta_msg` member of each (a sentiment, say) and store a count, a ratio or the
/// best-scoring group in `chat_variables`. Pure: the messages come in ascending id order.
enum MessageAggregation {
    /// Why nothing was aggregated.
    struct NotAggregated: Error, Sendable {
        var reason: String
    }

    /// The chat variables after aggregating `messages` as `content` asks; nil when the reference would do nothing
    /// (no message type chosen, no `payload` or `payload_arg_type`, no message left), with the reason.
    static func variables(
        _ options: MessageAggregationOptions, chat: JSONObject, messages: [JSONObject], current: JSONObject
    ) -> Result<JSONObject, NotAggregated> {
        let pending = chat["pnd_time"]?.looseInt ?? 0
        var filters: [(JSONObject) -> Bool] = []
        let all = options.allMessages
        func user(_ message: JSONObject) -> Int { message["user_id"]?.looseInt ?? 0 }
        func time(_ message: JSONObject) -> Int { message["time"]?.looseInt ?? 0 }
        if !all, options.visitorMessages { filters.append { user($0) == 0 } }
        if options.botMessages { filters.append { user($0) == -2 } }
        if options.operatorMessages { filters.append { user($0) > 0 } }
        if options.visitorMessagesToBot { filters.append { user($0) == 0 && time($0) <= pending } }
        if options.visitorMessagesToOperator { filters.append { user($0) == 0 && time($0) > pending } }
        var selected: [JSONObject]
        if !filters.isEmpty {
            selected = messages.filter { message in filters.contains { $0(message) } }
        } else if all {
            selected = messages.filter { user($0) != -1 }
        } else {
            return .failure(NotAggregated(reason: "no message type is chosen (msg_type_all, msg_type_vis, msg_type_bot, msg_type_op, ...)"))
        }
        let name = options.variable
        let method = options.method
        guard !name.isEmpty, !method.isEmpty else {
            return .failure(NotAggregated(reason: "payload (the chat variable) and payload_arg_type are required"))
        }
        let include = options.include
        if !include.isEmpty {
            if include.contains("f") {
                let share = Double(Int(include.replacingOccurrences(of: "f", with: "")) ?? 0) / 100
                selected = Array(selected.prefix(Int((Double(selected.count) * share).rounded(.up))))
            } else {
                let share = Double(Int(include.replacingOccurrences(of: "l", with: "")) ?? 0) / 100
                selected = Array(selected.dropFirst(Int((Double(selected.count) * share).rounded(.up))))
            }
        }
        guard !selected.isEmpty else { return .failure(NotAggregated(reason: "no message is left to aggregate")) }

        let metas = selected.map { message -> JSONObject in
            switch message["meta_msg"] {
            case .object(let object)?: return object
            case .string(let raw)?: return (try? JSONValue(parsing: raw))?.objectValue ?? JSONObject()
            default: return JSONObject()
            }
        }
        func number(_ value: JSONValue?) -> Double? {
            guard let value else { return nil }
            if let double = value.doubleValue { return double }
            return value.stringValue.flatMap { PHPLoose.numericValue($0) }?.doubleValue
        }
        func key(_ value: JSONValue?) -> String? { value.flatMap { PHPText.scalarText($0) } }
        func list(_ text: String) -> [String] { text.isEmpty ? [] : text.components(separatedBy: ",") }
        func numeric(_ value: Double) -> JSONValue { value.rounded() == value && abs(value) < 9e15 ? .int(Int(value)) : .double(value) }
        let groupField = options.groupField
        let groupValues = options.groupValues.components(separatedBy: ",")
        let threshold = number(options.threshold) ?? 0
        var variables = current
        variables[name] = nil

        switch method {
        case "count":
            variables[name] = .int(selected.count)
        case "ratio" where options.totals != nil:
            let totals = list(options.totals ?? "")
            let scoreField = options.scoreField
            var required = 0
            var total = 0
            for meta in metas {
                guard let group = key(meta[groupField]) else { continue }
                let scored = scoreField.isEmpty || (number(meta[scoreField]).map { $0 > threshold } ?? false)
                if groupValues.contains(group), scored { required += 1 }
                if totals.contains(group), scored { total += 1 }
            }
            if total > 0 { variables[name] = .double((Double(required) / Double(total) * 10000).rounded() / 10000) }
        case "count_filter":
            variables[name] = .int(metas.filter { key($0[groupField]).map(groupValues.contains) ?? false }.count)
        case "avg", "sum", "max", "min", "count_max", "sum_avg":
            let valueName = options.valueVariable
            variables[valueName] = nil
            let allowed = list(options.totals ?? "")
            let valueField = options.groupValues
            var groups: [(String, [Double])] = []
            for meta in metas {
                guard let group = key(meta[groupField]), allowed.isEmpty || allowed.contains(group) else { continue }
                guard let value = number(meta[valueField]), value > threshold else { continue }
                if let index = groups.firstIndex(where: { $0.0 == group }) { groups[index].1.append(value) } else { groups.append((group, [value])) }
            }
            var highest = 0.0
            for (group, values) in groups {
                let sum = values.reduce(0, +)
                let (score, shown): (Double, Double)
                switch method {
                case "avg": (score, shown) = (sum / Double(values.count), sum / Double(values.count))
                case "sum_avg": (score, shown) = (sum, sum / Double(values.count))
                case "count_max": (score, shown) = (Double(values.count), Double(values.count))
                case "max": (score, shown) = (values.max() ?? 0, values.max() ?? 0)
                case "min": (score, shown) = (values.min() ?? 0, values.min() ?? 0)
                default: (score, shown) = (sum, sum)
                }
                if score > highest {
                    highest = score
                    variables[name] = .string(group)
                    if !valueName.isEmpty { variables[valueName] = numeric(shown) }
                }
            }
        default:
            break
        }
        return .success(variables)
    }
}
