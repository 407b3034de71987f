extension Migration {
    /// Every save and deletion of a configuration record, numbered per record (`VersionStore`); a deletion's
    /// `document` is NULL. The records that exist when it runs become their version 1, with no time and the
    /// `VersionHistory.before` author, so that the first change made afterwards can be undone too.
    static let configurationVersions = Migration(name: "0012_configuration_versions") { sql in
        [
            """
            CREATE TABLE hw_versions (
                kind TEXT NOT NULL,
                record_id \(sql.integer) NOT NULL,
                version \(sql.integer) NOT NULL CHECK (version > 0),
                saved_at \(sql.integer),
                saved_by TEXT NOT NULL,
                document TEXT,
                PRIMARY KEY (kind, record_id, version)
            )
            """,
            "CREATE INDEX hw_versions_deletions ON hw_versions (kind, saved_at) WHERE document IS NULL",
            """
            INSERT INTO hw_versions (kind, record_id, version, saved_at, saved_by, document)
            SELECT kind, id, 1, NULL, '\(VersionHistory.before)', document FROM hw_records WHERE kind IN (\(configurationKinds))
            """,
        ]
    }
}
