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

    /// Whether a firing's trigger changed something: a run whose every action was `unchanged` or `skipped` (an icon
    /// removed that was not there) is counted apart in the activity view. Earlier rows count as effective.
    static let firingEffect = Migration(name: "0008_firing_effect") { sql in
        ["ALTER TABLE hw_firings ADD COLUMN effective \(sql.integer) NOT NULL DEFAULT 1"]
    }

    /// How many times an episode's trigger fired (bounded repeats: `max_firings`, `then_trigger_id`; a ladder's steps
    /// taken) and when the episode started (a ladder's steps are timed from it). Earlier rows fired once and started
    /// when they last fired.
    static let episodeCounts = Migration(name: "0010_episode_counts") { sql in
        [
            "ALTER TABLE hw_firing_ledger ADD COLUMN firings \(sql.integer) NOT NULL DEFAULT 1",
            "ALTER TABLE hw_firing_ledger ADD COLUMN started_at \(sql.integer) NOT NULL DEFAULT 0",
            "UPDATE hw_firing_ledger SET started_at = last_fired_at",
        ]
    }
}

extension Migration {
    /// The would-be firings of webhooks in shadow mode (`ShadowFiringStore`), with the trace of each.
    static let shadowFirings = Migration(name: "0013_shadow_firings") { sql in
        [
            """
            CREATE TABLE hw_shadow_firings (
                id \(sql.autoIncrementKey),
                webhook_id \(sql.integer) NOT NULL,
                subject_id \(sql.integer) NOT NULL,
                fired_at \(sql.integer) NOT NULL,
                source TEXT NOT NULL,
                branch TEXT NOT NULL,
                trigger_id \(sql.integer) NOT NULL,
                trace TEXT NOT NULL
            )
            """,
            "CREATE INDEX hw_shadow_firings_webhook ON hw_shadow_firings (webhook_id, fired_at)",
            "CREATE INDEX hw_shadow_firings_time ON hw_shadow_firings (fired_at)",
        ]
    }
}
