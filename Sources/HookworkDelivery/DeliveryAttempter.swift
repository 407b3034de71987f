import Foundation
public import HookworkCore
public import HookworkEngine
public import HookworkStore
public import Logging
import Synchronization

/// What the delivery path counts; HookworkServer backs it with Prometheus. Labels are bounded (kinds, outcome words,
/// configured hosts).
public protocol DeliveryMetrics: Sendable {
    /// An attempt ended; `outcome` is `delivered`, `failed` or `exhausted`.
    func deliveryAttempted(kind: String, outcome: String)
    /// A host's breaker changed state (`closed`, `open`, `half_open`).
    func breakerChanged(host: String, state: String)
}

/// Counts nothing.
public struct NoDeliveryMetrics: DeliveryMetrics {
    /// A sink.
    public init() {}
    /// Ignored.
    public func deliveryAttempted(kind: String, outcome: String) {}
    /// Ignored.
    public func breakerChanged(host: String, state: String) {}
}

/// How deliveries are made: the default retry schedule, leases, log bounds.
public struct DeliverySettings: Sendable {
    /// The schedule of calls whose Rest API sets none (`HOOKWORK_RETRY_SCHEDULE`).
    public var defaultSchedule: RetrySchedule
    /// How long a claim holds (`HOOKWORK_DELIVERY_LEASE_SECONDS`): an attempt not finished by then (its process died)
    /// is made again, with the same `webhook-id`. Keep it above the longest `max_execution_time`, or a slow call
    /// may be made twice.
    public var leaseSeconds: Int
    /// Bodies are logged up to this many bytes.
    public var maxLoggedBodyBytes: Int

    /// Settings; the server passes its configuration's (`HOOKWORK_DELIVERY_LEASE_SECONDS` is 400 s there).
    public init(defaultSchedule: RetrySchedule = .standard, leaseSeconds: Int = 60, maxLoggedBodyBytes: Int = 16 * 1024) {
        self.defaultSchedule = defaultSchedule
        self.leaseSeconds = leaseSeconds
        self.maxLoggedBodyBytes = maxLoggedBodyBytes
    }
}

/// What one attempt did, for the `http` worker's answer.
public struct AttemptResult: Sendable, Equatable {
    /// The delivery.
    public var deliveryID: Int
    /// Its state after the attempt.
    public var status: DeliveryStatus
    /// The response's status, if one arrived.
    public var statusCode: Int?
    /// How long it took.
    public var durationMilliseconds: Int
    /// The start of the response body.
    public var responseBody: [UInt8]
    /// The error, if it failed.
    public var error: String?
    /// What the completion handler noted (for a Rest API: the output rule and the trigger that followed).
    public var followUp: JSONObject = JSONObject()
}

/// Makes one attempt of a claimed delivery: signs it, sends it, logs it, decides what comes next, tells the completion
/// handler, and commits all of it in one transaction.
public struct DeliveryAttempter: Sendable {
    let store: any Store
    let sender: any HTTPSender
    let mailSender: (any MailSender)?
    let clock: any EngineClock
    let breakers: BreakerRegistry
    let completion: any DeliveryCompletionHandler
    let metrics: any DeliveryMetrics
    let logger: Logger
    let jitter: @Sendable () -> Double
    /// Looks up the secrets of calls that refer to them; nil signs with the secrets stored in the call.
    let signingSecrets: (any SigningSecretResolver)?
    /// Reports exhausted deliveries, opened breakers and disabled hosts.
    let operations: OperationalEvents
    /// Applies commands for chats from platform connections; nil: such a command ends exhausted, naming the cause.
    let platformCommands: (any PlatformCommandApplier)?
    /// The hosts a 410 disabled, as last read (a second at most old); `forget` when an admin enables one.
    public let disabledHosts: DisabledHostCache
    /// The settings.
    public let settings: DeliverySettings

    /// An attempter; `jitter` returns a number in -1...1 (random by default).
    public init(
        store: any Store, sender: any HTTPSender, mailSender: (any MailSender)? = nil, clock: any EngineClock, breakers: BreakerRegistry,
        completion: any DeliveryCompletionHandler = NoDeliveryCompletion(), metrics: any DeliveryMetrics = NoDeliveryMetrics(),
        settings: DeliverySettings = DeliverySettings(), logger: Logger, jitter: @escaping @Sendable () -> Double = { Double.random(in: -1...1) },
        signingSecrets: (any SigningSecretResolver)? = nil, operations: OperationalEvents = .none,
        disabledHosts: DisabledHostCache = DisabledHostCache(),
        platformCommands: (any PlatformCommandApplier)? = nil
    ) {
        self.platformCommands = platformCommands
        self.signingSecrets = signingSecrets
        self.operations = operations
        self.disabledHosts = disabledHosts
        self.store = store
        self.sender = sender
        self.mailSender = mailSender
        self.clock = clock
        self.breakers = breakers
        self.completion = completion
        self.metrics = metrics
        self.settings = settings
        self.logger = logger
        self.jitter = jitter
    }

    /// The `http` worker's first attempts of the deliveries it recorded (held by `worker`): each is claimed and made
    /// at once unless its host's breaker is open (then a delivery worker makes it later).
    public func attemptNow(ids: [Int], worker: String) async -> [Int: AttemptResult] {
        let now = clock.now()
        var results: [Int: AttemptResult] = [:]
        let claimed: [DeliveryRecord]
        do {
            claimed = try await store.claimDeliveries(
                DeliveryClaim(limit: ids.count, now: now, worker: worker, leaseSeconds: settings.leaseSeconds, ids: ids))
        } catch {
            logger.error("delivery.claim_failed", metadata: ["error": "\(error)"])
            return [:]
        }
        // Callback commands go one after another in the order they were decided, so the platform applies a chat's
        // changes in order; the other calls go at once.
        let commands = claimed.filter { $0.kind == .callback }
        await withTaskGroup(of: [AttemptResult].self) { group in
            for record in claimed where record.kind != .callback {
                group.addTask { await attempt(record).map { [$0] } ?? [] }
            }
            if !commands.isEmpty {
                group.addTask { await attemptInOrder(commands, worker: worker) }
            }
            for await batch in group {
                for result in batch { results[result.deliveryID] = result }
            }
        }
        return results
    }

    /// Makes claimed callback commands one after another in the order they were recorded. A chat whose command was not
    /// delivered stops there: its later commands are given back unattempted (a claim takes them once the earlier one
    /// is delivered or has ended), so the platform never gets a chat's commands out of order.
    public func attemptInOrder(_ commands: [DeliveryRecord], worker: String) async -> [AttemptResult] {
        var done: [AttemptResult] = []
        var stalled: Set<Int> = []
        var giveBack: [Int] = []
        for record in commands.sorted(by: { $0.id < $1.id }) {
            if let chat = record.chatID, stalled.contains(chat) {
                giveBack.append(record.id)
                continue
            }
            let result = await attempt(record)
            if let result { done.append(result) }
            if let chat = record.chatID, result?.status != .delivered, result?.status != .exhausted { stalled.insert(chat) }
        }
        if !giveBack.isEmpty {
            do { try await store.releaseDeliveries(ids: giveBack, worker: worker) } catch {
                logger.error("delivery.release_failed", metadata: ["delivery.count": "\(giveBack.count)", "error": "\(error)"])
            }
        }
        return done
    }

    /// Makes the attempt numbered `record.attempts` of a claimed delivery; nil if its outcome could not be stored (the
    /// lease then runs out and the next attempt follows).
    @discardableResult
    public func attempt(_ record: DeliveryRecord) async -> AttemptResult? {
        let number = record.attempts
        let startedAt = clock.now()
        let started = ContinuousClock.now
        guard let call = OutboundCall(record: record) else {
            return await finish(
                record, number: number, startedAt: startedAt, elapsed: .zero, request: .null, response: nil, statusCode: nil,
                decision: .exhausted(reason: "the stored call cannot be read; replaying will not help"), error: "unreadable payload"
            )
        }
        // A replay of a finished delivery is one more attempt: its failure does not start the retries again.
        let policy = RetryPolicy(schedule: record.oneShot ? [] : (call.retry ?? settings.defaultSchedule).delays, retryOn: call.retryOn)
        switch call.payload {
        case .http(var request):
            if record.kind == .callback, let sequence = record.sequence, let sent = request.body,
                case .object(var command)? = try? JSONValue(parsing: sent)
            {
                // The command's place in its chat's stream, so that the platform can drop a stale or repeated one.
                command["sequence"] = .int(sequence)
                request.body = Array(JSONValue.object(command).jsonText().utf8)
            }
            let body = request.body ?? []
            if let disabled = await disabledHosts.lookup(record.host, in: store, now: startedAt) {
                // A 410 stopped this host: new calls end at once, visibly, until an admin enables the host again.
                return await finish(
                    record, number: number, startedAt: startedAt, elapsed: .zero, request: logged(request), response: nil, statusCode: nil,
                    decision: .exhausted(reason: Self.disabledReason(disabled)), error: "not sent", breaker: .untouched
                )
            }
            do {
                var secrets = call.signingSecrets
                if let source = call.signingSource, let signingSecrets { secrets = try await signingSecrets.secrets(for: source) }
                request.headers += try StandardWebhooks.headers(messageID: record.messageID, timestamp: startedAt, body: body, secrets: secrets)
            } catch {
                return await finish(
                    record, number: number, startedAt: startedAt, elapsed: .zero, request: logged(request), response: nil, statusCode: nil,
                    decision: .exhausted(reason: "\(error)"), error: "\(error)"
                )
            }
            do {
                let response = try await sender.send(request)
                let elapsed = ContinuousClock.now - started
                var decision = policy.decide(
                    attempt: number, status: response.status, retryAfter: response.header("Retry-After"), now: clock.now(), jitter: jitter()
                )
                var disable: String?
                if response.status == 410 {
                    decision = .exhausted(reason: "the receiver answered 410 Gone: this delivery and further retries to \(record.host) stop")
                    disable = record.host
                }
                return await finish(
                    record, number: number, startedAt: startedAt, elapsed: elapsed, request: logged(request), response: logged(response),
                    statusCode: response.status, decision: decision, error: decision == .delivered ? nil : "HTTP \(response.status)",
                    responseHeaders: response.headers, responseBody: response.body, disableHost: disable
                )
            } catch let blocked as OutboundBlocked {
                // Refused before any connection: retrying cannot help until the allow-list changes, and the host's
                // breaker is not the receiver's fault.
                return await finish(
                    record, number: number, startedAt: startedAt, elapsed: ContinuousClock.now - started, request: logged(request), response: nil,
                    statusCode: nil, decision: .exhausted(reason: "the outbound address policy refused the call, so it is not retried"),
                    error: blocked.description, breaker: .untouched
                )
            } catch {
                let elapsed = ContinuousClock.now - started
                let decision = policy.decide(attempt: number, status: nil, now: clock.now(), jitter: jitter())
                return await finish(
                    record, number: number, startedAt: startedAt, elapsed: elapsed, request: logged(request), response: nil, statusCode: nil,
                    decision: decision, error: Self.describe(error)
                )
            }
        case .platform(var command):
            if let sequence = record.sequence { command.command["sequence"] = .int(sequence) }
            return await attemptPlatform(command, record: record, number: number, policy: policy, startedAt: startedAt, started: started)
        case .mail(let envelope):
            let request = logged(envelope, url: record.url)
            guard let mailSender else {
                return await finish(
                    record, number: number, startedAt: startedAt, elapsed: .zero, request: request, response: nil, statusCode: nil,
                    decision: .exhausted(reason: "no mail sender is configured; set HOOKWORK_SMTP_URL to deliver mail actions"),
                    error: "no mail sender is configured; set HOOKWORK_SMTP_URL to deliver mail actions"
                )
            }
            do {
                let receipt = try await mailSender.send(envelope)
                let elapsed = ContinuousClock.now - started
                let response: JSONValue = .object(
                    JSONObject([
                        ("status", .int(receipt.code)), ("headers", .array([])), ("body", .string(receipt.reply)), ("body_truncated", .bool(false)),
                    ]))
                return await finish(
                    record, number: number, startedAt: startedAt, elapsed: elapsed, request: request, response: response, statusCode: receipt.code,
                    decision: .delivered, error: nil, responseBody: Array(receipt.reply.utf8)
                )
            } catch {
                let elapsed = ContinuousClock.now - started
                let decision = policy.decide(attempt: number, status: nil, now: clock.now(), jitter: jitter())
                return await finish(
                    record, number: number, startedAt: startedAt, elapsed: elapsed, request: request, response: nil, statusCode: nil,
                    decision: decision, error: Self.describe(error)
                )
            }
        }
    }

    /// Merges `variables` into the stored chat's `chat_variables` (kept as JSON text or as an object, as stored), with
    /// the attempt's outcome.
    private func mergeChatVariables(_ variables: JSONObject, chat chatID: Int, into effects: Effects) async {
        do {
            guard let chat = try await store.get(.chat, id: chatID) else { return }
            var merged: JSONObject
            switch chat["chat_variables"] {
            case .object(let object)?: merged = object
            case .string(let text)?: merged = (try? JSONValue(parsing: text))?.objectValue ?? JSONObject()
            default: merged = JSONObject()
            }
            for (key, value) in variables { merged[key] = value }
            let encoded: JSONValue =
                if case .object? = chat["chat_variables"] { .object(merged) } else { .string(JSONValue.object(merged).jsonText()) }
            effects.patch(RecordPatch(kind: .chat, id: chatID, members: JSONObject([("chat_variables", encoded)])))
        } catch {
            logger.warning("delivery.chat_variables_failed", metadata: ["chat.id": "\(chatID)", "error": "\(error)"])
        }
    }

    /// A platform command's attempt: the connection's adapter makes the platform's API calls; their log is the
    /// attempt's request, the adapter's summary its response.
    private func attemptPlatform(
        _ command: PlatformCommand, record: DeliveryRecord, number: Int, policy: RetryPolicy, startedAt: Int, started: ContinuousClock.Instant
    ) async -> AttemptResult? {
        let (body, cut) = loggedBody(Array(JSONValue.object(command.command).jsonText().utf8))
        var request = JSONObject([
            ("method", .string("COMMAND")), ("url", .string(record.url)), ("headers", .array([])), ("body", body), ("body_truncated", .bool(cut)),
        ])
        guard let platformCommands else {
            let reason = "no platform adapter is configured in this process, so connection \(command.connectionID)'s command cannot be applied"
            return await finish(
                record, number: number, startedAt: startedAt, elapsed: .zero, request: .object(request), response: nil, statusCode: nil,
                decision: .exhausted(reason: reason), error: reason, breaker: .untouched
            )
        }
        let outcome = await platformCommands.apply(command, messageID: record.messageID, attempt: number)
        let elapsed = ContinuousClock.now - started
        request["calls"] = .array(outcome.calls)
        let decision: RetryPolicy.Decision
        switch outcome.result {
        case .applied: decision = .delivered
        case .refused: decision = .exhausted(reason: outcome.error ?? "the platform refused the command; retrying cannot help")
        case .retry:
            // A retryable outcome is retried even when its status is one the policy would end on (the adapter decided).
            decision = policy.decide(
                attempt: number, status: outcome.statusCode.flatMap { policy.isRetryable(status: $0) ? $0 : nil }, retryAfter: outcome.retryAfter,
                now: clock.now(), jitter: jitter()
            )
        }
        let answer = Array(JSONValue.object(outcome.body).jsonText().utf8)
        var response: JSONValue?
        if let status = outcome.statusCode {
            let (logged, truncated) = loggedBody(answer)
            response = .object(
                JSONObject([("status", .int(status)), ("headers", .array([])), ("body", logged), ("body_truncated", .bool(truncated))]))
        }
        // The breaker counts a platform in trouble (no answer, 5xx, 429), not a refusal of one command.
        let effect: BreakerEffect = outcome.result == .refused ? .untouched : .byOutcome
        return await finish(
            record, number: number, startedAt: startedAt, elapsed: elapsed, request: .object(request), response: response,
            statusCode: outcome.statusCode, decision: decision,
            error: decision == .delivered ? nil : (outcome.error ?? outcome.statusCode.map { "HTTP \($0)" }),
            responseBody: answer, breaker: effect, chatVariables: outcome.chatVariables
        )
    }

    private func finish(
        _ record: DeliveryRecord, number: Int, startedAt: Int, elapsed: Duration, request: JSONValue, response: JSONValue?, statusCode: Int?,
        decision: RetryPolicy.Decision, error: String?, responseHeaders: [(name: String, value: String)] = [], responseBody: [UInt8] = [],
        disableHost: String? = nil, breaker effect: BreakerEffect = .byOutcome, chatVariables: JSONObject = JSONObject()
    ) async -> AttemptResult? {
        let now = clock.now()
        var decision = decision
        if case .retry = decision, let disabled = await disabledHosts.lookup(record.host, in: store, now: now) {
            decision = .exhausted(reason: "not retried: " + Self.disabledReason(disabled))
        }
        let status: DeliveryStatus
        var next: Int?
        var lastError = error
        switch decision {
        case .delivered: status = .delivered
        case .retry(let seconds):
            status = .failed
            next = now + seconds
        case .exhausted(let reason):
            status = .exhausted
            lastError = error == reason ? reason : [error, reason].compactMap { $0 }.joined(separator: "; ")
        }
        let effects = Effects(keyPrefix: "d\(record.id)_\(number)")
        if !chatVariables.isEmpty, let chatID = record.chatID {
            await mergeChatVariables(chatVariables, chat: chatID, into: effects)
        }
        if effect == .byOutcome {
            // The breaker counts failures that say the receiver is in trouble; a 4xx answer shows it is alive.
            let hostFailed = statusCode.map { $0 >= 500 || $0 == 408 || $0 == 429 } ?? (record.kind != .mail || mailSender != nil)
            await recordBreaker(host: record.host, failed: hostFailed && decision != .delivered, now: now, effects: effects)
        }
        if let disableHost {
            disabledHosts.add(DisabledHost(host: disableHost, disabledAt: now, reason: lastError ?? "410 Gone"))
            operations.report(
                .hostDisabled, data: JSONObject([("host", .string(disableHost)), ("delivery_id", .int(record.id)), ("url", .string(record.url))]),
                at: now, into: effects, suffix: "host_disabled"
            )
        }
        if status == .exhausted, record.kind != .operations {
            var data = JSONObject([
                ("delivery_id", .int(record.id)), ("message_id", .string(record.messageID)), ("kind", .string(record.kind.rawValue)),
                ("url", .string(record.url)), ("host", .string(record.host)), ("attempts", .int(number)),
                ("last_status_code", statusCode.map(JSONValue.int) ?? .null), ("last_error", lastError.map(JSONValue.string) ?? .null),
            ])
            data["webhook_id"] = record.webhookID.map(JSONValue.int) ?? .null
            data["chat_id"] = record.chatID.map(JSONValue.int) ?? .null
            // The event is about the call, not the host: it goes even when the operations endpoint was the receiver.
            data["host"] = record.host == operations.target?.host ? nil : .string(record.host)
            operations.report(.deliveryExhausted, data: data, at: now, into: effects, suffix: "exhausted")
        }
        do {
            try await completion.deliveryFinished(
                DeliveryCompletion(
                    deliveryID: record.id, messageID: record.messageID, kind: record.kind, origin: CallOrigin(json: record.context), status: status,
                    attempt: number,
                    statusCode: statusCode, responseHeaders: responseHeaders, responseBody: responseBody, error: lastError
                ),
                effects: effects
            )
        } catch {
            logger.error("delivery.completion_failed", metadata: ["delivery.id": "\(record.id)", "error": "\(error)"])
        }
        let durationMilliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        // What followed the answer (a Rest API's output rule and trigger) is kept with the attempt's response.
        var response = response
        if case .object(var logged)? = response, !effects.notes.isEmpty {
            logged["follow_up"] = .object(effects.notes)
            response = .object(logged)
        }
        let attempt = DeliveryAttemptRecord(
            number: number, startedAt: startedAt, durationMilliseconds: durationMilliseconds, request: request, response: response, error: error
        )
        let finish = AttemptFinish(
            deliveryID: record.id, attempt: attempt, status: status, nextAttemptAt: next, statusCode: statusCode, error: lastError, now: now,
            disableHost: disableHost
        )
        do {
            _ = try await store.finishAttempt(finish, followUp: effects.unitOfWork())
        } catch {
            logger.error("delivery.finish_failed", metadata: ["delivery.id": "\(record.id)", "delivery.attempt": "\(number)", "error": "\(error)"])
            return nil
        }
        metrics.deliveryAttempted(kind: record.kind.rawValue, outcome: status.rawValue)
        logger.info(
            "delivery.attempted",
            metadata: [
                "delivery.id": "\(record.id)", "delivery.attempt": "\(number)", "delivery.status": "\(status.rawValue)",
                "delivery.host": "\(record.host)", "http.status": "\(statusCode.map(String.init) ?? "none")",
            ]
        )
        return AttemptResult(
            deliveryID: record.id, status: status, statusCode: statusCode, durationMilliseconds: durationMilliseconds,
            responseBody: Array(responseBody.prefix(1000)), error: lastError, followUp: effects.notes
        )
    }

    /// Records an attempt's outcome in the host's breaker. When the breaker opens (a run of failures, or a failed
    /// probe), the calls that were waiting for the host are settled and the rest move to the probe time.
    private func recordBreaker(host: String, failed: Bool, now: Int, effects: Effects) async {
        let before = breakers.snapshot().first { $0.host == host }?.breaker.state ?? .closed
        let after = breakers.record(host: host, failed: failed, now: now)
        guard before != after else { return }
        metrics.breakerChanged(host: host, state: after.rawValue)
        logger.notice("delivery.breaker_changed", metadata: ["delivery.host": "\(host)", "breaker.state": "\(after.rawValue)"])
        guard after == .open, let breaker = breakers.snapshot().first(where: { $0.host == host })?.breaker, let probeAt = breaker.nextProbeAt else {
            return
        }
        if before == .closed {
            operations.report(
                .breakerOpened,
                data: JSONObject([
                    ("host", .string(host)), ("consecutive_failures", .int(breaker.consecutiveFailures)), ("next_probe_at", .int(probeAt)),
                ]),
                at: now, into: effects, suffix: "breaker_opened"
            )
        }
        await settleHeld(host: host, now: now)
        // The host's waiting calls move to the probe time, so that claims for other hosts do not pass over them.
        _ = try? await store.postponeDeliveries(host: host, until: probeAt, now: now)
    }

    /// The most waiting calls one breaker opening settles; the oldest go first, the rest at the next opening.
    static let settleBatch = 500

    /// Calls waiting for a host whose breaker just opened (or whose probe failed): a call whose retry schedule has run
    /// out since it was recorded ends `exhausted`, not sent, with the reason; the others wait for the next probe. So
    /// no call waits behind an open breaker for longer than its schedule (plus one cool-down), and a call's attempts
    /// are spent only on real sends.
    private func settleHeld(host: String, now: Int) async {
        let worker = "breaker-\(Int.random(in: 100_000...999_999))"
        guard
            let held = try? await store.claimDeliveries(
                DeliveryClaim(limit: Self.settleBatch, now: now, worker: worker, leaseSeconds: settings.leaseSeconds, onlyHost: host)
            ), !held.isEmpty
        else { return }
        var waiting: [Int] = []
        for record in held {
            let call = OutboundCall(record: record)
            let delays = record.oneShot ? [] : (call?.retry ?? settings.defaultSchedule).delays
            let deadline = record.createdAt + delays.reduce(0, +)
            guard let call, now >= deadline else {
                waiting.append(record.id)
                continue
            }
            let request: JSONValue
            switch call.payload {
            case .http(let outbound): request = logged(outbound)
            case .mail(let envelope): request = logged(envelope, url: record.url)
            case .platform(let command):
                request = .object(
                    JSONObject([("method", "COMMAND"), ("url", .string(record.url)), ("body", .string(JSONValue.object(command.command).jsonText()))])
                )
            }
            let reason =
                "the breaker for \(host) stayed open (its last probe failed) past the end of this call's retry schedule "
                + "(\(delays.isEmpty ? "no retries" : "\(delays.reduce(0, +)) s after it was recorded"))"
            _ = await finish(
                record, number: record.attempts, startedAt: now, elapsed: .zero, request: request, response: nil, statusCode: nil,
                decision: .exhausted(reason: reason), error: "not sent", breaker: .untouched
            )
        }
        do { try await store.releaseDeliveries(ids: waiting, worker: worker) } catch {
            logger.error("delivery.release_failed", metadata: ["delivery.host": "\(host)", "error": "\(error)"])
        }
    }

    /// Why a call to a disabled host is not made.
    static func disabledReason(_ disabled: DisabledHost) -> String {
        "\(disabled.host) is disabled since it answered 410 Gone (at \(disabled.disabledAt)); "
            + "enable it with POST /api/v1/breakers/\(disabled.host)/enable or `hookwork breakers enable \(disabled.host)`"
    }

    /// An error as one line for the log (AsyncHTTPClient's errors describe themselves tersely).
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.isEmpty ? String(reflecting: error) : text
    }

    /// A body as logged: text up to the bound, and whether it was cut.
    func loggedBody(_ body: [UInt8]) -> (JSONValue, Bool) {
        let cut = body.count > settings.maxLoggedBodyBytes
        return (.string(String(decoding: body.prefix(settings.maxLoggedBodyBytes), as: UTF8.self)), cut)
    }

    func logged(_ request: OutboundRequest) -> JSONValue {
        let (body, cut) = loggedBody(request.body ?? [])
        return .object(
            JSONObject([
                ("method", .string(request.method)), ("url", .string(SecretMask.maskURL(request.url))),
                (
                    "headers",
                    .array(request.headers.map { .array([.string($0.name), .string(SecretMask.isSecretName($0.name) ? "********" : $0.value)]) })
                ),
                ("body", body), ("body_truncated", .bool(cut)),
            ]))
    }

    /// A mail as logged: its subject and recipients as headers, and the text sent as the body.
    func logged(_ envelope: MailEnvelope, url: String) -> JSONValue {
        let (body, cut) = loggedBody(Array(envelope.body.utf8))
        var headers: [JSONValue] = [.array(["Subject", .string(envelope.subject)]), .array(["To", .string(envelope.to.joined(separator: ", "))])]
        if let replyTo = envelope.replyTo { headers.append(.array(["Reply-To", .string(replyTo)])) }
        return .object(
            JSONObject([("method", "SMTP"), ("url", .string(url)), ("headers", .array(headers)), ("body", body), ("body_truncated", .bool(cut))]))
    }

    func logged(_ response: OutboundResponse) -> JSONValue {
        let (body, cut) = loggedBody(response.body)
        return .object(
            JSONObject([
                ("status", .int(response.status)),
                (
                    "headers",
                    .array(response.headers.map { .array([.string($0.name), .string(SecretMask.isSecretName($0.name) ? "********" : $0.value)]) })
                ),
                ("body", body), ("body_truncated", .bool(cut)),
            ]))
    }
}

/// Whether an attempt's outcome moves its host's breaker.
enum BreakerEffect: Sendable, Equatable {
    /// A failure that says the receiver is in trouble counts against it; anything else closes the breaker.
    case byOutcome
    /// The call was not sent (refused by the address policy, a disabled host, settled behind an open breaker).
    case untouched
}

/// The hosts a 410 disabled, read from the store at most once a second, so that each attempt does not query it.
public final class DisabledHostCache: Sendable {
    private struct State {
        var hosts: [String: DisabledHost] = [:]
        var readAt: Int?
    }
    private let state = Mutex(State())

    /// An empty cache (read on first use).
    public init() {}

    /// The host's record if it is disabled. A store that cannot be read leaves the last known list in place.
    func lookup(_ host: String, in store: any Store, now: Int) async -> DisabledHost? {
        let fresh = state.withLock { state in state.readAt.map { now - $0 < 1 } ?? false }
        if !fresh, let hosts = try? await store.disabledHosts() {
            state.withLock { state in
                state.hosts = Dictionary(hosts.map { ($0.host, $0) }, uniquingKeysWith: { first, _ in first })
                state.readAt = now
            }
        }
        return state.withLock { $0.hosts[host] }
    }

    /// A host this process just disabled.
    func add(_ host: DisabledHost) {
        state.withLock { $0.hosts[host.host] = host }
    }

    /// A host an admin enabled: calls to it go again at once.
    public func forget(_ host: String) {
        state.withLock { state in
            state.hosts[host] = nil
            state.readAt = nil
        }
    }
}
