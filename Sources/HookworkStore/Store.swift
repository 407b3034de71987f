public import HookworkCore

/// The kinds of record Hookwork keeps. Every record is a JSON document with an integer `id`; the store also keeps
/// a few columns of it indexed (status, chat, department) so that scans need no JSON parsing in SQL.
public enum EntityKind: String, CaseIterable, Sendable, Codable {
    /// A chat (`lh_chat` columns, unknown extra fields kept).
    case chat
    /// A chat message (`chat_id`, `user_id`: 0 visitor, -1 system, -2 bot, >0 operator, `msg`, `time`).
    case message
    /// A department.
    case department
    /// An operator (a user of the chat platform).
    case `operator`
    /// A mail conversation.
    case mailConversation = "mail_conversation"
    /// A mail message (`lhc_mailconv_msg` columns).
    case mailMessage = "mail_message"
    /// Computed statistics of one department (`stats_array`), keyed by department id.
    case departmentStats = "department_stats"
    /// A webhook configuration.
    case webhook
    /// A trigger: a name and an ordered list of actions.
    case trigger
    /// A Rest API definition (spec §8.3).
    case restAPI = "rest_api"
    /// A calendar of opening hours (business time in conditions).
    case calendar
    /// A chat platform connection (`platform`, its address, credentials and mapping), `/api/v1/connections/{id}`.
    case connection
    /// A platform delivery already taken (keyed by a digest of its connection and delivery id), so that a repeat is
    /// ignored.
    case platformDelivery = "platform_delivery"
    /// A connection's health, keyed by the connection id: its last webhook taken and its last reconciliation.
    case connectionHealth = "connection_health"
}

/// Which records of one kind to list.
public struct EntityQuery: Sendable, Equatable {
    /// Only records whose `status` is one of these.
    public var statuses: [Int]?
    /// Only records whose `chat_id` is this (messages).
    public var chatID: Int?
    /// Only records whose `conversation_id` is this (mail messages).
    public var conversationID: Int?
    /// Only records with an id greater than this (paging).
    public var afterID: Int?
    /// Newest (highest id) first instead of oldest first.
    public var newestFirst: Bool
    /// At most this many records.
    public var limit: Int?

    /// A query; every filter is optional.
    public init(
        statuses: [Int]? = nil, chatID: Int? = nil, conversationID: Int? = nil, afterID: Int? = nil,
        newestFirst: Bool = false, limit: Int? = nil
    ) {
        self.statuses = statuses
        self.chatID = chatID
        self.conversationID = conversationID
        self.afterID = afterID
        self.newestFirst = newestFirst
        self.limit = limit
    }
}

/// An event as the queue keeps it.
public struct StoredEvent: Sendable, Equatable {
    /// The store's sequence number.
    public var sequence: Int
    /// The client's idempotency key (the event's `id`), if it sent one.
    public var key: String?
    /// The event name, as sent (`chat.close`).
    public var name: String
    /// The event arguments.
    public var args: JSONValue
    /// When it arrived (unix seconds).
    public var receivedAt: Int
    /// The earliest time a worker may run it (unix seconds).
    public var runAt: Int
    /// How many times a worker has claimed it.
    public var attempts: Int

    /// An event record.
    public init(sequence: Int, key: String?, name: String, args: JSONValue, receivedAt: Int, runAt: Int, attempts: Int = 0) {
        self.sequence = sequence
        self.key = key
        self.name = name
        self.args = args
        self.receivedAt = receivedAt
        self.runAt = runAt
        self.attempts = attempts
    }
}

/// What happened when an event was offered to the store.
public enum EnqueueResult: Sendable, Equatable {
    /// Stored as new, with this sequence number.
    case accepted(sequence: Int)
    /// An event with the same key was stored before; nothing was written.
    case duplicate(sequence: Int)
}

/// Why a store operation failed.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// A stable code (`not_found`, `conflict`, `invalid`, `unavailable`).
    public var code: String
    /// What went wrong and what to do about it.
    public var message: String

    /// A store error.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

/// Records of every kind: JSON documents by kind and id.
public protocol RecordStore: Sendable {
    /// Creates or replaces the record `id` of `kind` with `document` (whose `id` member is set to `id`).
    func put(_ kind: EntityKind, id: Int, document: JSONObject) async throws
    /// Creates or replaces many records in one transaction (bulk sync): all or nothing.
    func putBatch(_ records: [(kind: EntityKind, id: Int, document: JSONObject)]) async throws
    /// Creates a record with a new id (configuration records); returns the id.
    func insert(_ kind: EntityKind, document: JSONObject) async throws -> Int
    /// Merges `patch` into the record's top-level members in one transaction; returns the new document, or nil if absent.
    func patch(_ kind: EntityKind, id: Int, with patch: JSONObject) async throws -> JSONObject?
    /// The record, or nil.
    func get(_ kind: EntityKind, id: Int) async throws -> JSONObject?
    /// Deletes the record; false if there was none.
    func delete(_ kind: EntityKind, id: Int) async throws -> Bool
    /// Lists records of a kind.
    func list(_ kind: EntityKind, query: EntityQuery) async throws -> [JSONObject]
}

/// The durable event queue and its log.
public protocol EventQueueStore: Sendable {
    /// Stores an event durably unless its key was seen before.
    func enqueueEvent(key: String?, name: String, args: JSONValue, receivedAt: Int, runAt: Int) async throws -> EnqueueResult
    /// Claims up to `limit` due events for `worker`; a claim expires after `leaseSeconds` (a crashed worker's events return).
    func claimEvents(limit: Int, now: Int, worker: String, leaseSeconds: Int) async throws -> [StoredEvent]
    /// Marks a claimed event done and records its outcome.
    func completeEvent(sequence: Int, outcome: JSONValue, now: Int) async throws
    /// The event with this sequence number, with its outcome if it has run.
    func event(sequence: Int) async throws -> (event: StoredEvent, outcome: JSONValue?)?
    /// The event stored under idempotency key `key` and its outcome, if any.
    func event(key: String) async throws -> (event: StoredEvent, outcome: JSONValue?)?
    /// Events newest first (the event log): only those named `name` when given, with a sequence below
    /// `beforeSequence` when given (paging), at most `limit`.
    func events(name: String?, beforeSequence: Int?, limit: Int) async throws -> [(event: StoredEvent, outcome: JSONValue?)]
}

/// Hookwork's persistent state. One protocol, two implementations (SQLite, PostgreSQL), one conformance suite; each
/// consumer names the narrow protocols it uses.
public protocol Store:
    RecordStore, EventQueueStore, DeliveryStore, ContinuousStore, RecordIDStore, FiringLogStore, DeliveryControlStore, TokenStore,
    EventParkingStore, ConfigurationStore, ContinuousFaultStore, VersionStore,
    ShadowFiringStore, ChatHistoryStore
{
    /// Runs the named, forward-only migrations that have not run yet.
    func migrate() async throws

    /// Closes connections.
    func shutdown() async throws
}
