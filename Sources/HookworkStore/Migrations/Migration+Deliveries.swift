extension Migration {
    /// The durable outbox: one row per outbound call, one per attempt, and the hosts whose retries a 410 stopped.
    static let deliveries = Migration(name: "0002_deliveries") { sql in
        [
            // `attempts` counts claimed attempts: a claim raises it under the row's lock, so every attempt has its own
            // number and the same attempt is never made twice. `payload` holds what is needed to make the call again.
            deliveriesTable(named: "hw_deliveries", kinds: ["restapi", "callback", "mail"], sql)
        ] + deliveriesIndexes + [
            attemptsTable(sql),
            """
            CREATE TABLE hw_delivery_hosts (
                host TEXT PRIMARY KEY,
                disabled_at \(sql.integer) NOT NULL,
                reason TEXT NOT NULL
            )
            """,
            "CREATE INDEX hw_events_received ON hw_events (received_at)",
        ]
    }

    /// The outbox table (named `name`, so that a migration can build a new one beside it) accepting `kinds`.
    static func deliveriesTable(named name: String, kinds: [String], _ sql: SQLFlavor) -> String {
        """
        CREATE TABLE \(name) (
            id \(sql.autoIncrementKey),
            message_id TEXT NOT NULL UNIQUE CHECK (message_id <> ''),
            kind TEXT NOT NULL CHECK (kind IN (\(kinds.map { "'\($0)'" }.joined(separator: ", ")))),
            status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'exhausted', 'cancelled')),
            method TEXT NOT NULL,
            url TEXT NOT NULL,
            host TEXT NOT NULL,
            payload TEXT NOT NULL,
            context TEXT NOT NULL,
            webhook_id \(sql.integer),
            trigger_id \(sql.integer),
            chat_id \(sql.integer),
            rest_api_id \(sql.integer),
            attempts \(sql.integer) NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            next_attempt_at \(sql.integer),
            lease_until \(sql.integer),
            worker TEXT,
            one_shot \(sql.integer) NOT NULL DEFAULT 0,
            created_at \(sql.integer) NOT NULL,
            updated_at \(sql.integer) NOT NULL,
            last_status_code \(sql.integer),
            last_error TEXT,
            CHECK ((status IN ('pending', 'failed')) = (next_attempt_at IS NOT NULL))
        )
        """
    }

    /// The attempt log, one row per attempt of a delivery.
    static func attemptsTable(_ sql: SQLFlavor) -> String {
        """
        CREATE TABLE hw_delivery_attempts (
            delivery_id \(sql.integer) NOT NULL REFERENCES hw_deliveries (id) ON DELETE CASCADE,
            number \(sql.integer) NOT NULL CHECK (number > 0),
            started_at \(sql.integer) NOT NULL,
            duration_ms \(sql.integer) NOT NULL CHECK (duration_ms >= 0),
            request TEXT NOT NULL,
            response TEXT,
            error TEXT,
            PRIMARY KEY (delivery_id, number)
        )
        """
    }

    /// The outbox's indexes. Claimers read due deliveries; finished ones drop out of the first.
    static let deliveriesIndexes = [
        "CREATE INDEX hw_deliveries_due ON hw_deliveries (next_attempt_at, id) WHERE next_attempt_at IS NOT NULL",
        "CREATE INDEX hw_deliveries_created ON hw_deliveries (created_at, id)",
        "CREATE INDEX hw_deliveries_status ON hw_deliveries (status, updated_at)",
        "CREATE INDEX hw_deliveries_webhook ON hw_deliveries (webhook_id, id) WHERE webhook_id IS NOT NULL",
        "CREATE INDEX hw_deliveries_chat ON hw_deliveries (chat_id, id) WHERE chat_id IS NOT NULL",
    ]
}
