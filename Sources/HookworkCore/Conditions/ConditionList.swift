/// A webhook's condition list (`lh_webhook.configuration`), compiled once and evaluated many times (spec §4).
///
/// Compiling reads the list exactly as Live Helper Chat stores it, odd spellings included, and keeps every quirk the
/// reference tolerates: items it cannot use evaluate to false instead of failing. `validate()` reports them.
/// Evaluation parses nothing: placeholders, operators, constant sides and text patterns are prepared here.
///
/// Deviations from the reference (DESIGN §5): an error the reference raises (division by zero in a hook, a value
/// with no text form, a mail prefilter error) makes only that condition false and is reported in
/// `ConditionOutcome.raisedError` (deviation 1); an OR cluster left open at the end of a group does not leak into
/// the next group (spec §4.2 item 6, deviation 2).
public struct ConditionList: Sendable {
    let program: ConditionProgram

    /// Compiles a configuration; only a configuration that is not a JSON list is refused.
    public init(configuration: JSONValue, compatibility: TextPatternCompatibility = .hookwork) throws(ConditionCompileError) {
        guard case .array(let items) = configuration else { throw ConditionCompileError(reason: "conditions must be a JSON list") }
        program = ConditionProgram(items: items, compatibility: compatibility)
    }

    /// The number of items in the configuration, separators included.
    public var count: Int { program.entries.count }

    /// How many conditions test something (a visitor message or an attribute), not counting "start of OR" markers.
    public var testCount: Int { program.entries.count { $0.kind == .compare || $0.kind == .message } }

    /// Prepares a pass at `now`: sides that depend only on `{time}` are computed once for every evaluation in it.
    public func pass(now: Int, variant: ConditionVariant) -> ConditionPass {
        ConditionPass(program: program, now: now, variant: variant)
    }

    /// Evaluates the list once. For many chats at the same time, make one `pass(now:variant:)` and reuse it.
    public func evaluate(_ input: ConditionInput, variant: ConditionVariant, trace: Bool = false) -> ConditionOutcome {
        var prepared = pass(now: input.now, variant: variant)
        return prepared.evaluate(
            args: input.args, messages: input.messages, conditionResolver: input.conditionResolver, trace: trace)
    }
}

/// Which of the reference's three condition evaluators to follow (spec §4.8).
public enum ConditionVariant: String, Sendable, CaseIterable {
    /// Hook webhooks: evaluated when an event arrives (`lhchatwebhookhttp.php`).
    case hook
    /// Continuous chat webhooks: the chat cron (`lhchatwebhookcontinous.php`).
    case continuousChat = "continuous_chat"
    /// Continuous mail webhooks: the mail cron (`mailConv/Webhooks/Continous.php`).
    case continuousMail = "continuous_mail"
}

/// Why a configuration could not be compiled at all.
public struct ConditionCompileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public var reason: String

    /// The reason.
    public var description: String { reason }
}

/// Answers `{condition.IDENT}` placeholders: whether the bot condition with that identifier holds.
public typealias ConditionResolver = @Sendable (String) -> Bool

/// One chat message as "Visitor message contains" sees it (spec §4.3).
public struct ConditionMessage: Sendable, Hashable {
    /// The message id; the cursor walks ids downwards.
    public var id: Int
    /// 0 visitor, -1 system, -2 bot, > 0 operator.
    public var userID: Int
    /// The message text.
    public var text: String

    /// A message.
    public init(id: Int, userID: Int, text: String) {
        self.id = id
        self.userID = userID
        self.text = text
    }
}

/// What conditions are evaluated against.
public struct ConditionInput: Sendable {
    /// The placeholder root: the event args (hook), `{"chat": chat}` or `{"chat": mail message}` (continuous).
    public var args: JSONValue
    /// The chat's messages in ascending id order (type 1 reads them newest first).
    public var messages: [ConditionMessage]
    /// The unix time `{time}` stands for.
    public var now: Int
    /// Answers `{condition.IDENT}`; without one every identifier is `not_valid`.
    public var conditionResolver: ConditionResolver?

    /// An input.
    public init(args: JSONValue, messages: [ConditionMessage] = [], now: Int, conditionResolver: ConditionResolver? = nil) {
        self.args = args
        self.messages = messages
        self.now = now
        self.conditionResolver = conditionResolver
    }
}

/// The result of evaluating a condition list.
public struct ConditionOutcome: Sendable {
    /// Whether the webhook's conditions hold.
    public var valid: Bool
    /// The first error the reference would have raised, where it aborted the event or cron run (DESIGN §5
    /// deviation 1: Hookwork counts that one condition as false instead). Errors in groups that only a trace
    /// evaluates (after a satisfied group) appear in the trace, not here.
    public var raisedError: String?
    /// Per main group, what each condition compared; filled only when tracing.
    public var trace: [GroupTrace]
}

/// The trace of one main group (spec §5.5).
public struct GroupTrace: Sendable {
    /// The group's position among the main groups.
    public var group: Int
    /// One line per evaluated condition.
    public var lines: [ConditionTraceLine]
    /// Whether the group was satisfied.
    public var valid: Bool
}

/// One evaluated condition in a trace.
public struct ConditionTraceLine: Sendable {
    /// The condition's position in the configuration list.
    public var index: Int
    /// The reference's debug line: `attr => <json L> <op> <json R> => VALID|INVALID` or
    /// `msg => <json msg> like <json pattern> => VALID|INVALID`.
    public var text: String
    /// Whether the condition held.
    public var valid: Bool
    /// The error that made it false, if any.
    public var error: String?
}
