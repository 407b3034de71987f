extension Migration {
    /// The ordered command stream per chat: each callback command gets the next `sequence` of its chat when it is
    /// recorded, and an index finds a chat's unfinished commands (a command waits while an earlier one is unfinished).
    static let commandStream = Migration(name: "0007_command_stream") { sql in
        [
            "ALTER TABLE hw_deliveries ADD COLUMN sequence \(sql.integer)",
            """
            CREATE TABLE hw_command_sequences (
                chat_id \(sql.integer) PRIMARY KEY,
                last_sequence \(sql.integer) NOT NULL CHECK (last_sequence > 0)
            )
            """,
            """
            CREATE INDEX hw_deliveries_open_commands ON hw_deliveries (chat_id, id)
            WHERE kind = 'callback' AND status IN ('pending', 'failed')
            """,
        ]
    }
}
