extension Migration {
    /// Chats and mail messages that were in flight when a continuous pass's process stopped: suspected after one
    /// stop, parked (skipped by every pass) after several, until an operator resumes them.
    static let continuousFaults = Migration(name: "0011_continuous_faults") { sql in
        [
            """
            CREATE TABLE hw_continuous_faults (
                subject TEXT NOT NULL CHECK (subject IN ('chat', 'mail_message')),
                id \(sql.integer) NOT NULL,
                webhook_id \(sql.integer) NOT NULL,
                phase TEXT NOT NULL,
                crashes \(sql.integer) NOT NULL,
                first_at \(sql.integer) NOT NULL,
                last_at \(sql.integer) NOT NULL,
                parked_at \(sql.integer),
                PRIMARY KEY (subject, id)
            )
            """
        ]
    }
}
