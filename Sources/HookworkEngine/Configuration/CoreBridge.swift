public import HookworkCore

// The one place the engine touches HookworkCore's condition API.

/// A webhook's conditions, compiled once with HookworkCore's `ConditionList` (STYLE habit 2).
public struct CompiledConditions: Sendable {
    let list: ConditionList

    /// Compiles the reference's configuration JSON (a list of conditions); only a value that is not a list fails.
    public init(configuration: JSONValue) throws(ConditionCompileError) {
        list = try ConditionList(configuration: configuration)
    }

    /// The problems that make this list a likely mistake (unknown operator or type, unbalanced placeholder,
    /// arithmetic that does not parse, ...); empty when every condition is well-formed.
    public func validate() -> [ConditionIssue] {
        list.validate()
    }

    /// Evaluates the hook variant against `args` (whose `chat` is the assembled chat or mail message);
    /// `messages` are the chat's messages, newest first, as the assembler loads them.
    public func evaluate(args: JSONValue, messages: [JSONObject], now: Int, trace: Bool = true) -> ConditionOutcome {
        let input = ConditionInput(args: args, messages: Self.conditionMessages(newestFirst: messages), now: now)
        return list.evaluate(input, variant: .hook, trace: trace)
    }

    /// Core wants the messages in ascending id order.
    static func conditionMessages(newestFirst messages: [JSONObject]) -> [ConditionMessage] {
        messages.reversed().map { message in
            ConditionMessage(
                id: message["id"]?.looseInt ?? 0, userID: message["user_id"]?.looseInt ?? 0,
                text: message["msg"].flatMap { PHPText.scalarText($0) } ?? "")
        }
    }
}

extension ConditionOutcome {
    /// The per-group trace as JSON, for the event outcome and the test endpoint.
    public var traceJSON: JSONValue {
        .array(
            trace.map { group in
                .object(
                    JSONObject([
                        ("group", .int(group.group)),
                        ("valid", .bool(group.valid)),
                        (
                            "conditions",
                            .array(
                                group.lines.map { line in
                                    var object = JSONObject([("index", .int(line.index)), ("text", .string(line.text)), ("valid", .bool(line.valid))])
                                    if let error = line.error { object["error"] = .string(error) }
                                    return .object(object)
                                })
                        ),
                    ]))
            })
    }
}
