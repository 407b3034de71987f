public import HookworkCore
import Logging
import SQLKit

extension SQLStore {
    /// Ids per statement in the chunked reads: far below both engines' limits on bound values.
    static let idChunk = 900

    /// Claims a firing with one conditional write; the affected row tells whether this caller won.
    public func claimFiring(webhookID: Int, chatID: Int, branch: FiringBranch, everySeconds: Int?, now: Int) async throws -> Bool {
        let statement = Self.claimQuery(.firing(webhookID: webhookID, chatID: chatID, branch: branch, everySeconds: everySeconds), now: now)
        return try await continuousGuarded {
            try await engine.write { db in try await db.raw(statement).first() != nil }
        }
    }

    /// The statement that claims `claim` at `now`; it returns a row when the claim was won.
    static func claimQuery(_ claim: LedgerClaim, now: Int) -> SQLQueryString {
        switch claim {
        case .firing(let webhookID, let chatID, let branch, let everySeconds, let maxFirings):
            let state = everySeconds == nil ? "once" : "every"
            var query: SQLQueryString = """
                INSERT INTO hw_firing_ledger (webhook_id, chat_id, branch, state, last_fired_at, firings, started_at)
                VALUES (\(bind: webhookID), \(bind: chatID), \(bind: branch.rawValue), \(bind: state), \(bind: now), 1, \(bind: now))
                ON CONFLICT (webhook_id, chat_id, branch)
                """
            if let everySeconds {
                // The slot is free when the last firing is old enough (and the episode has firings left); the WHERE
                // makes a lost race update nothing.
                query += """
                     DO UPDATE SET last_fired_at = excluded.last_fired_at, state = excluded.state, firings = hw_firing_ledger.firings + 1
                    WHERE hw_firing_ledger.last_fired_at <= \(bind: now - everySeconds)
                    """
                if let maxFirings { query += " AND hw_firing_ledger.firings < \(bind: maxFirings)" }
            } else {
                query += " DO NOTHING"
            }
            query += " RETURNING chat_id"
            return query
        case .final(let webhookID, let chatID, let branch, let everySeconds, let firings):
            return """
                UPDATE hw_firing_ledger SET firings = \(bind: firings + 1), last_fired_at = \(bind: now)
                WHERE webhook_id = \(bind: webhookID) AND chat_id = \(bind: chatID) AND branch = \(bind: branch.rawValue)
                AND firings = \(bind: firings) AND last_fired_at <= \(bind: now - everySeconds)
                RETURNING chat_id
                """
        case .step(let webhookID, let chatID, let index):
            return """
                UPDATE hw_firing_ledger SET firings = \(bind: index + 1), last_fired_at = \(bind: now)
                WHERE webhook_id = \(bind: webhookID) AND chat_id = \(bind: chatID) AND branch = 'trigger' AND firings = \(bind: index)
                RETURNING chat_id
                """
        case .mail(let webhookID, let messageID):
            return """
                INSERT INTO hw_mail_ledger (webhook_id, message_id, created_at) VALUES (\(bind: webhookID), \(bind: messageID), \(bind: now))
                ON CONFLICT (webhook_id, message_id) DO NOTHING RETURNING message_id
                """
        }
    }

    /// The chat firing-ledger rows of one webhook or of all.
    public func firingLedger(webhookID: Int?) async throws -> [FiringLedgerRow] {
        var query: SQLQueryString = "SELECT webhook_id, chat_id, branch, state, last_fired_at, firings, started_at FROM hw_firing_ledger"
        if let webhookID { query += " WHERE webhook_id = \(bind: webhookID)" }
        query += " ORDER BY webhook_id, chat_id, branch"
        let statement = query
        return try await continuousGuarded {
            try await engine.read { db in
                try await db.raw(statement).all().compactMap { row in
                    guard let branch = FiringBranch(rawValue: try row.decode(column: "branch", as: String.self)) else { return nil }
                    return FiringLedgerRow(
                        webhookID: try row.decode(column: "webhook_id", as: Int.self), chatID: try row.decode(column: "chat_id", as: Int.self),
                        branch: branch, state: try row.decode(column: "state", as: String.self),
                        lastFiredAt: try row.decode(column: "last_fired_at", as: Int.self), firings: try row.decode(column: "firings", as: Int.self),
                        startedAt: try row.decode(column: "started_at", as: Int.self))
                }
            }
        }
    }

    /// Starts ladder episodes: rows with no step taken, `once`, started at `now`; existing rows are kept.
    @discardableResult
    public func startEpisodes(_ rows: [FiringLedgerKey], now: Int) async throws -> Int {
        guard !rows.isEmpty else { return 0 }
        return try await continuousGuarded {
            try await engine.transaction { db in
                var started = 0
                for row in rows {
                    let inserted = try await db.raw(
                        """
                        INSERT INTO hw_firing_ledger (webhook_id, chat_id, branch, state, last_fired_at, firings, started_at)
                        VALUES (\(bind: row.webhookID), \(bind: row.chatID), \(bind: row.branch.rawValue), 'once', 0, 0, \(bind: now))
                        ON CONFLICT (webhook_id, chat_id, branch) DO NOTHING RETURNING chat_id
                        """
                    ).first()
                    if inserted != nil { started += 1 }
                }
                return started
            }
        }
    }

    /// Deletes the rows of ended episodes, in one transaction.
    @discardableResult
    public func endEpisodes(_ rows: [FiringLedgerKey]) async throws -> Int {
        guard !rows.isEmpty else { return 0 }
        return try await continuousGuarded {
            try await engine.transaction { db in
                var deleted = 0
                for row in rows {
                    deleted += try await db.raw(
                        """
                        DELETE FROM hw_firing_ledger
                        WHERE webhook_id = \(bind: row.webhookID) AND chat_id = \(bind: row.chatID) AND branch = \(bind: row.branch.rawValue)
                        RETURNING chat_id
                        """
                    ).all().count
                }
                return deleted
            }
        }
    }

    /// Deletes a webhook's chat and mail ledger rows.
    public func resetLedger(webhookID: Int) async throws -> Int {
        try await continuousGuarded {
            try await engine.transaction { db in
                let chats = try await db.raw("DELETE FROM hw_firing_ledger WHERE webhook_id = \(bind: webhookID) RETURNING chat_id").all().count
                let mails = try await db.raw("DELETE FROM hw_mail_ledger WHERE webhook_id = \(bind: webhookID) RETURNING message_id").all().count
                return chats + mails
            }
        }
    }

    /// INSERT IGNORE of a (webhook, message) pair; true when the row is new.
    public func claimMail(webhookID: Int, messageID: Int, now: Int) async throws -> Bool {
        let statement = Self.claimQuery(.mail(webhookID: webhookID, messageID: messageID), now: now)
        return try await continuousGuarded {
            try await engine.write { db in try await db.raw(statement).first() != nil }
        }
    }

    /// The processed message ids of a mail webhook, newest row first.
    public func mailLedger(webhookID: Int) async throws -> [Int] {
        try await continuousGuarded {
            try await engine.read { db in
                try await db.raw(
                    "SELECT message_id FROM hw_mail_ledger WHERE webhook_id = \(bind: webhookID) ORDER BY created_at DESC, message_id DESC"
                ).all(decodingColumn: "message_id", as: Int.self)
            }
        }
    }

    /// The mail-ledger pairs of these webhooks.
    public func mailLedgerPairs(webhookIDs: [Int]) async throws -> Set<MailLedgerKey> {
        guard !webhookIDs.isEmpty else { return [] }
        return try await continuousGuarded {
            try await engine.read { db in
                let rows = try await db.raw("SELECT webhook_id, message_id FROM hw_mail_ledger WHERE webhook_id IN (\(binds: webhookIDs))").all()
                var pairs = Set<MailLedgerKey>()
                for row in rows {
                    pairs.insert(
                        MailLedgerKey(
                            webhookID: try row.decode(column: "webhook_id", as: Int.self),
                            messageID: try row.decode(column: "message_id", as: Int.self)))
                }
                return pairs
            }
        }
    }

    /// Deletes mail-ledger rows older than `before`.
    @discardableResult
    public func purgeMailLedger(before: Int) async throws -> Int {
        try await continuousGuarded {
            try await engine.write { db in
                try await db.raw("DELETE FROM hw_mail_ledger WHERE created_at < \(bind: before) RETURNING message_id").all().count
            }
        }
    }

    /// Messages of many chats, newest first per chat, read in chunks of ids.
    public func messages(chatIDs: [Int], perChat: Int) async throws -> [Int: [JSONObject]] {
        guard !chatIDs.isEmpty, perChat > 0 else { return [:] }
        var result: [Int: [JSONObject]] = [:]
        for start in stride(from: 0, to: chatIDs.count, by: Self.idChunk) {
            let chunk = Array(chatIDs[start..<min(start + Self.idChunk, chatIDs.count)])
            let rows = try await continuousGuarded {
                try await engine.read { db in
                    try await db.raw(
                        """
                        SELECT chat_id, document FROM hw_records WHERE kind = 'message' AND chat_id IN (\(binds: chunk))
                        ORDER BY chat_id, id DESC
                        """
                    ).all().map { (try $0.decode(column: "chat_id", as: Int.self), try $0.decode(column: "document", as: String.self)) }
                }
            }
            for (chatID, text) in rows {
                if result[chatID, default: []].count >= perChat { continue }
                if let message = readable(text, kind: .message) { result[chatID, default: []].append(message) }
            }
        }
        return result
    }

    /// Records of one kind by id, read in chunks of ids.
    public func records(_ kind: EntityKind, ids: [Int]) async throws -> [Int: JSONObject] {
        let ids = Array(Set(ids.filter { $0 > 0 }))
        guard !ids.isEmpty else { return [:] }
        var result: [Int: JSONObject] = [:]
        for start in stride(from: 0, to: ids.count, by: Self.idChunk) {
            let chunk = Array(ids[start..<min(start + Self.idChunk, ids.count)])
            let rows = try await continuousGuarded {
                try await engine.read { db in
                    try await db.raw("SELECT id, document FROM hw_records WHERE kind = \(bind: kind.rawValue) AND id IN (\(binds: chunk))")
                        .all().map { (try $0.decode(column: "id", as: Int.self), try $0.decode(column: "document", as: String.self)) }
                }
            }
            for (id, text) in rows { result[id] = readable(text, kind: kind) }
        }
        return result
    }

    /// The newest change-log position.
    public func changeCursor() async throws -> Int {
        try await continuousGuarded {
            try await engine.read { db in
                try await db.raw("SELECT COALESCE(MAX(seq), 0) AS cursor FROM hw_changes").first()?.decode(column: "cursor", as: Int.self) ?? 0
            }
        }
    }

    /// Changes after `cursor`, oldest first, and the oldest position logged.
    public func changes(after cursor: Int, limit: Int) async throws -> (changes: [RecordChange], oldest: Int?) {
        try await continuousGuarded {
            try await engine.read { db in
                let oldest = try await db.raw("SELECT MIN(seq) AS oldest FROM hw_changes").first()?.decode(column: "oldest", as: Int?.self)
                let rows = try await db.raw(
                    "SELECT seq, kind, id, chat_id FROM hw_changes WHERE seq > \(bind: cursor) ORDER BY seq LIMIT \(bind: limit)"
                ).all()
                let changes = try rows.compactMap { row -> RecordChange? in
                    guard let kind = EntityKind(rawValue: try row.decode(column: "kind", as: String.self)) else { return nil }
                    return RecordChange(
                        sequence: try row.decode(column: "seq", as: Int.self), kind: kind, id: try row.decode(column: "id", as: Int.self),
                        chatID: try row.decode(column: "chat_id", as: Int?.self))
                }
                return (changes, oldest)
            }
        }
    }

    /// Deletes all but the newest `keeping` change-log rows.
    public func purgeChanges(keeping: Int) async throws {
        try await continuousGuarded {
            try await engine.write { db in
                try await db.raw("DELETE FROM hw_changes WHERE seq <= (SELECT COALESCE(MAX(seq), 0) FROM hw_changes) - \(bind: keeping)").run()
            }
        }
    }

    /// Deletes chat and mail ledger rows whose webhook is gone.
    @discardableResult
    public func purgeOrphanLedgers() async throws -> Int {
        try await continuousGuarded {
            try await engine.transaction { db in
                let live = "SELECT id FROM hw_records WHERE kind = 'webhook'"
                let chats = try await db.raw("DELETE FROM hw_firing_ledger WHERE webhook_id NOT IN (\(unsafeRaw: live)) RETURNING chat_id").all()
                    .count
                let mails = try await db.raw("DELETE FROM hw_mail_ledger WHERE webhook_id NOT IN (\(unsafeRaw: live)) RETURNING message_id").all()
                    .count
                return chats + mails
            }
        }
    }

    /// Engine errors with a meaning for callers become `StoreError`s, as in the rest of the store.
    private func continuousGuarded<R>(_ body: () async throws -> R) async throws -> R {
        try await guarded(body)
    }
}

extension SQLStore {
    /// The configuration revision, from its one row.
    public func configurationRevision() async throws -> Int {
        try await guarded {
            try await engine.read { db in
                try await db.raw("SELECT revision FROM hw_configuration_revision WHERE id = 1").first()?.decode(column: "revision", as: Int.self) ?? 0
            }
        }
    }
}
