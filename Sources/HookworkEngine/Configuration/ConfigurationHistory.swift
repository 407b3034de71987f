public import HookworkCore
public import HookworkStore

/// Saving, deleting and restoring configuration records with their history (`VersionStore`), as the API and the
/// command line do it: each save is validated, then written with its version in one transaction; versions read back
/// with secrets masked and a diff against the version before.
public struct ConfigurationHistory: Sendable {
    let store: any RecordStore & VersionStore
    let validator: ConfigurationValidator

    /// A history on `store`, validating with `validator`.
    public init(store: any RecordStore & VersionStore, validator: ConfigurationValidator) {
        self.store = store
        self.validator = validator
    }

    /// A document checked and normalised for saving as a record of `kind` (without its `id`).
    public func checked(_ kind: EntityKind, _ input: JSONObject) async throws -> JSONObject {
        var document: JSONObject
        switch kind {
        case .webhook: document = try await validator.webhook(input)
        case .trigger: document = try await validator.trigger(input)
        case .restAPI: document = try await validator.restAPI(input)
        case .calendar:
            document = input
            document["id"] = nil
            _ = try BusinessCalendar(document: document, id: 0)
        default:
            throw ValidationFailure(field: "kind", message: "\(kind.rawValue) records have no versions")
        }
        document["id"] = nil
        return document
    }

    /// A document as the API shows it: a Rest API's secrets masked.
    public static func shown(_ kind: EntityKind, _ document: JSONObject) -> JSONObject {
        kind == .restAPI ? SecretMask.maskRestAPI(document) : document
    }

    /// Restores version `number` of record `id`: its document, checked against today's configuration (a trigger
    /// it names must still exist), becomes the record's next version. A deleted record comes back under its id.
    public func restore(_ kind: EntityKind, id: Int, number: Int, by: String, at: Int) async throws -> (document: JSONObject, version: Int) {
        guard let version = try await store.version(kind, id: id, number: number) else { throw HistoryError.noVersion(kind, id: id, number: number) }
        guard let stored = version.document else { throw HistoryError.deletion(kind, id: id, number: number) }
        let document = try await checked(kind, stored)
        let saved = try await store.saveVersioned(kind, id: id, document: document, by: by, at: at)
        return (try await store.get(kind, id: id) ?? document, saved.version)
    }

    /// A version as the API shows it: who saved it and when, the masked document, and the changes from the version
    /// before (the first version's are against an empty document).
    public func described(_ kind: EntityKind, id: Int, number: Int) async throws -> JSONObject {
        guard let version = try await store.version(kind, id: id, number: number) else { throw HistoryError.noVersion(kind, id: id, number: number) }
        let previous = number > 1 ? try await store.version(kind, id: id, number: number - 1) : nil
        var described = Self.summary(version)
        described["document"] = version.document.map { .object(Self.shown(kind, $0)) } ?? .null
        let diff = Self.diff(kind, from: previous?.document, to: version.document)
        described["diff"] = .object(
            JSONObject([
                ("against", previous.map { .int($0.number) } ?? .null), ("changes", .array(diff.changes)),
                ("truncated", .bool(diff.truncated)),
            ]))
        return described
    }

    /// Every version of a record, oldest first, each with the number of members it changed.
    public func listed(_ kind: EntityKind, id: Int) async throws -> [JSONObject] {
        let versions = try await store.versions(kind, id: id)
        var previous: JSONObject?
        return versions.map { version in
            var summary = Self.summary(version)
            summary["changed_members"] = .int(Self.diff(kind, from: previous, to: version.document).changes.count)
            previous = version.document
            return summary
        }
    }

    /// The deleted records of `kind` whose history is kept, newest deletion first: id, name (as last saved), when and by
    /// whom, and the last version before the deletion (the one to restore).
    public func deleted(_ kind: EntityKind) async throws -> [JSONObject] {
        var items: [JSONObject] = []
        for deletion in try await store.deletions(kind) {
            let before = deletion.number > 1 ? try await store.version(kind, id: deletion.recordID, number: deletion.number - 1) : nil
            items.append(
                JSONObject([
                    ("id", .int(deletion.recordID)), ("name", before?.document?["name"] ?? .null),
                    ("deleted_at", deletion.savedAt.map(JSONValue.int) ?? .null), ("deleted_by", .string(deletion.savedBy)),
                    ("last_version", before.map { .int($0.number) } ?? .null),
                ]))
        }
        return items
    }

    /// The members of a version without its document.
    public static func summary(_ version: ConfigurationVersion) -> JSONObject {
        JSONObject([
            ("version", .int(version.number)), ("saved_at", version.savedAt.map(JSONValue.int) ?? .null), ("saved_by", .string(version.savedBy)),
            ("deleted", .bool(version.isDeletion)),
        ])
    }

    /// The changes between two documents, found on the documents as saved and shown as masked: a secret that
    /// changed is listed (`"secret": true`) with both values masked.
    static func diff(_ kind: EntityKind, from before: JSONObject?, to after: JSONObject?) -> (changes: [JSONValue], truncated: Bool) {
        func prepared(_ document: JSONObject?) -> JSONObject {
            guard var document else { return JSONObject() }
            document["id"] = nil
            return document
        }
        let old = prepared(before)
        let new = prepared(after)
        let diff = JSONDiff(from: .object(old), to: .object(new))
        let shownOld = JSONValue.object(shown(kind, old))
        let shownNew = JSONValue.object(shown(kind, new))
        let changes = diff.changes.map { change -> JSONValue in
            var object = JSONObject([("op", .string(change.operation)), ("path", .string(change.path))])
            let before = change.before.flatMap { _ in shownOld.value(atPointer: change.path) }
            let after = change.after.flatMap { _ in shownNew.value(atPointer: change.path) }
            if let before { object["before"] = before }
            if let after { object["after"] = after }
            if before != nil, before == after { object["secret"] = .bool(true) }
            return .object(object)
        }
        return (changes, diff.truncated)
    }
}

/// A version that cannot be shown or restored.
public enum HistoryError: Error, Sendable, Equatable {
    /// Record `id` of `kind` has no version `number`.
    case noVersion(EntityKind, id: Int, number: Int)
    /// Version `number` is the record's deletion: there is no document to restore.
    case deletion(EntityKind, id: Int, number: Int)

    /// What is wrong and what to do.
    public var message: String {
        switch self {
        case .noVersion(let kind, let id, let number):
            "\(kind.label) \(id) has no version \(number); list its versions with GET .../\(id)/versions"
        case .deletion(let kind, let id, let number):
            "version \(number) of \(kind.label) \(id) is its deletion; restore a version before it"
        }
    }
}

extension EntityKind {
    /// The kind in an administrator's words.
    public var label: String {
        switch self {
        case .restAPI: "Rest API"
        case .mailMessage: "mail message"
        case .mailConversation: "mail conversation"
        case .departmentStats: "department statistics"
        case .platformDelivery: "platform delivery"
        case .connectionHealth: "connection health"
        default: rawValue
        }
    }
}
