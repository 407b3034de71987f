public import HookworkCore

/// A kept version of a configuration record (a webhook, trigger, Rest API or calendar).
public struct ConfigurationVersion: Sendable, Equatable {
    /// The record's kind.
    public var kind: EntityKind
    /// The record's id.
    public var recordID: Int
    /// Its number, from 1, per record.
    public var number: Int
    /// When it was saved (unix seconds); nil for the document a record had when versions began to be kept.
    public var savedAt: Int?
    /// Who saved it: the name of the API token, or the command.
    public var savedBy: String
    /// The document as saved, secrets included (callers mask them); nil when this version is the deletion.
    public var document: JSONObject?

    /// A version.
    public init(kind: EntityKind, recordID: Int, number: Int, savedAt: Int?, savedBy: String, document: JSONObject?) {
        self.kind = kind
        self.recordID = recordID
        self.number = number
        self.savedAt = savedAt
        self.savedBy = savedBy
        self.document = document
    }

    /// Whether this version is the record's deletion.
    public var isDeletion: Bool { document == nil }
}

/// The history of configuration records: every save and deletion, numbered per record, written in the same
/// transaction as the record itself, so that the history never misses a change nor names one that did not happen.
public protocol VersionStore: Sendable {
    /// Saves the record (a new one with the next id of its kind when `id` is nil) and keeps the document as its next
    /// version; returns the record's id and the version's number.
    func saveVersioned(_ kind: EntityKind, id: Int?, document: JSONObject, by: String, at: Int) async throws -> (id: Int, version: Int)
    /// Deletes the record and keeps the deletion as its next version; nil when there was no such record.
    func deleteVersioned(_ kind: EntityKind, id: Int, by: String, at: Int) async throws -> Int?
    /// Every version of record `id` of `kind`, oldest first (empty when it never had one).
    func versions(_ kind: EntityKind, id: Int) async throws -> [ConfigurationVersion]
    /// One version, or nil.
    func version(_ kind: EntityKind, id: Int, number: Int) async throws -> ConfigurationVersion?
    /// The deletions of records of `kind` whose history is still kept, newest first.
    func deletions(_ kind: EntityKind) async throws -> [ConfigurationVersion]
    /// Deletes the histories of records deleted before `before` (their last version is the deletion); returns how
    /// many versions went.
    @discardableResult
    func purgeVersions(deletedBefore before: Int) async throws -> Int
}

/// Constants of the configuration history.
public enum VersionHistory {
    /// The author of a record's first version when the record existed before versions were kept.
    public static let before = "before versions were kept"
    /// The kinds whose saves are kept as versions.
    public static let kinds: Set<EntityKind> = [.webhook, .trigger, .restAPI, .calendar]
}
