import HookworkCore
import SQLKit

/// The outbox on SQL (`DeliveryStore`): one text for SQLite and PostgreSQL, the differences in `SQLFlavor`.
extension SQLStore {
    /// The columns a delivery is read back with.
    static let deliveryColumns = """
        id, message_id, kind, status, method, url, host, payload, context, webhook_id, trigger_id, chat_id, rest_api_id, attempts,
        next_attempt_at, created_at, updated_at, last_status_code, last_error, one_shot, sequence
        """

    /// Writes a unit of work in one transaction; returns its deliveries' ids in order.
    public func commit(_ work: UnitOfWork, now: Int) async throws -> [Int] {
        try await commitReporting(work, now: now).deliveries
    }

    public func commitReporting(_ work: UnitOfWork, now: Int) async throws -> CommitResult {
        guard !work.isEmpty else { return CommitResult(deliveries: [], events: []) }
        let prepared = try PreparedWork(work)
        let flavor = engine.flavor
        return try await guarded {
            try await engine.transaction { db in try await prepared.write(on: db, flavor: flavor, now: now) }
        }
    }

    /// Claims due deliveries, raising each one's attempt counter under its row lock.
    public func claimDeliveries(_ claim: DeliveryClaim) async throws -> [DeliveryRecord] {
        guard claim.limit > 0 else { return [] }
        if let ids = claim.ids, ids.isEmpty { return [] }
        let flavor = engine.flavor
        var due: SQLQueryString = """
            SELECT d.id FROM hw_deliveries d WHERE d.next_attempt_at IS NOT NULL AND d.next_attempt_at <= \(bind: claim.now)
            """
        // A chat's commands go in the order they were recorded: one waits while an earlier command of its chat is
        // unfinished (pending, or failed with a retry due), unless that one is in this same claim (then the claimer
        // makes them one after another and stops at the first that fails).
        var earlier: SQLQueryString = """
             AND NOT (d.kind = 'callback' AND d.chat_id IS NOT NULL AND EXISTS (
                SELECT 1 FROM hw_deliveries e WHERE e.chat_id = d.chat_id AND e.kind = 'callback' AND e.status IN ('pending', 'failed')
                    AND e.id < d.id
            """
        if let ids = claim.ids {
            // The inline first attempt: the caller holds these deliveries already (recorded with its lease).
            due +=
                " AND d.id IN (\(binds: ids)) AND (d.lease_until IS NULL OR d.lease_until <= \(bind: claim.now) OR d.worker = \(bind: claim.worker))"
            earlier += " AND e.id NOT IN (\(binds: ids))"
        } else {
            due += " AND (d.lease_until IS NULL OR d.lease_until <= \(bind: claim.now))"
        }
        earlier += "))"
        due += earlier
        if !claim.excludedHosts.isEmpty { due += " AND d.host NOT IN (\(binds: claim.excludedHosts))" }
        if let host = claim.onlyHost { due += " AND d.host = \(bind: host)" }
        due += " ORDER BY d.next_attempt_at, d.id LIMIT \(bind: claim.limit)\(unsafeRaw: flavor.skipLocked)"
        var statement: SQLQueryString = """
            UPDATE hw_deliveries SET attempts = attempts + 1, lease_until = \(bind: claim.now + claim.leaseSeconds), worker = \(bind: claim.worker),
                updated_at = \(bind: claim.now)
            WHERE id IN (
            """
        statement += due
        statement += ") RETURNING \(unsafeRaw: Self.deliveryColumns)"
        let query = statement
        let rows = try await guarded {
            try await engine.write { db in try await db.raw(query).all().map { try DeliveryRow(row: $0) } }
        }
        return try rows.map { try $0.record() }.sorted { ($0.nextAttemptAt ?? 0, $0.id) < ($1.nextAttemptAt ?? 0, $1.id) }
    }

    /// Gives back claimed deliveries that will not be attempted (their attempt counter goes back down).
    public func releaseDeliveries(ids: [Int], worker: String) async throws {
        guard !ids.isEmpty else { return }
        try await guarded {
            try await engine.write { db in
                try await db.raw(
                    """
                    UPDATE hw_deliveries SET attempts = attempts - 1, lease_until = NULL, worker = NULL
                    WHERE id IN (\(binds: ids)) AND worker = \(bind: worker) AND attempts > 0
                    """
                ).run()
            }
        }
    }

    /// Moves a host's due, unheld deliveries to `until`.
    public func postponeDeliveries(host: String, until: Int, now: Int) async throws -> Int {
        try await guarded {
            try await engine.write { db in
                try await db.raw(
                    """
                    UPDATE hw_deliveries SET next_attempt_at = \(bind: until)
                    WHERE host = \(bind: host) AND next_attempt_at IS NOT NULL AND next_attempt_at < \(bind: until)
                        AND (lease_until IS NULL OR lease_until <= \(bind: now)) RETURNING id
                    """
                ).all().count
            }
        }
    }

    /// Logs an attempt and sets the delivery's new state, with the follow-up work, in one transaction.
    public func finishAttempt(_ finish: AttemptFinish, followUp: UnitOfWork) async throws -> Bool {
        guard (finish.status == .pending || finish.status == .failed) == (finish.nextAttemptAt != nil) else {
            throw StoreError(code: "invalid", message: "a pending or failed delivery needs a next attempt time, and only those have one")
        }
        let requestText = try StoredJSON.text(finish.attempt.request)
        let responseText = try finish.attempt.response.map { try StoredJSON.text($0) }
        let prepared = try PreparedWork(followUp)
        let flavor = engine.flavor
        return try await guarded {
            try await engine.transaction { db in
                let attempt = finish.attempt
                try await db.raw(
                    """
                    INSERT INTO hw_delivery_attempts (delivery_id, number, started_at, duration_ms, request, response, error)
                    VALUES (\(bind: finish.deliveryID), \(bind: attempt.number), \(bind: attempt.startedAt), \(bind: max(0, attempt.durationMilliseconds)),
                        \(bind: requestText), \(bind: responseText), \(bind: attempt.error))
                    ON CONFLICT (delivery_id, number) DO NOTHING
                    """
                ).run()
                // Only the latest claimed attempt moves the delivery, and only while it still holds it: an attempt whose
                // lease ran out while it was still under way is logged, but the attempt claimed after it decides the
                // state; a replay or a cancel (which release the hold) made meanwhile is not overwritten.
                let current =
                    try await db.raw(
                        """
                        UPDATE hw_deliveries SET status = \(bind: finish.status.rawValue), next_attempt_at = \(bind: finish.nextAttemptAt),
                            lease_until = NULL, worker = NULL, one_shot = 0, updated_at = \(bind: finish.now),
                            last_status_code = \(bind: finish.statusCode), last_error = \(bind: finish.error)
                        WHERE id = \(bind: finish.deliveryID) AND attempts = \(bind: attempt.number) AND worker IS NOT NULL RETURNING id
                        """
                    ).first() != nil
                if let host = finish.disableHost {
                    let reason = "answered 410 Gone; no call goes to this host until an admin enables it again"
                    try await db.raw(
                        """
                        INSERT INTO hw_delivery_hosts (host, disabled_at, reason) VALUES (\(bind: host), \(bind: finish.now), \(bind: reason))
                        ON CONFLICT (host) DO NOTHING
                        """
                    ).run()
                    try await db.raw(
                        """
                        UPDATE hw_deliveries SET status = 'exhausted', next_attempt_at = NULL, updated_at = \(bind: finish.now),
                            last_error = \(bind: "not retried: the host " + reason)
                        WHERE host = \(bind: host) AND status = 'failed' AND (lease_until IS NULL OR lease_until <= \(bind: finish.now))
                        """
                    ).run()
                }
                guard current else { return false }
                _ = try await prepared.write(on: db, flavor: flavor, now: finish.now)
                return true
            }
        }
    }

    /// The delivery, or nil.
    public func delivery(id: Int) async throws -> DeliveryRecord? {
        let row = try await guarded {
            try await engine.read { db in
                try await db.raw("SELECT \(unsafeRaw: Self.deliveryColumns) FROM hw_deliveries WHERE id = \(bind: id)").first().map {
                    try DeliveryRow(row: $0)
                }
            }
        }
        return try row?.record()
    }

    /// Deliveries matching `query`, newest first.
    public func deliveries(_ query: DeliveryQuery) async throws -> [DeliveryRecord] {
        guard query.limit > 0 else { return [] }
        var sql: SQLQueryString = "SELECT \(unsafeRaw: Self.deliveryColumns) FROM hw_deliveries WHERE 1 = 1"
        if let status = query.status { sql += " AND status = \(bind: status.rawValue)" }
        if let kind = query.kind { sql += " AND kind = \(bind: kind.rawValue)" }
        if let webhookID = query.webhookID { sql += " AND webhook_id = \(bind: webhookID)" }
        if let chatID = query.chatID { sql += " AND chat_id = \(bind: chatID)" }
        if let since = query.since { sql += " AND created_at >= \(bind: since)" }
        if let until = query.until { sql += " AND created_at < \(bind: until)" }
        if let beforeID = query.beforeID { sql += " AND id < \(bind: beforeID)" }
        sql += " ORDER BY id DESC LIMIT \(bind: query.limit)"
        let statement = sql
        let rows = try await guarded {
            try await engine.read { db in try await db.raw(statement).all().map { try DeliveryRow(row: $0) } }
        }
        return try rows.map { try $0.record() }
    }

    /// A delivery's attempts, oldest first.
    public func deliveryAttempts(id: Int) async throws -> [DeliveryAttemptRecord] {
        let rows = try await guarded {
            try await engine.read { db in
                try await db.raw(
                    """
                    SELECT number, started_at, duration_ms, request, response, error FROM hw_delivery_attempts
                    WHERE delivery_id = \(bind: id) ORDER BY number
                    """
                ).all().map { row in
                    (
                        number: try row.decode(column: "number", as: Int.self), startedAt: try row.decode(column: "started_at", as: Int.self),
                        duration: try row.decode(column: "duration_ms", as: Int.self), request: try row.decode(column: "request", as: String.self),
                        response: try row.decode(column: "response", as: String?.self), error: try row.decode(column: "error", as: String?.self)
                    )
                }
            }
        }
        return try rows.map { row in
            DeliveryAttemptRecord(
                number: row.number, startedAt: row.startedAt, durationMilliseconds: row.duration, request: try StoredJSON.value(row.request),
                response: try row.response.map { try StoredJSON.value($0) }, error: row.error
            )
        }
    }

    /// Makes a delivery due now; a delivery that had finished gets one attempt (a failure does not start retries again).
    /// A delivery an attempt holds (its lease has not run out) is left alone: nil, as for a missing one.
    public func replayDelivery(id: Int, now: Int) async throws -> DeliveryRecord? {
        let row = try await guarded {
            try await engine.write { db in
                try await db.raw(
                    """
                    UPDATE hw_deliveries SET one_shot = CASE WHEN status IN ('pending', 'failed') THEN one_shot ELSE 1 END,
                        status = 'pending', next_attempt_at = \(bind: now), updated_at = \(bind: now), lease_until = NULL, worker = NULL
                    WHERE id = \(bind: id) AND (lease_until IS NULL OR lease_until <= \(bind: now)) RETURNING \(unsafeRaw: Self.deliveryColumns)
                    """
                ).first().map { try DeliveryRow(row: $0) }
            }
        }
        return try row?.record()
    }

    /// Replays every delivery with `status` created in `since..<until`, except those an attempt holds.
    public func replayDeliveries(status: DeliveryStatus, since: Int, until: Int, now: Int) async throws -> Int {
        try await guarded {
            try await engine.write { db in
                try await db.raw(
                    """
                    UPDATE hw_deliveries SET one_shot = CASE WHEN status IN ('pending', 'failed') THEN one_shot ELSE 1 END,
                        status = 'pending', next_attempt_at = \(bind: now), updated_at = \(bind: now), lease_until = NULL, worker = NULL
                    WHERE status = \(bind: status.rawValue) AND created_at >= \(bind: since) AND created_at < \(bind: until)
                        AND (lease_until IS NULL OR lease_until <= \(bind: now)) RETURNING id
                    """
                ).all().count
            }
        }
    }

    /// Deletes delivered deliveries last changed before `before`, with their attempts.
    public func purgeDeliveries(deliveredBefore before: Int) async throws -> Int {
        try await guarded {
            try await engine.transaction { db in
                try await db.raw(
                    """
                    DELETE FROM hw_delivery_attempts WHERE delivery_id IN (
                        SELECT id FROM hw_deliveries WHERE status = 'delivered' AND updated_at < \(bind: before))
                    """
                ).run()
                return try await db.raw("DELETE FROM hw_deliveries WHERE status = 'delivered' AND updated_at < \(bind: before) RETURNING id").all()
                    .count
            }
        }
    }

    /// Hosts whose retries a 410 stopped.
    public func disabledHosts() async throws -> [DisabledHost] {
        try await guarded {
            try await engine.read { db in
                try await db.raw("SELECT host, disabled_at, reason FROM hw_delivery_hosts ORDER BY host").all().map { row in
                    DisabledHost(
                        host: try row.decode(column: "host", as: String.self), disabledAt: try row.decode(column: "disabled_at", as: Int.self),
                        reason: try row.decode(column: "reason", as: String.self)
                    )
                }
            }
        }
    }

    public func enableHost(_ host: String) async throws -> Bool {
        try await guarded {
            try await engine.write { db in
                try await db.raw("DELETE FROM hw_delivery_hosts WHERE host = \(bind: host) RETURNING host").first() != nil
            }
        }
    }

    /// Events received and deliveries finished per bucket.
    public func activity(start: Int, bucketSeconds: Int, count: Int) async throws -> [ActivityBucket] {
        guard bucketSeconds > 0, count > 0 else { return [] }
        let end = start + bucketSeconds * count
        let (events, firings, deliveries) = try await guarded {
            try await engine.read { db in
                let events = try await db.raw(
                    """
                    SELECT (received_at - \(bind: start)) / \(bind: bucketSeconds) AS bucket, COUNT(*) AS n FROM hw_events
                    WHERE received_at >= \(bind: start) AND received_at < \(bind: end) GROUP BY bucket
                    """
                ).all().map { (try $0.decode(column: "bucket", as: Int.self), try $0.decode(column: "n", as: Int.self)) }
                // Firings: every trigger a committed decision ran (hook, continuous chat, continuous mail), from the log
                // its unit of work wrote.
                let firings = try await db.raw(
                    """
                    SELECT (fired_at - \(bind: start)) / \(bind: bucketSeconds) AS bucket, effective, COUNT(*) AS n FROM hw_firings
                    WHERE fired_at >= \(bind: start) AND fired_at < \(bind: end) GROUP BY bucket, effective
                    """
                ).all().map {
                    (
                        try $0.decode(column: "bucket", as: Int.self), try $0.decode(column: "effective", as: Int.self) != 0,
                        try $0.decode(column: "n", as: Int.self)
                    )
                }
                let deliveries = try await db.raw(
                    """
                    SELECT (updated_at - \(bind: start)) / \(bind: bucketSeconds) AS bucket, status, COUNT(*) AS n FROM hw_deliveries
                    WHERE updated_at >= \(bind: start) AND updated_at < \(bind: end) AND status IN ('delivered', 'failed', 'exhausted')
                    GROUP BY bucket, status
                    """
                ).all().map {
                    (
                        try $0.decode(column: "bucket", as: Int.self), try $0.decode(column: "status", as: String.self),
                        try $0.decode(column: "n", as: Int.self)
                    )
                }
                return (events, firings, deliveries)
            }
        }
        var buckets = (0..<count).map { ActivityBucket(start: start + $0 * bucketSeconds, events: 0, delivered: 0, failed: 0) }
        for (bucket, n) in events where buckets.indices.contains(bucket) { buckets[bucket].events += n }
        for (bucket, effective, n) in firings where buckets.indices.contains(bucket) {
            if effective { buckets[bucket].firings += n } else { buckets[bucket].idleRuns += n }
        }
        for (bucket, status, n) in deliveries where buckets.indices.contains(bucket) {
            if status == "delivered" { buckets[bucket].delivered += n } else { buckets[bucket].failed += n }
        }
        return buckets
    }
}

/// A unit of work with its JSON texts and record rows made before the transaction (so that a bad document is refused
/// before anything is written).
private struct PreparedWork: Sendable {
    struct Delivery: Sendable {
        var delivery: NewDelivery
        var payload: String
        var context: String
    }

    var completed: (sequence: Int, outcome: String)?
    var puts: [RecordRow]
    var patches: [RecordPatch]
    var events: [(event: NewEvent, args: String)]
    var deliveries: [Delivery]
    var claims: [LedgerClaim]
    var firings: [FiringLogEntry]
    var deletes: [RecordKey]
    var shadowFirings: [(firing: ShadowFiring, trace: String)]

    init(_ work: UnitOfWork) throws(StoreError) {
        var shadowFirings: [(firing: ShadowFiring, trace: String)] = []
        for firing in work.shadowFirings { shadowFirings.append((firing, try StoredJSON.text(firing.trace))) }
        self.shadowFirings = shadowFirings
        claims = work.claims
        deletes = work.deletes
        firings = work.firings
        if let completed = work.completedEvent {
            self.completed = (completed.sequence, try StoredJSON.text(completed.outcome))
        }
        var puts: [RecordRow] = []
        for put in work.puts { puts.append(try RecordRow(kind: put.kind, id: put.id, document: put.document)) }
        self.puts = puts
        self.patches = work.patches
        var events: [(event: NewEvent, args: String)] = []
        for event in work.events { events.append((event, try StoredJSON.text(event.args))) }
        self.events = events
        var deliveries: [Delivery] = []
        for delivery in work.deliveries {
            deliveries.append(
                Delivery(delivery: delivery, payload: try StoredJSON.text(delivery.payload), context: try StoredJSON.text(delivery.context)))
        }
        self.deliveries = deliveries
    }

    func write(on db: any SQLDatabase, flavor: SQLFlavor, now: Int) async throws -> CommitResult {
        for claim in claims where try await db.raw(SQLStore.claimQuery(claim, now: now)).first() == nil {
            throw StoreError(code: "claim_lost", message: "the ledger slot \(claim) was claimed already; nothing was written")
        }
        if let completed {
            let found =
                try await db.raw(
                    """
                    UPDATE hw_events SET completed_at = \(bind: now), outcome = \(bind: completed.outcome), lease_until = NULL
                    WHERE sequence = \(bind: completed.sequence) RETURNING sequence
                    """
                ).first() != nil
            guard found else {
                throw StoreError(code: "not_found", message: "there is no event \(completed.sequence); complete only events returned by claimEvents")
            }
        }
        for row in puts { try await row.upsert(on: db) }
        for patch in patches {
            let row = try await db.raw(
                "SELECT document FROM hw_records WHERE kind = \(bind: patch.kind.rawValue) AND id = \(bind: patch.id)\(unsafeRaw: flavor.lockRows)"
            ).first()
            guard let row else {
                if patch.createIfMissing {
                    var document = patch.members
                    document["id"] = .int(patch.id)
                    try await RecordRow(kind: patch.kind, id: patch.id, document: document).upsert(on: db)
                }
                continue
            }
            var document = try StoredJSON.object(try row.decode(column: "document", as: String.self))
            for (key, value) in patch.members { document[key] = value }
            try await RecordRow(kind: patch.kind, id: patch.id, document: document).update(on: db)
        }
        for key in deletes {
            try await db.raw("DELETE FROM hw_records WHERE kind = \(bind: key.kind.rawValue) AND id = \(bind: key.id)").run()
        }
        var sequences: [Int?] = []
        for (event, args) in events {
            let inserted = try await db.raw(
                """
                INSERT INTO hw_events (event_key, name, args, received_at, run_at)
                VALUES (\(bind: event.key), \(bind: event.name), \(bind: args), \(bind: event.receivedAt), \(bind: event.runAt))
                ON CONFLICT (event_key) DO NOTHING RETURNING sequence
                """
            ).first()
            sequences.append(try inserted?.decode(column: "sequence", as: Int.self))
        }
        for firing in firings {
            try await db.raw(
                """
                INSERT INTO hw_firings (fired_at, source, webhook_id, trigger_id, effective, chat_id)
                VALUES (
                    \(bind: firing.firedAt), \(bind: firing.source.rawValue), \(bind: firing.webhookID), \(bind: firing.triggerID),
                    \(bind: firing.effective ? 1 : 0), \(bind: firing.chatID)
                )
                """
            ).run()
        }
        for (firing, trace) in shadowFirings {
            try await db.raw(
                """
                INSERT INTO hw_shadow_firings (webhook_id, subject_id, fired_at, source, branch, trigger_id, trace)
                VALUES (\(bind: firing.webhookID), \(bind: firing.subjectID), \(bind: firing.firedAt), \(bind: firing.source.rawValue),
                    \(bind: firing.branch), \(bind: firing.triggerID), \(bind: trace))
                """
            ).run()
        }
        var ids: [Int] = []
        for item in deliveries {
            let delivery = item.delivery
            let inserted = try await db.raw(
                """
                INSERT INTO hw_deliveries (message_id, kind, status, method, url, host, payload, context, webhook_id, trigger_id, chat_id,
                    rest_api_id, attempts, next_attempt_at, lease_until, worker, created_at, updated_at)
                VALUES (\(bind: delivery.messageID), \(bind: delivery.kind.rawValue), 'pending', \(bind: delivery.method), \(bind: delivery.url),
                    \(bind: delivery.host), \(bind: item.payload), \(bind: item.context), \(bind: delivery.webhookID), \(bind: delivery.triggerID),
                    \(bind: delivery.chatID), \(bind: delivery.restAPIID), 0, \(bind: now), \(bind: delivery.heldUntil), \(bind: delivery.heldBy),
                    \(bind: now), \(bind: now))
                ON CONFLICT (message_id) DO NOTHING RETURNING id
                """
            ).first()?.decode(column: "id", as: Int.self)
            if let inserted {
                ids.append(inserted)
                if delivery.kind == .callback, let chatID = delivery.chatID {
                    // The chat's next command number, taken in the transaction that records the command.
                    let sequence = try await db.raw(
                        """
                        INSERT INTO hw_command_sequences (chat_id, last_sequence) VALUES (\(bind: chatID), 1)
                        ON CONFLICT (chat_id) DO UPDATE SET last_sequence = hw_command_sequences.last_sequence + 1 RETURNING last_sequence
                        """
                    ).first()?.decode(column: "last_sequence", as: Int.self)
                    try await db.raw("UPDATE hw_deliveries SET sequence = \(bind: sequence) WHERE id = \(bind: inserted)").run()
                }
            } else {
                let existing = try await db.raw("SELECT id FROM hw_deliveries WHERE message_id = \(bind: delivery.messageID)").first()?
                    .decode(column: "id", as: Int.self)
                guard let existing else {
                    throw StoreError(code: "conflict", message: "delivery \(delivery.messageID) could not be recorded or found; retry")
                }
                ids.append(existing)
            }
        }
        return CommitResult(deliveries: ids, events: sequences)
    }
}

/// One row of `hw_deliveries` as read back.
struct DeliveryRow: Sendable {
    var id: Int
    var messageID: String
    var kind: String
    var status: String
    var method: String
    var url: String
    var host: String
    var payload: String
    var context: String
    var webhookID: Int?
    var triggerID: Int?
    var chatID: Int?
    var restAPIID: Int?
    var attempts: Int
    var nextAttemptAt: Int?
    var createdAt: Int
    var updatedAt: Int
    var lastStatusCode: Int?
    var lastError: String?
    var oneShot: Int
    var sequence: Int?

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: Int.self)
        messageID = try row.decode(column: "message_id", as: String.self)
        kind = try row.decode(column: "kind", as: String.self)
        status = try row.decode(column: "status", as: String.self)
        method = try row.decode(column: "method", as: String.self)
        url = try row.decode(column: "url", as: String.self)
        host = try row.decode(column: "host", as: String.self)
        payload = try row.decode(column: "payload", as: String.self)
        context = try row.decode(column: "context", as: String.self)
        webhookID = try row.decode(column: "webhook_id", as: Int?.self)
        triggerID = try row.decode(column: "trigger_id", as: Int?.self)
        chatID = try row.decode(column: "chat_id", as: Int?.self)
        restAPIID = try row.decode(column: "rest_api_id", as: Int?.self)
        attempts = try row.decode(column: "attempts", as: Int.self)
        nextAttemptAt = try row.decode(column: "next_attempt_at", as: Int?.self)
        createdAt = try row.decode(column: "created_at", as: Int.self)
        updatedAt = try row.decode(column: "updated_at", as: Int.self)
        lastStatusCode = try row.decode(column: "last_status_code", as: Int?.self)
        lastError = try row.decode(column: "last_error", as: String?.self)
        oneShot = try row.decode(column: "one_shot", as: Int.self)
        sequence = try row.decode(column: "sequence", as: Int?.self)
    }

    func record() throws(StoreError) -> DeliveryRecord {
        guard let kind = DeliveryKind(rawValue: kind), let status = DeliveryStatus(rawValue: status) else {
            throw StoreError(code: "invalid", message: "delivery \(id) has an unknown kind or status; repair or delete the row")
        }
        return DeliveryRecord(
            id: id, messageID: messageID, kind: kind, status: status, method: method, url: url, host: host, payload: try StoredJSON.value(payload),
            context: try StoredJSON.object(context), webhookID: webhookID, triggerID: triggerID, chatID: chatID, restAPIID: restAPIID,
            attempts: attempts, nextAttemptAt: nextAttemptAt, createdAt: createdAt, updatedAt: updatedAt, lastStatusCode: lastStatusCode,
            lastError: lastError, oneShot: oneShot != 0, sequence: sequence
        )
    }
}
