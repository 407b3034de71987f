extension Migration {
    /// The continuous webhooks' ledgers: chat firings (firing policies) and processed mail messages.
    static let continuousLedgers = Migration(name: "0002_continuous_ledgers") { sql in
        [
            // One row per (webhook, chat, branch) whose trigger fired in the episode still going on. The primary key
            // is what makes a claim atomic across processes; the row is deleted when the episode ends.
            """
            CREATE TABLE hw_firing_ledger (
                webhook_id \(sql.integer) NOT NULL,
                chat_id \(sql.integer) NOT NULL,
                branch TEXT NOT NULL CHECK (branch IN ('trigger', 'alternative')),
                state TEXT NOT NULL CHECK (state IN ('once', 'every')),
                last_fired_at \(sql.integer) NOT NULL,
                PRIMARY KEY (webhook_id, chat_id, branch)
            )
            """,
            "CREATE INDEX hw_firing_ledger_chat ON hw_firing_ledger (chat_id)",
            // The reference's lh_mail_continuous_event (spec §3.2).
            """
            CREATE TABLE hw_mail_ledger (
                webhook_id \(sql.integer) NOT NULL,
                message_id \(sql.integer) NOT NULL,
                created_at \(sql.integer) NOT NULL,
                PRIMARY KEY (webhook_id, message_id)
            )
            """,
            "CREATE INDEX hw_mail_ledger_created ON hw_mail_ledger (created_at)",
        ]
    }
}
