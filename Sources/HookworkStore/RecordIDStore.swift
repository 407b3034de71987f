/// Record ids handed out ahead of the write, so that a record can be created inside a decision's unit of work
/// (a message a trigger adds) and still be named by the calls committed with it.
public protocol RecordIDStore: Sendable {
    /// The next id of `kind`, reserved without writing a record: `insert` never hands it out again. A reserved id whose
    /// record is never written (the decision was not committed) stays unused.
    func reserveID(_ kind: EntityKind) async throws -> Int

    /// The next id of `kind` in Hookwork's own range (from `RecordIDRange.hookworkBase`), for records Hookwork creates
    /// (a trigger's bot message): platforms number their records below it, so a record the platform syncs later never
    /// takes the id of one Hookwork made.
    func reserveHookworkID(_ kind: EntityKind) async throws -> Int
}

/// Where Hookwork's own record ids start: 10^15, below JavaScript's 2^53 so that every platform reads them exactly,
/// and far above any id a chat platform's own tables reach.
public enum RecordIDRange {
    /// The first id Hookwork gives a record it creates.
    public static let hookworkBase = 1_000_000_000_000_000
}
