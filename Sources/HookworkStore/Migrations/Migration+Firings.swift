extension Migration {
    /// The firing log: one row per trigger a decision ran (hook, continuous chat, continuous mail), written in the
    /// decision's unit of work, so that the activity view counts every firing with one grouped query.
    static let firingLog = Migration(name: "0004_firing_log") { sql in
        [
            """
            CREATE TABLE hw_firings (
                id \(sql.autoIncrementKey),
                fired_at \(sql.integer) NOT NULL,
                source TEXT NOT NULL CHECK (source IN ('hook', 'continuous_chat', 'continuous_mail')),
                webhook_id \(sql.integer),
                trigger_id \(sql.integer) NOT NULL
            )
            """,
            "CREATE INDEX hw_firings_time ON hw_firings (fired_at)",
        ]
    }
}
