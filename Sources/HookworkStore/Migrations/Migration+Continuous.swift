extension Migration {
    /// The continuous webhooks' ledgers: chat firings (firing policies) and processed mail messages.
    static let continuousLedgers = Migration(name: "0003_continuous_ledgers") { sql in
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
            // A change log of the records a continuous pass assembles chats from, filled by triggers, so that a pass
            // re-reads only what changed since the last one instead of every open chat and message.
            """
            CREATE TABLE hw_changes (
                seq \(sql.autoIncrementKey),
                kind TEXT NOT NULL,
                id \(sql.integer) NOT NULL,
                chat_id \(sql.integer)
            )
            """,
        ] + changeTriggers(sql)
    }

    /// The kinds whose changes a continuous pass needs.
    static let trackedKinds = "'chat', 'message', 'department', 'operator', 'department_stats'"

    /// Triggers that log every insert, update and delete of a tracked record in `hw_changes`.
    static func changeTriggers(_ sql: SQLFlavor) -> [String] {
        if sql.name == SQLFlavor.sqlite.name {
            return [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")].map { operation, row in
                """
                CREATE TRIGGER hw_records_\(operation.lowercased())_logged AFTER \(operation) ON hw_records
                WHEN \(row).kind IN (\(trackedKinds))
                BEGIN INSERT INTO hw_changes (kind, id, chat_id) VALUES (\(row).kind, \(row).id, \(row).chat_id); END
                """
            }
        }
        return [
            """
            CREATE FUNCTION hw_log_record_change() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    IF OLD.kind IN (\(trackedKinds)) THEN
                        INSERT INTO hw_changes (kind, id, chat_id) VALUES (OLD.kind, OLD.id, OLD.chat_id);
                    END IF;
                    RETURN OLD;
                END IF;
                IF NEW.kind IN (\(trackedKinds)) THEN
                    INSERT INTO hw_changes (kind, id, chat_id) VALUES (NEW.kind, NEW.id, NEW.chat_id);
                END IF;
                RETURN NEW;
            END
            $$ LANGUAGE plpgsql
            """,
            """
            CREATE TRIGGER hw_records_logged AFTER INSERT OR UPDATE OR DELETE ON hw_records
            FOR EACH ROW EXECUTE PROCEDURE hw_log_record_change()
            """,
        ]
    }
}
