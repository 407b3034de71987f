import HookworkCore
import HookworkDelivery
import HookworkEngine
import Testing

@Suite("Retry policy, circuit breaker and schedules without I/O")
struct DeliveryRuleTests {
    @Test("the default schedule is 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then the delivery is exhausted")
    func standardSchedule() {
        let policy = RetryPolicy(schedule: RetrySchedule.standard.delays)
        let delays = (1...7).map { policy.decide(attempt: $0, status: 503, jitter: 0) }
        #expect(delays == [5, 300, 1800, 7200, 18_000, 36_000, 36_000].map { .retry(afterSeconds: $0) })
        guard case .exhausted = policy.decide(attempt: 8, status: 503, jitter: 0) else {
            Issue.record("an eighth failure must exhaust the delivery")
            return
        }
    }

    @Test("jitter moves a delay by at most 20 % either way")
    func jitter() {
        let policy = RetryPolicy(schedule: [300])
        #expect(policy.decide(attempt: 1, status: nil, jitter: -1) == .retry(afterSeconds: 240))
        #expect(policy.decide(attempt: 1, status: nil, jitter: 1) == .retry(afterSeconds: 360))
        #expect(policy.decide(attempt: 1, status: nil, jitter: 0.5) == .retry(afterSeconds: 330))
    }

    @Test(
        "Retry-After is honoured within [delay, 2 x delay]",
        arguments: [("8", 8), ("600", 10), ("1", 5), ("Thu, 15 Jan 2027 08:00:07 GMT", 7)]
    )
    func retryAfter(header: String, expected: Int) {
        // 2027-01-15 08:00:00 GMT
        let now = 1_800_000_000
        #expect(RetryPolicy(schedule: [5]).decide(attempt: 1, status: 429, retryAfter: header, now: now, jitter: 0) == .retry(afterSeconds: expected))
    }

    @Test(
        "what is retried: no response, 5xx, 408, 429 and retry_on codes; not other 4xx, and not with the none schedule",
        arguments: [(nil, true), (500, true), (503, true), (408, true), (429, true), (400, false), (404, false), (409, true), (301, false)]
            as [(Int?, Bool)]
    )
    func retryable(status: Int?, retried: Bool) {
        let policy = RetryPolicy(schedule: [5], retryOn: [409])
        if case .retry = policy.decide(attempt: 1, status: status, jitter: 0) {
            #expect(retried)
        } else {
            #expect(!retried)
        }
        if case .retry = RetryPolicy(schedule: RetrySchedule.none.delays).decide(attempt: 1, status: status, jitter: 0) {
            Issue.record("the none schedule never retries")
        }
        #expect(RetryPolicy(schedule: [5]).decide(attempt: 1, status: 204, jitter: 0) == .delivered)
    }

    @Test("a breaker opens after the threshold, holds calls back for the cool-down, lets one probe through, and closes on success")
    func breaker() {
        var breaker = CircuitBreaker(threshold: 3, cooldownSeconds: 30)
        for _ in 0..<2 { breaker.recordFailure(now: 100) }
        #expect(breaker.state == .closed)
        breaker.recordFailure(now: 100)
        #expect(breaker.state == .open)
        #expect(breaker.blocks(now: 129))
        let early = breaker.permit(now: 129)
        #expect(!early)
        let probe = breaker.permit(now: 130)
        #expect(probe, "the cool-down is over: one probe")
        #expect(breaker.state == .halfOpen)
        let second = breaker.permit(now: 130)
        #expect(!second, "only one probe at a time")
        breaker.recordFailure(now: 131)
        #expect(breaker.state == .open)
        #expect(breaker.nextProbeAt == 161)
        let again = breaker.permit(now: 161)
        #expect(again)
        breaker.recordSuccess()
        #expect(breaker.state == .closed)
        #expect(breaker.consecutiveFailures == 0)
    }

    @Test("retry schedules read from configuration text and JSON, refusing what cannot work")
    func scheduleParsing() throws {
        #expect(try RetrySchedule(text: "default") == .standard)
        #expect(try RetrySchedule(text: "none") == RetrySchedule.none)
        #expect(try RetrySchedule(text: "5, 60") == .custom([5, 60]))
        #expect(throws: RetrySchedule.Invalid.self) { try RetrySchedule(text: "5,soon") }
        #expect(throws: RetrySchedule.Invalid.self) { try RetrySchedule(json: [0]) }
    }
}

@Suite("Signatures and the outbound address policy without I/O")
struct DeliverySigningTests {
    @Test("the Standard Webhooks test vector: the signature of a known message, secret and time")
    func standardWebhooksVector() throws {
        // The vector the Standard Webhooks specification's libraries test against.
        let headers = try StandardWebhooks.headers(
            messageID: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8),
            secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
        #expect(headers.first { $0.name == "webhook-signature" }?.value == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(headers.first { $0.name == "webhook-id" }?.value == "msg_p5jXN8AQM9LWM0D4loKWxJek")
        #expect(headers.first { $0.name == "webhook-timestamp" }?.value == "1614265330")
        let unsigned = try StandardWebhooks.headers(messageID: "msg_1", timestamp: 1, body: [], secrets: [])
        #expect(!unsigned.contains { $0.name == "webhook-signature" })
    }

    @Test(
        "private, loopback, link-local and metadata addresses are refused unless allowed; public ones pass",
        arguments: [
            ("127.0.0.1", false), ("10.1.2.3", false), ("169.254.169.254", false), ("192.168.0.10", false), ("::1", false), ("fd00::1", false),
            ("100.64.0.1", false), ("0.0.0.0", false), ("8.8.8.8", true), ("2001:4860:4860::8888", true),
        ])
    func addressPolicy(address: String, allowed: Bool) throws {
        let parsed = try #require(IPAddress(address))
        #expect((OutboundAddressPolicy().refusal(for: parsed) == nil) == allowed, "\(address)")
        let opened = try OutboundAddressPolicy(allowList: "10.0.0.0/8, 127.0.0.1/32")
        if address == "10.1.2.3" || address == "127.0.0.1" { #expect(opened.refusal(for: parsed) == nil) }
    }
}
