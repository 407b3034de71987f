import Foundation

/// What happens after an attempt (STYLE habit 9: a value-type decision, tested without I/O). Success is a 2xx;
/// connection errors, timeouts, 5xx, 408, 429 and the Rest API's `retry_on` codes are retried on the schedule with
/// +-20 % jitter; `Retry-After` is honoured within [delay, 2 x delay]; any other status ends the delivery.
public struct RetryPolicy: Sendable, Equatable {
    /// The delays between attempts, in seconds.
    public var schedule: [Int]
    /// Extra 4xx codes that are retried.
    public var retryOn: Set<Int>
    /// The share of a delay that jitter may add or take away.
    public static let jitter = 0.2

    /// A policy.
    public init(schedule: [Int], retryOn: [Int] = []) {
        self.schedule = schedule
        self.retryOn = Set(retryOn)
    }

    /// What to do next.
    public enum Decision: Sendable, Equatable {
        /// Delivered; nothing more to do.
        case delivered
        /// Try again this many seconds from now.
        case retry(afterSeconds: Int)
        /// Stop: no retries left, or a failure that is not retried.
        case exhausted(reason: String)
    }

    /// Whether a response with `status` (nil: none arrived) is retried.
    public func isRetryable(status: Int?) -> Bool {
        guard let status else { return true }
        return status >= 500 || status == 408 || status == 429 || retryOn.contains(status)
    }

    /// The decision after attempt number `attempt` (from 1) ended with `status` (nil: no response). `jitter` is a
    /// number in -1...1 (random in production, fixed in tests); `retryAfter` is the response's header, read at `now`.
    public func decide(attempt: Int, status: Int?, retryAfter: String? = nil, now: Int = 0, jitter: Double) -> Decision {
        if let status, (200..<300).contains(status) { return .delivered }
        guard isRetryable(status: status) else {
            return .exhausted(reason: "HTTP \(status ?? 0) is not retried (5xx, 408, 429 and the Rest API's retry_on codes are)")
        }
        let index = attempt - 1
        guard index >= 0, index < schedule.count else {
            return .exhausted(
                reason: schedule.isEmpty
                    ? "no retries for this attempt (retry schedule none, or a replay)" : "no retries left after \(attempt) attempts")
        }
        let base = schedule[index]
        let factor = 1 + Self.jitter * min(max(jitter, -1), 1)
        var delay = max(1, Int((Double(base) * factor).rounded()))
        if let retryAfter, let wanted = Self.retryAfterSeconds(retryAfter, now: now) {
            // A receiver may slow retries down, at most to twice the scheduled delay, never speed them up.
            delay = min(max(wanted, delay), 2 * delay)
        }
        return .retry(afterSeconds: delay)
    }

    /// A `Retry-After` value in seconds from `now`: delta-seconds or an HTTP date; nil if it is neither.
    public static func retryAfterSeconds(_ value: String, now: Int) -> Int? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, Int(date.timeIntervalSince1970) - now)
    }
}
