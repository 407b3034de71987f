/// When a continuous chat webhook's trigger fires while its conditions keep the same verdict (DESIGN §5 "Firing
/// policy"): `every` N seconds (the reference's cron cadence, spec §5.4, is 20 s) or `once` per episode.
public struct FiringPolicy: Sendable, Equatable {
    /// `every` or `once`.
    public enum Kind: String, Sendable {
        /// Fires on the first pass of an episode, then again each time `everySeconds` have passed.
        case every
        /// Fires on the first pass of an episode only; re-arms when the episode ends.
        case once
    }

    /// The kind.
    public var kind: Kind
    /// The interval of `every` (ignored by `once`).
    public var everySeconds: Int
    /// `max_firings`: an `every` episode fires at most this many times (nil: no bound).
    public var maxFirings: Int?
    /// `then_trigger_id`: the trigger that runs once, when the firing after the last one `max_firings` allows would
    /// have been due ("remind three times, then resolve"); 0: none.
    public var thenTriggerID: Int = 0
    /// The most firings `max_firings` may allow.
    public static let maximumFirings = 1_000

    /// The default: every 20 seconds, as the reference's cron.
    public static let `default` = FiringPolicy(kind: .every, everySeconds: 20)
    /// The largest interval accepted (one day).
    public static let maximumSeconds = 86_400

    /// A policy.
    public init(kind: Kind, everySeconds: Int = 20, maxFirings: Int? = nil, thenTriggerID: Int = 0) {
        self.kind = kind
        self.everySeconds = everySeconds
        self.maxFirings = maxFirings
        self.thenTriggerID = thenTriggerID
    }

    /// The interval the ledger claim uses: nil for `once`.
    public var claimInterval: Int? { kind == .once ? nil : everySeconds }

    /// The policy as stored in a webhook document.
    public var json: JSONValue {
        var object = JSONObject([("policy", .string(kind.rawValue)), ("every_seconds", .int(everySeconds))])
        if let maxFirings { object["max_firings"] = .int(maxFirings) }
        if thenTriggerID > 0 { object["then_trigger_id"] = .int(thenTriggerID) }
        return .object(object)
    }

    /// The policy of member `key` (`firing` or `alternative_firing`) of a webhook document; the default when it is
    /// absent or null. Throws a `ValidationFailure` naming the member at fault.
    public static func parse(_ value: JSONValue?, field key: String) throws(ValidationFailure) -> FiringPolicy {
        guard let value, !value.isNull else { return .default }
        guard case .object(let object) = value else {
            throw ValidationFailure(
                field: key, message: "\(key) must be an object like {\"policy\":\"every\",\"every_seconds\":20} or {\"policy\":\"once\"}")
        }
        for member in object.keys where !["policy", "every_seconds", "max_firings", "then_trigger_id"].contains(member) {
            throw ValidationFailure(
                field: "\(key).\(member)", message: "unknown member '\(member)'; \(key) has policy, every_seconds, max_firings and then_trigger_id")
        }
        let kind: Kind
        switch object["policy"] {
        case nil, .null?: kind = .every
        case .string(let text)?:
            guard let parsed = Kind(rawValue: text) else {
                throw ValidationFailure(field: "\(key).policy", message: "policy must be \"every\" or \"once\"; got \"\(text)\"")
            }
            kind = parsed
        default:
            throw ValidationFailure(field: "\(key).policy", message: "policy must be the text \"every\" or \"once\"")
        }
        var seconds = Self.default.everySeconds
        if let given = object["every_seconds"], !given.isNull {
            guard case .int(let number) = given, (1...maximumSeconds).contains(number) else {
                throw ValidationFailure(
                    field: "\(key).every_seconds",
                    message: "every_seconds must be a whole number of seconds from 1 to \(maximumSeconds); got \(given.jsonText())")
            }
            seconds = number
        }
        var maxFirings: Int?
        if let given = object["max_firings"], !given.isNull {
            guard case .int(let number) = given, (1...maximumFirings).contains(number) else {
                throw ValidationFailure(
                    field: "\(key).max_firings", message: "max_firings must be a whole number from 1 to \(maximumFirings); got \(given.jsonText())")
            }
            guard kind == .every else {
                throw ValidationFailure(
                    field: "\(key).max_firings", message: "max_firings bounds the repeats of policy \"every\"; a \"once\" episode fires once anyway")
            }
            maxFirings = number
        }
        var thenTrigger = 0
        if let given = object["then_trigger_id"], !given.isNull {
            guard case .int(let number) = given, number >= 0 else {
                throw ValidationFailure(field: "\(key).then_trigger_id", message: "then_trigger_id must be the id of a trigger (or 0: none)")
            }
            guard number == 0 || maxFirings != nil else {
                throw ValidationFailure(
                    field: "\(key).then_trigger_id", message: "then_trigger_id runs after the last of max_firings; set max_firings too")
            }
            thenTrigger = number
        }
        return FiringPolicy(kind: kind, everySeconds: seconds, maxFirings: maxFirings, thenTriggerID: thenTrigger)
    }

    /// The stored policy of a webhook, leniently: a document saved before policies existed gets the default.
    public static func stored(_ value: JSONValue?) -> FiringPolicy {
        (try? parse(value, field: "firing")) ?? .default
    }
}
