extension Migration {
    /// Parked events and token bookkeeping: an event that keeps failing or crashing is completed as parked (with
    /// the time, so that parked events list without a scan); a token keeps when it was created and last used.
    static let parkingAndTokens = Migration(name: "0005_parked_events_token_times") { sql in
        [
            "ALTER TABLE hw_events ADD COLUMN parked_at \(sql.integer)",
            "CREATE INDEX hw_events_parked ON hw_events (sequence) WHERE parked_at IS NOT NULL",
            "ALTER TABLE hw_tokens ADD COLUMN created_at \(sql.integer)",
            "ALTER TABLE hw_tokens ADD COLUMN last_used_at \(sql.integer)",
        ]
    }
}
