/// One named, forward-only schema change. Its name is recorded when it has run, so it never runs twice; a shipped
/// migration is never edited: a change to the schema is a new migration appended to `Migration.all`.
struct Migration: Sendable {
    /// The recorded name; the order of `Migration.all`, not the name, decides when it runs.
    var name: String
    /// The statements, as text for the engine's flavor. DDL only: values never appear here.
    var statements: @Sendable (SQLFlavor) -> [String]

    /// Every migration, in the order they run.
    static let all: [Migration] = [
        initial, deliveries, continuousLedgers, firingLog, parkingAndTokens, operationsKind, commandStream, firingEffect,
        configurationRevision, episodeCounts, continuousFaults, configurationVersions,
        shadowFirings, chatHistory,
    ]

    /// Records, the event queue and API tokens.
    static let initial = Migration(name: "0001_records_events_tokens") { sql in
        [
            // A record is the JSON document as the platform sent it (TEXT, not JSONB, which would reorder keys and
            // lose the integer/float distinction that PHP comparisons depend on), plus columns copied out of it
            // at write time for filtering.
            """
            CREATE TABLE hw_records (
                kind TEXT NOT NULL,
                id \(sql.integer) NOT NULL CHECK (id > 0),
                document TEXT NOT NULL,
                status \(sql.integer) NOT NULL DEFAULT 0,
                chat_id \(sql.integer),
                conversation_id \(sql.integer),
                dep_id \(sql.integer),
                user_id \(sql.integer),
                type \(sql.integer),
                event TEXT,
                disabled \(sql.integer),
                PRIMARY KEY (kind, id)
            )
            """,
            "CREATE INDEX hw_records_status ON hw_records (kind, status, id)",
            "CREATE INDEX hw_records_chat ON hw_records (kind, chat_id, id) WHERE chat_id IS NOT NULL",
            "CREATE INDEX hw_records_conversation ON hw_records (kind, conversation_id, id) WHERE conversation_id IS NOT NULL",
            "CREATE INDEX hw_records_department ON hw_records (kind, dep_id) WHERE dep_id IS NOT NULL",
            "CREATE INDEX hw_records_webhook_event ON hw_records (kind, event, type) WHERE event IS NOT NULL",
            // The last id handed out by `insert` per kind, so that a deleted record's id is never reused.
            """
            CREATE TABLE hw_id_counters (
                kind TEXT PRIMARY KEY,
                last_id \(sql.integer) NOT NULL CHECK (last_id > 0)
            )
            """,
            // The event queue: the unique key makes ingestion idempotent even when two nodes receive the same
            // event at once; outcome and completion time are set together or not at all.
            """
            CREATE TABLE hw_events (
                sequence \(sql.autoIncrementKey),
                event_key TEXT UNIQUE,
                name TEXT NOT NULL CHECK (name <> ''),
                args TEXT NOT NULL,
                received_at \(sql.integer) NOT NULL,
                run_at \(sql.integer) NOT NULL,
                attempts \(sql.integer) NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                lease_until \(sql.integer),
                worker TEXT,
                completed_at \(sql.integer),
                outcome TEXT,
                CHECK ((completed_at IS NULL) = (outcome IS NULL))
            )
            """,
            // Claimers read pending events in sequence order; done events drop out of this index.
            "CREATE INDEX hw_events_pending ON hw_events (sequence) WHERE completed_at IS NULL",
            """
            CREATE TABLE hw_tokens (
                id \(sql.autoIncrementKey),
                secret_hash TEXT NOT NULL UNIQUE CHECK (secret_hash <> ''),
                scope TEXT NOT NULL,
                name TEXT NOT NULL
            )
            """,
        ]
    }
}
