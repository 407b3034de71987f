public import HookworkCore

/// Where a delivery stands (the `status` of `hw_deliveries`).
public enum DeliveryStatus: String, Sendable, CaseIterable, Codable {
    /// Waiting for its first attempt or for a retry that is due.
    case pending
    /// Delivered: the last attempt got a 2xx (or the mail server accepted it).
    case delivered
    /// The last attempt failed and a retry is scheduled.
    case failed
    /// No retries left, or the failure is not one that is retried.
    case exhausted
    /// Stopped by an operator.
    case cancelled
}

/// What kind of call a delivery is.
public enum DeliveryKind: String, Sendable, CaseIterable, Codable {
    /// An HTTP request of a Rest API action.
    case restapi
    /// A signed command POSTed to the chat platform's callback URL.
    case callback
    /// An e-mail.
    case mail
    /// An operational event (`delivery.exhausted`, `breaker.opened`, ...) POSTed to `HOOKWORK_OPERATIONS_URL`.
    case operations
}

/// A delivery to record in a unit of work (the outbox row of one outbound call).
public struct NewDelivery: Sendable, Equatable {
    /// The stable id receivers see (`webhook-id`); a second delivery with the same id is not recorded twice.
    public var messageID: String
    /// What kind of call it is.
    public var kind: DeliveryKind
    /// `POST`, ... (`SMTP` for mail).
    public var method: String
    /// The URL (`mailto:` for mail).
    public var url: String
    /// `host:port` the call goes to; the circuit breaker and the 410 rule work per host.
    public var host: String
    /// Everything needed to make the call again: the request or envelope, retry settings, signing secrets.
    public var payload: JSONValue
    /// Where the call came from (webhook, trigger, action, chat, Rest API, trigger args, chain depth).
    public var context: JSONObject
    /// The webhook that fired, if any (filters).
    public var webhookID: Int?
    /// The trigger that ran, if any.
    public var triggerID: Int?
    /// The chat, if any.
    public var chatID: Int?
    /// The Rest API, if any.
    public var restAPIID: Int?
    /// A worker that holds the delivery from the start (the inline first attempt of the `http` worker) and until when.
    public var heldBy: String?
    /// Until when `heldBy` holds it (unix seconds).
    public var heldUntil: Int?

    /// A delivery row.
    public init(
        messageID: String, kind: DeliveryKind, method: String, url: String, host: String, payload: JSONValue, context: JSONObject,
        webhookID: Int? = nil, triggerID: Int? = nil, chatID: Int? = nil, restAPIID: Int? = nil, heldBy: String? = nil, heldUntil: Int? = nil
    ) {
        self.messageID = messageID
        self.kind = kind
        self.method = method
        self.url = url
        self.host = host
        self.payload = payload
        self.context = context
        self.webhookID = webhookID
        self.triggerID = triggerID
        self.chatID = chatID
        self.restAPIID = restAPIID
        self.heldBy = heldBy
        self.heldUntil = heldUntil
    }
}

/// A record's kind and id.
public struct RecordKey: Sendable, Equatable, Hashable {
    /// The kind.
    public var kind: EntityKind
    /// The id.
    public var id: Int

    /// A key.
    public init(kind: EntityKind, id: Int) {
        self.kind = kind
        self.id = id
    }
}

/// A record to create or replace in a unit of work.
public struct RecordPut: Sendable, Equatable {
    /// The record's kind.
    public var kind: EntityKind
    /// Its id.
    public var id: Int
    /// The whole document.
    public var document: JSONObject

    /// A put.
    public init(kind: EntityKind, id: Int, document: JSONObject) {
        self.kind = kind
        self.id = id
        self.document = document
    }
}

/// Members to merge into an existing record in a unit of work (a missing record is left alone).
public struct RecordPatch: Sendable, Equatable {
    /// The record's kind.
    public var kind: EntityKind
    /// Its id.
    public var id: Int
    /// The members to set.
    public var members: JSONObject
    /// Whether a missing record is created from the members (else the patch of a missing record does nothing).
    public var createIfMissing: Bool

    /// A patch.
    public init(kind: EntityKind, id: Int, members: JSONObject, createIfMissing: Bool = false) {
        self.kind = kind
        self.id = id
        self.members = members
        self.createIfMissing = createIfMissing
    }
}

/// What a commit wrote: the id of each delivery and, for each queued event, its sequence (nil when an event with
/// its key was stored before, so this work did not add it).
public struct CommitResult: Sendable, Equatable {
    /// The deliveries' ids, in order.
    public var deliveries: [Int]
    /// The events' sequences, in order; nil for a key seen before.
    public var events: [Int?]

    /// A result.
    public init(deliveries: [Int], events: [Int?]) {
        self.deliveries = deliveries
        self.events = events
    }
}

/// An event to queue in a unit of work (an event raised by a trigger).
public struct NewEvent: Sendable, Equatable {
    /// The idempotency key; an event with a key seen before is not queued again.
    public var key: String?
    /// The event name.
    public var name: String
    /// Its arguments.
    public var args: JSONValue
    /// When it was raised (unix seconds).
    public var receivedAt: Int
    /// When it is due.
    public var runAt: Int

    /// An event.
    public init(key: String?, name: String, args: JSONValue, receivedAt: Int, runAt: Int) {
        self.key = key
        self.name = name
        self.args = args
        self.receivedAt = receivedAt
        self.runAt = runAt
    }
}

/// A ledger slot a continuous firing claims in the transaction that records its calls.
public enum LedgerClaim: Sendable, Equatable {
    /// A chat webhook's branch for one chat: free when there is no row, or (for `every`) when the last firing is at
    /// least `everySeconds` old; nil `everySeconds` is `once` per episode.
    case firing(webhookID: Int, chatID: Int, branch: FiringBranch, everySeconds: Int?, maxFirings: Int? = nil)
    /// The firing after the last one `max_firings` allows (`then_trigger_id`): free once, when the episode fired
    /// exactly `firings` times and the last firing is at least `everySeconds` old.
    case final(webhookID: Int, chatID: Int, branch: FiringBranch, everySeconds: Int, firings: Int)
    /// Step `index` (from 0) of a webhook's ladder: free once, when the episode took exactly `index` steps.
    case step(webhookID: Int, chatID: Int, index: Int)
    /// A mail webhook's (webhook, message) pair: free when never recorded.
    case mail(webhookID: Int, messageID: Int)
}

/// Everything one decision writes, committed in one transaction: the event it completes, the records it changes,
/// the events it raises and the calls it makes. A crash before the commit leaves nothing; after it, everything.
public struct UnitOfWork: Sendable, Equatable {
    /// The event this work completes (its sequence and outcome), if any.
    public var completedEvent: (sequence: Int, outcome: JSONValue)?
    /// Records to create or replace.
    public var puts: [RecordPut]
    /// Records to patch.
    public var patches: [RecordPatch]
    /// Events to queue.
    public var events: [NewEvent]
    /// Outbound calls to deliver.
    public var deliveries: [NewDelivery]
    /// Ledger slots the work must win (a continuous firing): claimed first in the same transaction; if one is taken
    /// already, nothing of the work is written and `commit` throws `StoreError` with code `claim_lost`.
    public var claims: [LedgerClaim] = []
    /// Triggers the work ran, for the activity view's firing counts.
    public var firings: [FiringLogEntry] = []
    /// Records to delete (after the puts and patches).
    public var deletes: [RecordKey] = []
    /// Firings a webhook in shadow mode would have made (in place of running their triggers).
    public var shadowFirings: [ShadowFiring] = []

    /// A unit of work; everything is optional.
    public init(
        completedEvent: (sequence: Int, outcome: JSONValue)? = nil, puts: [RecordPut] = [], patches: [RecordPatch] = [], events: [NewEvent] = [],
        deliveries: [NewDelivery] = []
    ) {
        self.completedEvent = completedEvent
        self.puts = puts
        self.patches = patches
        self.events = events
        self.deliveries = deliveries
    }

    /// Whether there is nothing to write.
    public var isEmpty: Bool {
        completedEvent == nil && puts.isEmpty && patches.isEmpty && events.isEmpty && deliveries.isEmpty && claims.isEmpty
            && firings.isEmpty && deletes.isEmpty && shadowFirings.isEmpty
    }

    public static func == (lhs: UnitOfWork, rhs: UnitOfWork) -> Bool {
        lhs.completedEvent?.sequence == rhs.completedEvent?.sequence && lhs.completedEvent?.outcome == rhs.completedEvent?.outcome
            && lhs.puts == rhs.puts && lhs.patches == rhs.patches && lhs.events == rhs.events && lhs.deliveries == rhs.deliveries
            && lhs.claims == rhs.claims && lhs.firings == rhs.firings && lhs.deletes == rhs.deletes && lhs.shadowFirings == rhs.shadowFirings
    }
}

/// A delivery as stored.
public struct DeliveryRecord: Sendable, Equatable {
    /// The store's id.
    public var id: Int
    /// The stable message id (`webhook-id`).
    public var messageID: String
    /// The kind of call.
    public var kind: DeliveryKind
    /// Where it stands.
    public var status: DeliveryStatus
    /// `POST`, ... or `SMTP`.
    public var method: String
    /// The URL or `mailto:`.
    public var url: String
    /// `host:port`.
    public var host: String
    /// The request or envelope and its delivery settings.
    public var payload: JSONValue
    /// Where the call came from.
    public var context: JSONObject
    /// The webhook, if any.
    public var webhookID: Int?
    /// The trigger, if any.
    public var triggerID: Int?
    /// The chat, if any.
    public var chatID: Int?
    /// The Rest API, if any.
    public var restAPIID: Int?
    /// Attempts made (or started) so far; the next attempt's number is this plus one.
    public var attempts: Int
    /// When the next attempt is due (pending and failed deliveries).
    public var nextAttemptAt: Int?
    /// When it was recorded.
    public var createdAt: Int
    /// When it last changed.
    public var updatedAt: Int
    /// The last response's status code.
    public var lastStatusCode: Int?
    /// The last attempt's error.
    public var lastError: String?
    /// Whether the pending attempt is a one-shot replay (a failure does not schedule retries).
    public var oneShot: Bool
    /// A callback command's number in its chat's command stream (1, 2, ... in the order they were decided).
    public var sequence: Int?

    /// A record.
    public init(
        id: Int, messageID: String, kind: DeliveryKind, status: DeliveryStatus, method: String, url: String, host: String, payload: JSONValue,
        context: JSONObject, webhookID: Int?, triggerID: Int?, chatID: Int?, restAPIID: Int?, attempts: Int, nextAttemptAt: Int?,
        createdAt: Int, updatedAt: Int, lastStatusCode: Int?, lastError: String?, oneShot: Bool, sequence: Int? = nil
    ) {
        self.id = id
        self.messageID = messageID
        self.kind = kind
        self.status = status
        self.method = method
        self.url = url
        self.host = host
        self.payload = payload
        self.context = context
        self.webhookID = webhookID
        self.triggerID = triggerID
        self.chatID = chatID
        self.restAPIID = restAPIID
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastStatusCode = lastStatusCode
        self.lastError = lastError
        self.oneShot = oneShot
        self.sequence = sequence
    }
}

/// One attempt as logged: the request as sent (secrets masked), the response, how long it took, the error.
public struct DeliveryAttemptRecord: Sendable, Equatable {
    /// The attempt's number, from 1; unique per delivery.
    public var number: Int
    /// When it started (unix seconds).
    public var startedAt: Int
    /// How long it took.
    public var durationMilliseconds: Int
    /// `{"method","url","headers":[[n,v]],"body","body_truncated"}`.
    public var request: JSONValue
    /// `{"status","headers","body","body_truncated"}`, or nil when no response arrived.
    public var response: JSONValue?
    /// Why it failed, if it did.
    public var error: String?

    /// An attempt.
    public init(number: Int, startedAt: Int, durationMilliseconds: Int, request: JSONValue, response: JSONValue?, error: String?) {
        self.number = number
        self.startedAt = startedAt
        self.durationMilliseconds = durationMilliseconds
        self.request = request
        self.response = response
        self.error = error
    }
}

/// Which deliveries a worker claims.
public struct DeliveryClaim: Sendable, Equatable {
    /// At most this many.
    public var limit: Int
    /// The current time (unix seconds).
    public var now: Int
    /// The claimer's name.
    public var worker: String
    /// How long the claim holds; an attempt not finished by then may be made again (with the next number).
    public var leaseSeconds: Int
    /// Hosts not to claim for (open circuit breakers, hosts at their concurrency cap).
    public var excludedHosts: [String]
    /// Only this host (a half-open breaker's probe).
    public var onlyHost: String?
    /// Only these deliveries, also when `worker` already holds them (the inline first attempt).
    public var ids: [Int]?

    /// A claim.
    public init(
        limit: Int, now: Int, worker: String, leaseSeconds: Int, excludedHosts: [String] = [], onlyHost: String? = nil, ids: [Int]? = nil
    ) {
        self.limit = limit
        self.now = now
        self.worker = worker
        self.leaseSeconds = leaseSeconds
        self.excludedHosts = excludedHosts
        self.onlyHost = onlyHost
        self.ids = ids
    }
}

/// The end of one attempt: its log entry and the delivery's new state.
public struct AttemptFinish: Sendable, Equatable {
    /// The delivery.
    public var deliveryID: Int
    /// The attempt's log entry (its number is the claim's attempt number).
    public var attempt: DeliveryAttemptRecord
    /// The delivery's new status.
    public var status: DeliveryStatus
    /// When the next attempt is due (a failed delivery).
    public var nextAttemptAt: Int?
    /// The response's status code, if one arrived.
    public var statusCode: Int?
    /// The error, if it failed.
    public var error: String?
    /// When it finished.
    public var now: Int
    /// A host whose retries stop from now on (it answered 410 Gone), with the reason.
    public var disableHost: String?

    /// A finish.
    public init(
        deliveryID: Int, attempt: DeliveryAttemptRecord, status: DeliveryStatus, nextAttemptAt: Int?, statusCode: Int?, error: String?, now: Int,
        disableHost: String? = nil
    ) {
        self.deliveryID = deliveryID
        self.attempt = attempt
        self.status = status
        self.nextAttemptAt = nextAttemptAt
        self.statusCode = statusCode
        self.error = error
        self.now = now
        self.disableHost = disableHost
    }
}

/// Which deliveries to list.
public struct DeliveryQuery: Sendable, Equatable {
    /// Only this status.
    public var status: DeliveryStatus?
    /// Only this webhook's.
    public var webhookID: Int?
    /// Only calls of this kind.
    public var kind: DeliveryKind? = nil
    /// Only this chat's.
    public var chatID: Int?
    /// Created at or after (unix seconds).
    public var since: Int?
    /// Created before (unix seconds).
    public var until: Int?
    /// Ids below this (paging, newest first).
    public var beforeID: Int?
    /// At most this many.
    public var limit: Int

    /// A query; newest first.
    public init(
        status: DeliveryStatus? = nil, webhookID: Int? = nil, chatID: Int? = nil, since: Int? = nil, until: Int? = nil, beforeID: Int? = nil,
        limit: Int = 50
    ) {
        self.status = status
        self.webhookID = webhookID
        self.chatID = chatID
        self.since = since
        self.until = until
        self.beforeID = beforeID
        self.limit = limit
    }
}

/// A host whose retries were stopped because it answered 410 Gone.
public struct DisabledHost: Sendable, Equatable {
    /// `host:port`.
    public var host: String
    /// When (unix seconds).
    public var disabledAt: Int
    /// Why.
    public var reason: String

    /// A disabled host.
    public init(host: String, disabledAt: Int, reason: String) {
        self.host = host
        self.disabledAt = disabledAt
        self.reason = reason
    }
}

/// Counts per time bucket (the activity view).
public struct ActivityBucket: Sendable, Equatable {
    /// The bucket's start (unix seconds).
    public var start: Int
    /// Events received.
    public var events: Int
    /// Triggers run in the bucket (hook, continuous chat, continuous mail) that changed something.
    public var firings: Int
    /// Triggers run in the bucket that changed nothing (every action `unchanged` or `skipped`).
    public var idleRuns: Int = 0
    /// Deliveries delivered (by their last change).
    public var delivered: Int
    /// Deliveries failed or exhausted (by their last change).
    public var failed: Int

    /// A bucket.
    public init(start: Int, events: Int, firings: Int = 0, delivered: Int, failed: Int) {
        self.start = start
        self.events = events
        self.firings = firings
        self.delivered = delivered
        self.failed = failed
    }
}

/// The durable outbox: units of work, delivery claims, the attempt log, replay and retention.
public protocol DeliveryStore: Sendable {
    /// Writes everything in `work` in one transaction; returns the id of each of its deliveries, in order (the existing
    /// id when a delivery with the same message id was recorded before).
    func commit(_ work: UnitOfWork, now: Int) async throws -> [Int]
    /// `commit`, also telling which of the work's events it added.
    func commitReporting(_ work: UnitOfWork, now: Int) async throws -> CommitResult
    /// Claims due deliveries: each claimed delivery's attempt counter goes up by one, so no two claims get the same
    /// attempt number; returns them with `attempts` set to the number of the attempt to make.
    func claimDeliveries(_ claim: DeliveryClaim) async throws -> [DeliveryRecord]
    /// Gives back deliveries `worker` claimed but will not attempt: their attempt number is handed out again by the
    /// next claim.
    func releaseDeliveries(ids: [Int], worker: String) async throws
    /// Moves the due deliveries of `host` that nobody holds to `until` (a host whose breaker opened: its calls wait for
    /// the probe instead of being passed over by every claim); returns how many.
    func postponeDeliveries(host: String, until: Int, now: Int) async throws -> Int
    /// Logs an attempt and moves the delivery to its new state, with the follow-up work, in one transaction. Returns
    /// false when a later attempt has been claimed meanwhile, or the delivery was replayed or cancelled after this
    /// attempt's lease ran out (the log entry is kept; the state and the follow-up work are not written).
    func finishAttempt(_ finish: AttemptFinish, followUp: UnitOfWork) async throws -> Bool
    /// The delivery, or nil.
    func delivery(id: Int) async throws -> DeliveryRecord?
    /// Deliveries, newest first.
    func deliveries(_ query: DeliveryQuery) async throws -> [DeliveryRecord]
    /// A delivery's attempts, oldest first.
    func deliveryAttempts(id: Int) async throws -> [DeliveryAttemptRecord]
    /// Makes the delivery due now for one more attempt (same message id); nil if there is no such delivery, or an attempt
    /// holds it (its outcome would overwrite the replay).
    func replayDelivery(id: Int, now: Int) async throws -> DeliveryRecord?
    /// Replays every delivery with `status` created in `since..<until`; returns how many.
    func replayDeliveries(status: DeliveryStatus, since: Int, until: Int, now: Int) async throws -> Int
    /// Deletes delivered deliveries (and their attempts) last changed before `before`; returns how many.
    func purgeDeliveries(deliveredBefore before: Int) async throws -> Int
    /// Hosts whose retries are stopped (410 Gone).
    func disabledHosts() async throws -> [DisabledHost]
    /// Lets calls to a host that answered 410 go again; false if it was not disabled.
    func enableHost(_ host: String) async throws -> Bool
    /// Events received and deliveries finished per bucket of `bucketSeconds`, `count` buckets from `start`.
    func activity(start: Int, bucketSeconds: Int, count: Int) async throws -> [ActivityBucket]
}
