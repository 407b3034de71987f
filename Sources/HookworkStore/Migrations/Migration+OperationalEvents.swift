extension Migration {
    /// The outbox accepts `operations` calls (operational events sent to `HOOKWORK_OPERATIONS_URL`). PostgreSQL
    /// replaces the kind constraint; SQLite cannot alter a CHECK, so the outbox and its attempt log are rebuilt under
    /// the same names, with their rows, indexes and id counter, in the migration's transaction.
    static let operationsKind = Migration(name: "0006_operations_delivery_kind") { sql in
        let kinds = ["restapi", "callback", "mail", "operations"]
        if sql.name == "postgresql" {
            return [
                "ALTER TABLE hw_deliveries DROP CONSTRAINT hw_deliveries_kind_check",
                "ALTER TABLE hw_deliveries ADD CONSTRAINT hw_deliveries_kind_check CHECK (kind IN ('restapi', 'callback', 'mail', 'operations'))",
            ]
        }
        return [
            deliveriesTable(named: "hw_deliveries_rebuilt", kinds: kinds, sql),
            "INSERT INTO hw_deliveries_rebuilt SELECT * FROM hw_deliveries",
            "CREATE TEMP TABLE hw_attempts_copy AS SELECT * FROM hw_delivery_attempts",
            "CREATE TEMP TABLE hw_sequence_copy AS SELECT seq FROM sqlite_sequence WHERE name = 'hw_deliveries'",
            // The attempt log goes first: dropping the outbox while it refers to it would cascade into it.
            "DROP TABLE hw_delivery_attempts",
            "DROP TABLE hw_deliveries",
            "ALTER TABLE hw_deliveries_rebuilt RENAME TO hw_deliveries",
            // Ids of purged deliveries are never handed out again.
            """
            UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(seq) FROM temp.hw_sequence_copy), 0))
            WHERE name = 'hw_deliveries'
            """,
            attemptsTable(sql),
            "INSERT INTO hw_delivery_attempts SELECT * FROM temp.hw_attempts_copy",
            "DROP TABLE temp.hw_attempts_copy",
            "DROP TABLE temp.hw_sequence_copy",
        ] + deliveriesIndexes
    }
}
