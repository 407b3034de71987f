public import Foundation
public import HookworkDelivery
public import HookworkEngine

/// Where hook webhooks run (spec §1.1 `webhooks.worker`).
public enum WorkerMode: String, Sendable {
    /// Inside the request that delivered the event.
    case http
    /// Stored durably and run by background workers (`resque` is an alias).
    case queue
}

/// Every setting of the server, read in one place (STYLE habit 10). Each key is documented in the README's "Configuration" table.
public struct HookworkConfiguration: Sendable {
    /// `HOOKWORK_DATABASE_URL`: `sqlite://PATH` or `postgres://...`.
    public var databaseURL: String = "sqlite://./hookwork.sqlite"
    /// `HOOKWORK_HTTP_HOST`.
    public var host: String = "127.0.0.1"
    /// `HOOKWORK_HTTP_PORT`.
    public var port: Int = 8080
    /// `HOOKWORK_WEBHOOKS_ENABLED`: when false events are stored and no webhook runs.
    public var webhooksEnabled: Bool = true
    /// `HOOKWORK_WEBHOOKS_WORKER`: `http`, `queue` or `resque`.
    public var worker: WorkerMode = .http
    /// `HOOKWORK_WEBHOOKS_SINGLE_EVENT`: accepted for compatibility with the reference's setting; it changes nothing.
    public var singleEvent: Bool = false
    /// `HOOKWORK_ADMIN_TOKEN`: an admin bearer token accepted besides the stored ones (never logged).
    public var adminToken: String?
    /// `HOOKWORK_INGEST_TOKEN`: an ingest bearer token accepted besides the stored ones (never logged).
    public var ingestToken: String?
    /// `HOOKWORK_MAX_BODY_BYTES`: larger request bodies get 413.
    public var maxBodyBytes: Int = 1 << 20
    /// `HOOKWORK_REQUEST_TIMEOUT_SECONDS`: a request (reading its body and answering it) that takes longer is
    /// answered 503 `deadline_exceeded`, so that a slow client or a stalled database never holds a request for ever.
    public var requestTimeoutSeconds: Int = 30
    /// `HOOKWORK_IDLE_TIMEOUT_SECONDS`: a connection with no request in progress (a keep-alive connection, or one
    /// that sent half a request head) is closed after this long.
    public var idleTimeoutSeconds: Int = 60
    /// `HOOKWORK_MAX_CONCURRENT_PER_CLIENT`: requests one client address may have in progress at once; more get 429.
    public var maxConcurrentPerClient: Int = 64
    /// `HOOKWORK_HTTP_WORKER_WAIT_MS`: how long the `http` worker's answer waits for the first attempts of the calls
    /// an event caused; calls still under way are reported as `pending` and go on in the background.
    public var httpWorkerWaitMilliseconds: Int = 2_000
    /// `HOOKWORK_WORKER_CONCURRENCY`: events a queue worker runs at the same time.
    public var workerConcurrency: Int = 4
    /// `HOOKWORK_QUEUE_POLL_MS`: pause between polls of an empty queue.
    public var queuePollMilliseconds: Int = 200
    /// `HOOKWORK_QUEUE_LEASE_SECONDS`: how long a claimed event is held before another worker may take it.
    public var queueLeaseSeconds: Int = 300
    /// `HOOKWORK_AUTH_FAILURE_LIMIT`: requests with a missing or invalid token one client address may make per
    /// minute before it gets 429 for the rest of that minute.
    public var authFailureLimit: Int = 20
    /// `HOOKWORK_EVENT_MAX_ATTEMPTS`: claims an event gets before it is parked (a failing or crashing event).
    public var eventMaxAttempts: Int = 3
    /// `HOOKWORK_LOG_LEVEL`: trace, debug, info, notice, warning, error, critical.
    public var logLevel: String = "info"
    /// Whether `serve` runs queue workers in its own process (`HOOKWORK_SERVE_WORKERS`, default true).
    public var runQueueWorkers: Bool = true
    /// `HOOKWORK_SMTP_URL`: the SMTP server of the `mail` action; none means mail actions fail with a clear reason.
    public var smtp: SMTPConfiguration?
    /// `HOOKWORK_MAIL_FROM`: the sender of `mail` actions that set no `from_email`.
    public var mailFrom: String?

    /// `HOOKWORK_RETRY_SCHEDULE`: the retry schedule of calls whose Rest API sets none (`default`, `none`, `5,300,...`).
    public var retrySchedule: RetrySchedule = .standard
    /// `HOOKWORK_DELIVERY_CONCURRENCY`: attempts one process makes at the same time.
    public var deliveryConcurrency: Int = 8
    /// `HOOKWORK_DELIVERY_LEASE_SECONDS`: a claimed attempt not finished by then (its process died) is made again.
    public var deliveryLeaseSeconds: Int = 400
    /// `HOOKWORK_DELIVERY_POLL_MS`: pause between polls when no delivery is due.
    public var deliveryPollMilliseconds: Int = 200
    /// `HOOKWORK_DELIVERY_RETENTION_DAYS`: delivered records older than this are deleted (0 keeps them).
    public var deliveryRetentionDays: Int = 30
    /// `HOOKWORK_VERSION_RETENTION_DAYS`: the history of a deleted webhook, trigger, Rest API or calendar is kept this
    /// long after its deletion (0 keeps it for ever). A record that exists keeps all its versions.
    public var versionRetentionDays: Int = 90
    /// `HOOKWORK_HISTORY_DAYS`: days of chat history (each open chat's state as the continuous passes saw it) and of
    /// the firing log kept for backtests; 0 keeps none (backtests of continuous webhooks then find nothing to replay).
    public var historyDays: Int = 14
    /// `HOOKWORK_BREAKER_THRESHOLD`: consecutive failures that open a host's circuit breaker.
    public var breakerThreshold: Int = 5
    /// `HOOKWORK_BREAKER_COOLDOWN_SECONDS`: how long an open breaker waits before one probe.
    public var breakerCooldownSeconds: Int = 30
    /// `HOOKWORK_CALLBACK_URL`: the chat platform's endpoint for chat-changing commands.
    public var callbackURL: String?
    /// `HOOKWORK_CALLBACK_SECRETS`: comma-separated `whsec_...` secrets that sign callback commands (never logged).
    public var callbackSecrets: [String] = []
    /// `HOOKWORK_OPERATIONS_URL`: where operational events (`delivery.exhausted`, `breaker.opened`, `host.disabled`,
    /// `event.parked`) are POSTed; none by default (they are still counted in `/metrics`).
    public var operationsURL: String?
    /// `HOOKWORK_OPERATIONS_SECRETS`: Standard Webhooks secrets that sign operational events (required with the URL).
    public var operationsSecrets: [String] = []

    /// `HOOKWORK_CONTINUOUS_ENABLED`: whether `serve` runs the continuous scheduler (types 1 and 2, statistics).
    public var continuousEnabled: Bool = true
    /// `HOOKWORK_CONTINUOUS_TICK`: seconds between continuous passes (`continuous.tick`).
    public var continuousTick: Int = 1
    /// `HOOKWORK_CONTINUOUS_CHAT_LIMIT`: at most this many open chats (and mail messages) per pass; nil scans all.
    public var continuousChatLimit: Int?
    /// `HOOKWORK_CRASH_SENTINEL`: the small file in which continuous passes note what they have in flight, so that
    /// the next start learns which chat a crash stopped on; by default beside a SQLite database, else in the temporary
    /// directory under the HTTP port.
    public var crashSentinelPath: String?
    /// `HOOKWORK_CHAT_MAX_CRASHES`: process stops a chat or mail message may be in flight at before it is parked.
    public var chatMaxCrashes: Int = 2
    /// `HOOKWORK_DEBUG_CRASH_CHAT` (debug builds only): fault injection, evaluating this chat stops the process.
    public var debugCrashChatID: Int?
    /// `HOOKWORK_STATS_INTERVAL`: seconds between department-statistics runs inside `serve`; 0 switches them off.
    public var statsInterval: Int = 3600
    /// `HOOKWORK_PLATFORM_SYNC_SECONDS`: seconds between reconciliations of each platform connection (0: none).
    public var platformSyncSeconds: Int = 300
    /// `HOOKWORK_PLATFORM_SYNC_MAX_PAGES`: at most this many pages of open conversations are read per reconciliation.
    public var platformSyncMaxPages: Int = 40

    /// `HOOKWORK_OUTBOUND_ALLOW`: comma-separated address ranges and host names that outbound calls may reach
    /// although they are not public (`127.0.0.1/32,10.1.0.0/16,hooks.internal,*.corp.example`); empty by default.
    public var outboundAllow: OutboundAddressPolicy = OutboundAddressPolicy()
    /// `HOOKWORK_REGEX_TIME_LIMIT_MS`: the longest one regular-expression match in a condition may run (default 50).
    public var regexTimeLimitMilliseconds: Int = 50
    /// `HOOKWORK_DEFAULT_CALENDAR`: the id of the calendar of chats whose department names no `calendar_id` (none by
    /// default: such chats have no business time).
    public var defaultCalendarID: Int?

    /// The address policy of outbound calls: the allow-list, plus the configured callback host (an operator's choice).
    public var addressPolicy: OutboundAddressPolicy {
        var policy = outboundAllow
        if let callbackURL, let host = URL(string: callbackURL)?.host { policy = policy.allowing(host: host) }
        if let operationsURL, let host = URL(string: operationsURL)?.host { policy = policy.allowing(host: host) }
        return policy
    }

    /// Where the crash sentinel is: as configured, else beside a SQLite database file, else in the temporary directory.
    public var resolvedCrashSentinelPath: String {
        if let crashSentinelPath { return crashSentinelPath }
        if databaseURL.hasPrefix("sqlite://"), case let file = String(databaseURL.dropFirst("sqlite://".count)), !file.isEmpty,
            !file.contains(":memory:")
        {
            return file + ".inflight"
        }
        return FileManager.default.temporaryDirectory.appendingPathComponent("hookwork-\(port).inflight").path
    }

    /// The defaults.
    public init() {}

    /// A setting that could not be read.
    public struct Invalid: Error, CustomStringConvertible {
        /// The environment variable.
        public var key: String
        /// What is wrong with it.
        public var reason: String
        public var description: String { "\(key): \(reason)" }
    }

    /// The configuration from environment variables (`HOOKWORK_*`); unset keys keep their defaults.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Self {
        var configuration = Self()
        func string(_ key: String) -> String? {
            guard let value = environment[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        func int(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let text = string(key) else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw Invalid(key: key, reason: "expected an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
            }
            return value
        }
        func bool(_ key: String) throws -> Bool? {
            guard let text = string(key)?.lowercased() else { return nil }
            switch text {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default: throw Invalid(key: key, reason: "expected true or false, got '\(text)'")
            }
        }
        func httpURL(_ key: String) throws -> String? {
            guard let value = string(key) else { return nil }
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw Invalid(key: key, reason: "expected an http:// or https:// URL, got '\(value)'")
            }
            return value
        }
        func signingSecrets(_ key: String) throws -> [String] {
            guard let value = string(key) else { return [] }
            let secrets = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for (index, secret) in secrets.enumerated() where !ConfigurationValidator.isSigningSecret(secret) {
                throw Invalid(key: key, reason: "secret \(index) is not whsec_ followed by base64 of 24 to 64 bytes")
            }
            return secrets
        }
        if let value = string("HOOKWORK_DATABASE_URL") { configuration.databaseURL = value }
        if let value = string("HOOKWORK_HTTP_HOST") { configuration.host = value }
        if let value = try int("HOOKWORK_HTTP_PORT", 0...65535) { configuration.port = value }
        if let value = try bool("HOOKWORK_WEBHOOKS_ENABLED") { configuration.webhooksEnabled = value }
        if let value = string("HOOKWORK_WEBHOOKS_WORKER") {
            switch value.lowercased() {
            case "http": configuration.worker = .http
            case "queue", "resque": configuration.worker = .queue
            default: throw Invalid(key: "HOOKWORK_WEBHOOKS_WORKER", reason: "expected http, queue or resque, got '\(value)'")
            }
        }
        if let value = try bool("HOOKWORK_WEBHOOKS_SINGLE_EVENT") { configuration.singleEvent = value }
        configuration.adminToken = string("HOOKWORK_ADMIN_TOKEN")
        configuration.ingestToken = string("HOOKWORK_INGEST_TOKEN")
        if let value = try int("HOOKWORK_MAX_BODY_BYTES", 1024...(1 << 30)) { configuration.maxBodyBytes = value }
        if let value = try int("HOOKWORK_REQUEST_TIMEOUT_SECONDS", 1...3_600) { configuration.requestTimeoutSeconds = value }
        if let value = try int("HOOKWORK_MAX_CONCURRENT_PER_CLIENT", 1...100_000) { configuration.maxConcurrentPerClient = value }
        if let value = try int("HOOKWORK_HTTP_WORKER_WAIT_MS", 0...600_000) { configuration.httpWorkerWaitMilliseconds = value }
        if let value = try int("HOOKWORK_IDLE_TIMEOUT_SECONDS", 1...3_600) { configuration.idleTimeoutSeconds = value }
        if let value = try int("HOOKWORK_WORKER_CONCURRENCY", 1...256) { configuration.workerConcurrency = value }
        if let value = try int("HOOKWORK_QUEUE_POLL_MS", 10...60_000) { configuration.queuePollMilliseconds = value }
        if let value = try int("HOOKWORK_QUEUE_LEASE_SECONDS", 5...86_400) { configuration.queueLeaseSeconds = value }
        if let value = try int("HOOKWORK_EVENT_MAX_ATTEMPTS", 1...100) { configuration.eventMaxAttempts = value }
        if let value = try int("HOOKWORK_AUTH_FAILURE_LIMIT", 1...1_000_000) { configuration.authFailureLimit = value }
        if let value = string("HOOKWORK_LOG_LEVEL") { configuration.logLevel = value }
        if let value = try bool("HOOKWORK_SERVE_WORKERS") { configuration.runQueueWorkers = value }
        if let value = string("HOOKWORK_SMTP_URL") {
            do { configuration.smtp = try SMTPConfiguration(url: value) } catch {
                throw Invalid(key: "HOOKWORK_SMTP_URL", reason: String(describing: error))
            }
        }
        configuration.mailFrom = string("HOOKWORK_MAIL_FROM")
        if let value = string("HOOKWORK_RETRY_SCHEDULE") {
            do {
                configuration.retrySchedule = try RetrySchedule(text: value)
            } catch {
                throw Invalid(key: "HOOKWORK_RETRY_SCHEDULE", reason: error.message)
            }
        }
        if let value = try int("HOOKWORK_DELIVERY_CONCURRENCY", 1...1024) { configuration.deliveryConcurrency = value }
        if let value = try int("HOOKWORK_DELIVERY_LEASE_SECONDS", 2...86_400) { configuration.deliveryLeaseSeconds = value }
        if let value = try int("HOOKWORK_DELIVERY_POLL_MS", 10...60_000) { configuration.deliveryPollMilliseconds = value }
        if let value = try int("HOOKWORK_DELIVERY_RETENTION_DAYS", 0...36_500) { configuration.deliveryRetentionDays = value }
        if let value = try int("HOOKWORK_VERSION_RETENTION_DAYS", 0...36_500) { configuration.versionRetentionDays = value }
        if let value = try int("HOOKWORK_HISTORY_DAYS", 0...366) { configuration.historyDays = value }
        if let value = try int("HOOKWORK_BREAKER_THRESHOLD", 1...1000) { configuration.breakerThreshold = value }
        if let value = try int("HOOKWORK_BREAKER_COOLDOWN_SECONDS", 1...86_400) { configuration.breakerCooldownSeconds = value }
        configuration.callbackURL = try httpURL("HOOKWORK_CALLBACK_URL")
        configuration.callbackSecrets = try signingSecrets("HOOKWORK_CALLBACK_SECRETS")
        configuration.operationsURL = try httpURL("HOOKWORK_OPERATIONS_URL")
        configuration.operationsSecrets = try signingSecrets("HOOKWORK_OPERATIONS_SECRETS")
        if configuration.operationsURL != nil, configuration.operationsSecrets.isEmpty {
            throw Invalid(
                key: "HOOKWORK_OPERATIONS_SECRETS",
                reason: "HOOKWORK_OPERATIONS_URL is set, so operational events need a signing secret (whsec_ followed by base64 of 24 to 64 bytes)")
        }
        if let value = try bool("HOOKWORK_CONTINUOUS_ENABLED") { configuration.continuousEnabled = value }
        if let value = try int("HOOKWORK_CONTINUOUS_TICK", 1...3600) { configuration.continuousTick = value }
        if let value = string("HOOKWORK_CRASH_SENTINEL") { configuration.crashSentinelPath = value }
        if let value = try int("HOOKWORK_CHAT_MAX_CRASHES", 1...100) { configuration.chatMaxCrashes = value }
        #if DEBUG
            if let value = try int("HOOKWORK_DEBUG_CRASH_CHAT", 1...Int.max) { configuration.debugCrashChatID = value }
        #endif
        if let value = try int("HOOKWORK_CONTINUOUS_CHAT_LIMIT", 1...100_000_000) { configuration.continuousChatLimit = value }
        if let value = try int("HOOKWORK_STATS_INTERVAL", 0...31_536_000) { configuration.statsInterval = value }
        if let value = try int("HOOKWORK_PLATFORM_SYNC_SECONDS", 0...86_400) { configuration.platformSyncSeconds = value }
        if let value = try int("HOOKWORK_PLATFORM_SYNC_MAX_PAGES", 1...10_000) { configuration.platformSyncMaxPages = value }
        if let value = string("HOOKWORK_OUTBOUND_ALLOW") {
            do { configuration.outboundAllow = try OutboundAddressPolicy(allowList: value) } catch {
                throw Invalid(key: "HOOKWORK_OUTBOUND_ALLOW", reason: error.description)
            }
        }
        if let value = try int("HOOKWORK_REGEX_TIME_LIMIT_MS", 1...60_000) { configuration.regexTimeLimitMilliseconds = value }
        if let value = try int("HOOKWORK_DEFAULT_CALENDAR", 1...Int.max) { configuration.defaultCalendarID = value }
        return configuration
    }
}
