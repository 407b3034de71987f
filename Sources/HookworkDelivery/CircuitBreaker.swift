import Synchronization

/// One host's circuit breaker (STYLE habit 9): closed while the host answers; open after `threshold` consecutive
/// failures, for `cooldownSeconds`; then half-open, letting one probe through: a success closes it, a failure opens it
/// again. Failures are the retryable ones (no response, 5xx, 408, 429): a 4xx answer shows a live receiver.
public struct CircuitBreaker: Sendable, Equatable {
    /// The breaker's state.
    public enum State: String, Sendable {
        /// Calls go through.
        case closed
        /// Calls wait until `nextProbeAt`.
        case open
        /// One probe is under way.
        case halfOpen = "half_open"
    }

    /// The state.
    public private(set) var state: State = .closed
    /// Failures since the last success.
    public private(set) var consecutiveFailures = 0
    /// When it last opened.
    public private(set) var openedAt: Int?
    /// When the next probe may go (open breakers).
    public private(set) var nextProbeAt: Int?
    /// Failures in a row that open it.
    public let threshold: Int
    /// How long it stays open before a probe.
    public let cooldownSeconds: Int

    /// A closed breaker.
    public init(threshold: Int, cooldownSeconds: Int) {
        self.threshold = max(1, threshold)
        self.cooldownSeconds = max(1, cooldownSeconds)
    }

    /// Whether a call may go now; an open breaker whose cool-down is over lets this one call through as the probe.
    public mutating func permit(now: Int) -> Bool {
        switch state {
        case .closed: return true
        case .halfOpen: return false
        case .open:
            guard let nextProbeAt, now >= nextProbeAt else { return false }
            state = .halfOpen
            return true
        }
    }

    /// Whether calls for this host are held back now (not counting a probe that is due).
    public func blocks(now: Int) -> Bool {
        switch state {
        case .closed: return false
        case .halfOpen: return true
        case .open: return (nextProbeAt ?? 0) > now
        }
    }

    /// A probe that was permitted did not go (nothing was due): back to open, the probe still due.
    public mutating func releaseProbe() {
        if state == .halfOpen { state = .open }
    }

    /// An attempt succeeded (or got an answer that shows the host is alive).
    public mutating func recordSuccess() {
        state = .closed
        consecutiveFailures = 0
        openedAt = nil
        nextProbeAt = nil
    }

    /// An attempt failed.
    public mutating func recordFailure(now: Int) {
        consecutiveFailures += 1
        if state == .halfOpen || consecutiveFailures >= threshold {
            state = .open
            openedAt = now
            nextProbeAt = now + cooldownSeconds
        }
    }
}

/// The breakers of one process, by `host:port` (in memory: each process learns on its own).
public final class BreakerRegistry: Sendable {
    private let breakers = Mutex<[String: CircuitBreaker]>([:])
    /// Failures in a row that open a breaker.
    public let threshold: Int
    /// Seconds an open breaker waits before a probe.
    public let cooldownSeconds: Int

    /// A registry (defaults: 5 failures, 30 s).
    public init(threshold: Int = 5, cooldownSeconds: Int = 30) {
        self.threshold = threshold
        self.cooldownSeconds = cooldownSeconds
    }

    /// Whether a call to `host` may go now (an open breaker past its cool-down lets one probe through).
    public func permit(host: String, now: Int) -> Bool {
        breakers.withLock { breakers in
            guard var breaker = breakers[host] else { return true }
            let allowed = breaker.permit(now: now)
            breakers[host] = breaker
            return allowed
        }
    }

    /// A permitted probe that did not go.
    public func releaseProbe(host: String) {
        breakers.withLock { breakers in breakers[host]?.releaseProbe() }
    }

    /// Hosts whose calls are held back now.
    public func blockedHosts(now: Int) -> [String] {
        breakers.withLock { breakers in breakers.filter { $0.value.blocks(now: now) }.map(\.key) }
    }

    /// Open hosts whose probe is due.
    public func probeDueHosts(now: Int) -> [String] {
        breakers.withLock { breakers in breakers.filter { $0.value.state == .open && !$0.value.blocks(now: now) }.map(\.key) }
    }

    /// Records an attempt's outcome; returns the breaker's state afterwards.
    @discardableResult
    public func record(host: String, failed: Bool, now: Int) -> CircuitBreaker.State {
        breakers.withLock { breakers in
            var breaker = breakers[host] ?? CircuitBreaker(threshold: threshold, cooldownSeconds: cooldownSeconds)
            if failed { breaker.recordFailure(now: now) } else { breaker.recordSuccess() }
            breakers[host] = breaker
            return breaker.state
        }
    }

    /// Every known host's breaker, by host.
    public func snapshot() -> [(host: String, breaker: CircuitBreaker)] {
        breakers.withLock { breakers in breakers.map { ($0.key, $0.value) }.sorted { $0.host < $1.host } }
    }
}
