/// A webhook (spec §3.1) as the engine runs it: read once from its stored document, Live Helper Chat's loose JSON
/// included (`"1"`, `"on"`, conditions as JSON text). Saving validates a webhook strictly; reading a stored one never
/// fails, because a document written by other means must still run the way the reference would run it.
public struct Webhook: Sendable, Equatable {
    /// What makes the webhook run (`type`).
    public enum Kind: Sendable, Equatable {
        /// `0`: an event (`event` names it).
        case hook
        /// `1`: every pass, over the open chats.
        case continuousChat
        /// `2`: every pass, over the new mail messages.
        case continuousMail
        /// Any other number: never runs.
        case other(Int)

        /// The kind of the stored `type` number.
        public init(code: Int) {
            switch code {
            case 0: self = .hook
            case 1: self = .continuousChat
            case 2: self = .continuousMail
            default: self = .other(code)
            }
        }

        /// The stored `type` number.
        public var code: Int {
            switch self {
            case .hook: 0
            case .continuousChat: 1
            case .continuousMail: 2
            case .other(let code): code
            }
        }
    }

    /// The record id.
    public let id: Int
    /// The administrator's name for it.
    public let name: String
    /// The event name, as saved (hook webhooks).
    public let event: String
    /// The event name as the reference's collation compares it (`normalizedEvent(_:)`).
    public let normalizedEvent: String
    /// What makes it run.
    public let kind: Kind
    /// Whether it is switched off.
    public let isDisabled: Bool
    /// Whether it is in shadow mode (`"mode": "shadow"`): evaluated like a live webhook, with its own firing policy
    /// and ledger, but each firing is recorded instead of running its trigger.
    public let isShadow: Bool
    /// Seconds a queued hook webhook waits after its event (0...60, spec §1.3).
    public let delay: Int
    /// The trigger run when the conditions hold (0: none).
    public let triggerID: Int
    /// The trigger run when they do not (0: none).
    public let alternativeTriggerID: Int
    /// The bot the trigger runs as (`override_gbot_id`), passed on as stored.
    public let botID: JSONValue
    /// The conditions as JSON: the reference keeps them as JSON text, where empty means none (a list).
    public let conditions: JSONValue
    /// When the trigger of a continuous chat webhook fires again while the conditions stay true.
    public let firing: FiringPolicy
    /// The same for the alternative trigger.
    public let alternativeFiring: FiringPolicy
    /// An escalation ladder (`steps`, continuous chat webhooks): triggers that each fire once per episode, when the
    /// episode has lasted their `after_seconds`; they take the place of `trigger_id`.
    public let steps: [Step]

    /// One step of a ladder.
    public struct Step: Sendable, Equatable {
        /// How long the episode must have lasted, in seconds.
        public let afterSeconds: Int
        /// The trigger it runs.
        public let triggerID: Int
        /// Whether `afterSeconds` are business seconds of the chat's calendar (`"clock": "business"`) or wall seconds.
        public let business: Bool

        /// A step.
        public init(afterSeconds: Int, triggerID: Int, business: Bool) {
            self.afterSeconds = afterSeconds
            self.triggerID = triggerID
            self.business = business
        }
    }
    /// The whole stored document, unknown members included: what the API gives back.
    public let document: JSONObject

    /// The webhook a stored document describes.
    public init(document: JSONObject) {
        self.document = document
        id = document["id"]?.looseInt ?? 0
        name = document["name"].flatMap { PHPText.scalarText($0) } ?? ""
        event = document["event"]?.stringValue ?? ""
        normalizedEvent = Self.normalizedEvent(event)
        kind = Kind(code: document["type"]?.looseInt ?? 0)
        isDisabled = PHPLoose.isTruthyValue(document["disabled"] ?? .null)
        isShadow = document["mode"]?.stringValue == Self.shadowMode
        delay = min(max(document["delay"]?.looseInt ?? 0, 0), 60)
        triggerID = document["trigger_id"]?.looseInt ?? 0
        alternativeTriggerID = document["trigger_id_alt"]?.looseInt ?? 0
        botID = document["bot_id"] ?? .int(0)
        conditions = Self.conditions(of: document["configuration"])
        firing = FiringPolicy.stored(document["firing"])
        alternativeFiring = FiringPolicy.stored(document["alternative_firing"])
        steps = (try? Self.steps(document["steps"])) ?? []
    }

    /// The `mode` of a webhook that records its firings instead of running its triggers.
    public static let shadowMode = "shadow"

    /// The most steps a ladder may have.
    public static let maxSteps = 20

    /// A webhook's `steps`, checked: a list of `{"after_seconds", "trigger_id", "clock"}` in increasing
    /// `after_seconds`; the failure names the member at fault.
    public static func steps(_ value: JSONValue?) throws(ValidationFailure) -> [Step] {
        guard let value, !value.isNull else { return [] }
        guard case .array(let items) = value, items.count <= maxSteps else {
            throw ValidationFailure(
                field: "steps", message: "steps must be a list of at most \(maxSteps) {\"after_seconds\": 1800, \"trigger_id\": 4} steps")
        }
        var steps: [Step] = []
        for (index, item) in items.enumerated() {
            guard case .object(let object) = item else {
                throw ValidationFailure(field: "steps[\(index)]", message: "a step is an object like {\"after_seconds\": 1800, \"trigger_id\": 4}")
            }
            for member in object.keys where !["after_seconds", "trigger_id", "clock"].contains(member) {
                throw ValidationFailure(
                    field: "steps[\(index)].\(member)", message: "unknown member '\(member)'; a step has after_seconds, trigger_id and clock")
            }
            guard case .int(let after)? = object["after_seconds"], (1...(366 * 86_400)).contains(after) else {
                throw ValidationFailure(
                    field: "steps[\(index)].after_seconds", message: "after_seconds must be a whole number of seconds from 1 to a year")
            }
            guard case .int(let trigger)? = object["trigger_id"], trigger > 0 else {
                throw ValidationFailure(field: "steps[\(index)].trigger_id", message: "trigger_id must be the id of the trigger this step runs")
            }
            let business: Bool
            switch object["clock"] {
            case nil, .null?, .string("wall")?: business = false
            case .string("business")?: business = true
            default: throw ValidationFailure(field: "steps[\(index)].clock", message: "clock must be \"wall\" or \"business\"")
            }
            if let previous = steps.last, after <= previous.afterSeconds {
                throw ValidationFailure(
                    field: "steps[\(index)].after_seconds",
                    message: "steps run in order: after_seconds must grow (step \(index - 1) is at \(previous.afterSeconds) s)")
            }
            steps.append(Step(afterSeconds: after, triggerID: trigger, business: business))
        }
        return steps
    }

    /// Whether an event named `event` runs this webhook (enabled, a hook, the same name as the reference compares it).
    public func listens(to event: String) -> Bool {
        kind == .hook && !isDisabled && normalizedEvent == Self.normalizedEvent(event)
    }

    /// The trigger of a verdict: the primary one when the conditions hold, the alternative one when not (0: none).
    public func trigger(valid: Bool) -> Int { valid ? triggerID : alternativeTriggerID }

    /// The firing policy of a branch's trigger.
    public func policy(alternative: Bool) -> FiringPolicy { alternative ? alternativeFiring : firing }

    /// The webhook event name as the reference's collation compares it: case-insensitive, trailing spaces ignored.
    public static func normalizedEvent(_ name: String) -> String {
        String(name.reversed().drop { $0 == " " }.reversed()).lowercased()
    }

    /// Stored conditions as JSON: absent, null or blank text is the empty list; other text is parsed (text that is not
    /// JSON stays text, which never compiles, so the webhook counts as having no valid conditions).
    public static func conditions(of stored: JSONValue?) -> JSONValue {
        switch stored {
        case nil, .null?: return .array([])
        case .string(let text)?:
            if text.allSatisfy(\.isWhitespace) { return .array([]) }
            return (try? JSONValue(parsing: text)) ?? .string(text)
        case let value?: return value
        }
    }
}
