import Foundation
public import HookworkCore

/// The delays between attempts of a delivery: after the first attempt fails, the n-th retry waits `delays[n-1]`
/// seconds (each +-20 % jitter). `configuration.retry` of a Rest API, or `HOOKWORK_RETRY_SCHEDULE` for all.
public enum RetrySchedule: Sendable, Equatable {
    /// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (the schedule of Svix and DESIGN §5).
    case standard
    /// One attempt, no retries: Live Helper Chat's own behaviour.
    case none
    /// These delays, in seconds.
    case custom([Int])

    /// The standard delays in seconds.
    public static let standardDelays = [5, 300, 1800, 7200, 18_000, 36_000, 36_000]
    /// The longest delay a custom schedule may have (one week).
    public static let maximumDelay = 7 * 86_400
    /// The most retries a custom schedule may have.
    public static let maximumRetries = 50

    /// The delays in seconds.
    public var delays: [Int] {
        switch self {
        case .standard: return Self.standardDelays
        case .none: return []
        case .custom(let delays): return delays
        }
    }

    /// The schedule as stored and shown: `"default"`, `"none"` or the list of seconds.
    public var json: JSONValue {
        switch self {
        case .standard: return .string("default")
        case .none: return .string("none")
        case .custom(let delays): return .array(delays.map(JSONValue.int))
        }
    }

    /// Why a schedule was refused.
    public struct Invalid: Error, Sendable {
        /// What is wrong and what to write instead.
        public var message: String
    }

    /// Reads `"default"`, `"none"` or a list of whole seconds (1 s to a week, at most 50).
    public init(json: JSONValue) throws(Invalid) {
        switch json {
        case .string(let text): try self.init(text: text)
        case .array(let items):
            var delays: [Int] = []
            for (index, item) in items.enumerated() {
                guard let seconds = item.intValue, (1...Self.maximumDelay).contains(seconds) else {
                    throw Invalid(message: "retry[\(index)] must be a whole number of seconds from 1 to \(Self.maximumDelay); got \(item.jsonText())")
                }
                delays.append(seconds)
            }
            try self.init(delays: delays)
        default:
            throw Invalid(message: "retry must be \"default\", \"none\" or a list of seconds such as [5, 300, 1800]")
        }
    }

    /// Reads `default`, `none` or comma-separated seconds (`5,300,1800`), as `HOOKWORK_RETRY_SCHEDULE` has it.
    public init(text: String) throws(Invalid) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        switch trimmed {
        case "default", "standard": self = .standard
        case "none", "": self = .none
        default:
            var delays: [Int] = []
            for part in trimmed.split(separator: ",") {
                guard let seconds = Int(part.trimmingCharacters(in: .whitespaces)), (1...Self.maximumDelay).contains(seconds) else {
                    throw Invalid(message: "retry schedule '\(text)' must be default, none or comma-separated seconds from 1 to \(Self.maximumDelay)")
                }
                delays.append(seconds)
            }
            try self.init(delays: delays)
        }
    }

    private init(delays: [Int]) throws(Invalid) {
        guard delays.count <= Self.maximumRetries else {
            throw Invalid(message: "a retry schedule has at most \(Self.maximumRetries) delays; got \(delays.count)")
        }
        self = delays.isEmpty ? .none : .custom(delays)
    }
}
