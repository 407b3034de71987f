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

    /// The default: every 20 seconds, as the reference's cron.
    public static let `default` = FiringPolicy(kind: .every, everySeconds: 20)
    /// The largest interval accepted (one day).
    public static let maximumSeconds = 86_400

    /// A policy.
    public init(kind: Kind, everySeconds: Int = 20) {
        self.kind = kind
        self.everySeconds = everySeconds
    }

    /// The interval the ledger claim uses: nil for `once`.
    public var claimInterval: Int? { kind == .once ? nil : everySeconds }

    /// The policy as stored in a webhook document.
    public var json: JSONValue {
        .object(JSONObject([("policy", .string(kind.rawValue)), ("every_seconds", .int(everySeconds))]))
    }

    /// The policy of member `key` (`firing` or `alternative_firing`) of a webhook document; the default when it is
    /// absent or null. Throws a `ValidationFailure` naming the member at fault.
    public static func parse(_ value: JSONValue?, field key: String) throws(ValidationFailure) -> FiringPolicy {
        guard let value, !value.isNull else { return .default }
        guard case .object(let object) = value else {
            throw ValidationFailure(
                field: key, message: "\(key) must be an object like {\"policy\":\"every\",\"every_seconds\":20} or {\"policy\":\"once\"}")
        }
        for member in object.keys where member != "policy" && member != "every_seconds" {
            throw ValidationFailure(field: "\(key).\(member)", message: "unknown member '\(member)'; \(key) has policy and every_seconds")
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
        return FiringPolicy(kind: kind, everySeconds: seconds)
    }

    /// The stored policy of a webhook, leniently: a document saved before policies existed gets the default.
    public static func stored(_ value: JSONValue?) -> FiringPolicy {
        (try? parse(value, field: "firing")) ?? .default
    }
}
