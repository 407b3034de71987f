public import HookworkCore
import SQLKit

/// The firing log on SQL (`FiringLogStore`); its rows are written by `commit` with the decision that ran the trigger.
extension SQLStore {
    /// Deletes firing-log rows older than `before`.
    public func purgeFirings(before: Int) async throws -> Int {
        try await guarded {
            try await engine.write { db in
                try await db.raw("DELETE FROM hw_firings WHERE fired_at < \(bind: before) RETURNING id").all().count
            }
        }
    }

    public func firings(webhookID: Int, since: Int, until: Int, limit: Int) async throws -> [FiringLogEntry] {
        guard limit > 0 else { return [] }
        return try await guarded {
            try await engine.read { db in
                try await db.raw(
                    """
                    SELECT fired_at, source, webhook_id, trigger_id, effective, chat_id FROM hw_firings
                    WHERE webhook_id = \(bind: webhookID) AND fired_at >= \(bind: since) AND fired_at < \(bind: until)
                    ORDER BY fired_at, id LIMIT \(bind: limit)
                    """
                ).all().map { row in
                    FiringLogEntry(
                        source: FiringSource(rawValue: try row.decode(column: "source", as: String.self)) ?? .hook,
                        webhookID: try row.decode(column: "webhook_id", as: Int?.self), triggerID: try row.decode(column: "trigger_id", as: Int.self),
                        firedAt: try row.decode(column: "fired_at", as: Int.self), effective: try row.decode(column: "effective", as: Int.self) != 0,
                        chatID: try row.decode(column: "chat_id", as: Int?.self))
                }
            }
        }
    }
}

/// Shadow firings on SQL (`ShadowFiringStore`); written by `commit` with the decision that made them.
extension SQLStore {
    public func shadowFirings(webhookID: Int, since: Int, until: Int, limit: Int) async throws -> [ShadowFiring] {
        guard limit > 0 else { return [] }
        return try await guarded {
            try await engine.read { db in
                try await db.raw(
                    """
                    SELECT webhook_id, subject_id, fired_at, source, branch, trigger_id, trace FROM hw_shadow_firings
                    WHERE webhook_id = \(bind: webhookID) AND fired_at >= \(bind: since) AND fired_at < \(bind: until)
                    ORDER BY fired_at DESC, id DESC LIMIT \(bind: limit)
                    """
                ).all().map { row in
                    let source = try row.decode(column: "source", as: String.self)
                    return ShadowFiring(
                        source: FiringSource(rawValue: source) ?? .hook, webhookID: try row.decode(column: "webhook_id", as: Int.self),
                        subjectID: try row.decode(column: "subject_id", as: Int.self), firedAt: try row.decode(column: "fired_at", as: Int.self),
                        branch: try row.decode(column: "branch", as: String.self), triggerID: try row.decode(column: "trigger_id", as: Int.self),
                        trace: try StoredJSON.value(try row.decode(column: "trace", as: String.self)))
                }
            }
        }
    }

    public func shadowFiringsPerHour(webhookID: Int, since: Int, until: Int) async throws -> [(hour: Int, count: Int)] {
        try await guarded {
            try await engine.read { db in
                try await db.raw(
                    """
                    SELECT fired_at / 3600 AS hour, COUNT(*) AS n FROM hw_shadow_firings
                    WHERE webhook_id = \(bind: webhookID) AND fired_at >= \(bind: since) AND fired_at < \(bind: until)
                    GROUP BY fired_at / 3600 ORDER BY hour
                    """
                ).all().map { (try $0.decode(column: "hour", as: Int.self) * 3600, try $0.decode(column: "n", as: Int.self)) }
            }
        }
    }

    public func purgeShadowFirings(before: Int) async throws -> Int {
        try await guarded {
            try await engine.write { db in
                try await db.raw("DELETE FROM hw_shadow_firings WHERE fired_at < \(bind: before) RETURNING id").all().count
            }
        }
    }
}

/// The chat history on SQL (`ChatHistoryStore`).
extension SQLStore {
    public func appendChatHistory(_ entries: [ChatHistoryEntry]) async throws {
        guard !entries.isEmpty else { return }
        var rows: [(chatID: Int, at: Int, state: String?)] = []
        for entry in entries { rows.append((entry.chatID, entry.at, try entry.state.map { try StoredJSON.text($0) })) }
        let prepared = rows.map { HistoryRow(chatID: $0.chatID, at: $0.at, state: $0.state) }
        try await guarded {
            try await engine.transaction { db in
                for chunk in stride(from: 0, to: prepared.count, by: 200) {
                    let part = prepared[chunk..<min(prepared.count, chunk + 200)]
                    var query: SQLQueryString = "INSERT INTO hw_chat_history (chat_id, at, state) VALUES "
                    for (index, row) in part.enumerated() {
                        if index > 0 { query += ", " }
                        query += "(\(bind: row.chatID), \(bind: row.at), \(bind: row.state))"
                    }
                    try await db.raw(query).run()
                }
            }
        }
    }

    public func chatStates(at time: Int) async throws -> [ChatHistoryEntry] {
        try await guarded {
            try await engine.read { db in
                try await db.raw(
                    """
                    SELECT chat_id, at, state FROM hw_chat_history AS h
                    WHERE seq = (SELECT MAX(seq) FROM hw_chat_history AS o WHERE o.chat_id = h.chat_id AND o.at <= \(bind: time))
                    AND state IS NOT NULL ORDER BY chat_id
                    """
                ).all().map(Self.historyEntry)
            }
        }
    }

    public func chatState(chatID: Int, at time: Int) async throws -> JSONValue? {
        let text = try await guarded {
            try await engine.read { db in
                try await db.raw(
                    """
                    SELECT state FROM hw_chat_history WHERE chat_id = \(bind: chatID) AND at <= \(bind: time) ORDER BY at DESC, seq DESC LIMIT 1
                    """
                ).first()?.decode(column: "state", as: String?.self)
            }
        }
        return try text.flatMap { $0 }.map { try StoredJSON.value($0) }
    }

    public func chatHistory(since: Int, until: Int, limit: Int) async throws -> [ChatHistoryEntry] {
        guard limit > 0 else { return [] }
        return try await guarded {
            try await engine.read { db in
                try await db.raw(
                    """
                    SELECT chat_id, at, state FROM hw_chat_history WHERE at >= \(bind: since) AND at <= \(bind: until)
                    ORDER BY at, seq LIMIT \(bind: limit)
                    """
                ).all().map(Self.historyEntry)
            }
        }
    }

    public func purgeChatHistory(before: Int) async throws -> Int {
        try await guarded {
            try await engine.write { db in
                try await db.raw(
                    """
                    DELETE FROM hw_chat_history WHERE at < \(bind: before) AND (state IS NULL OR seq NOT IN
                        (SELECT MAX(seq) FROM hw_chat_history GROUP BY chat_id))
                    RETURNING seq
                    """
                ).all().count
            }
        }
    }

    public func chatHistorySize() async throws -> (entries: Int, bytes: Int) {
        try await guarded {
            try await engine.read { db in
                let row = try await db.raw(
                    "SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(state)), 0) AS bytes FROM hw_chat_history"
                ).first()
                return (try row?.decode(column: "n", as: Int.self) ?? 0, try row?.decode(column: "bytes", as: Int.self) ?? 0)
            }
        }
    }

    static func historyEntry(_ row: any SQLRow) throws -> ChatHistoryEntry {
        ChatHistoryEntry(
            chatID: try row.decode(column: "chat_id", as: Int.self), at: try row.decode(column: "at", as: Int.self),
            state: try row.decode(column: "state", as: String?.self).map { try StoredJSON.value($0) })
    }
}

private struct HistoryRow: Sendable {
    var chatID: Int
    var at: Int
    var state: String?
}
