extension Migration {
    /// A revision number of the configuration (webhooks, triggers, Rest APIs, calendars), raised by triggers on every insert,
    /// update and delete of one, so that every process keeps its compiled configuration until the number moves and
    /// notices a change made by another process with one read of one row.
    static let configurationRevision = Migration(name: "0009_configuration_revision") { sql in
        var statements = [
            """
            CREATE TABLE hw_configuration_revision (
                id \(sql.integer) PRIMARY KEY CHECK (id = 1),
                revision \(sql.integer) NOT NULL
            )
            """
        ]
        let raise = """
            INSERT INTO hw_configuration_revision (id, revision) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET revision = hw_configuration_revision.revision + 1
            """
        if sql.name == SQLFlavor.sqlite.name {
            statements += [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")].map { operation, row in
                """
                CREATE TRIGGER hw_configuration_\(operation.lowercased())_revised AFTER \(operation) ON hw_records
                WHEN \(row).kind IN (\(configurationKinds))
                BEGIN \(raise); END
                """
            }
            return statements
        }
        return statements + [
            """
            CREATE FUNCTION hw_raise_configuration_revision() RETURNS trigger AS $$
            BEGIN
                IF (TG_OP = 'DELETE' AND OLD.kind IN (\(configurationKinds))) OR (TG_OP <> 'DELETE' AND NEW.kind IN (\(configurationKinds))) THEN
                    \(raise);
                END IF;
                RETURN NULL;
            END
            $$ LANGUAGE plpgsql
            """,
            """
            CREATE TRIGGER hw_configuration_revised AFTER INSERT OR UPDATE OR DELETE ON hw_records
            FOR EACH ROW EXECUTE PROCEDURE hw_raise_configuration_revision()
            """,
        ]
    }

    /// The kinds whose writes raise the configuration revision.
    static let configurationKinds = "'webhook', 'trigger', 'rest_api', 'calendar'"
}
