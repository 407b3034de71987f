/// Record ids handed out ahead of the write, so that a record can be created inside a decision's unit of work
/// (a message a trigger adds) and still be named by the calls committed with it.
public protocol RecordIDStore: Sendable {
    /// The next id of `kind`, reserved without writing a record: `insert` never hands it out again. A reserved id whose
    /// record is never written (the decision was not committed) stays unused.
    func reserveID(_ kind: EntityKind) async throws -> Int
}
