public import HookworkCore
public import HookworkStore

/// A chat platform's own webhook delivery, as it arrived: header names lower-cased, the body's exact bytes (signatures
/// are computed over them, never over a re-serialisation).
public struct PlatformRequest: Sendable {
    /// Header values by lower-cased name (the last one wins when a name repeats).
    public var headers: [String: String]
    /// The raw body.
    public var body: [UInt8]

    /// A request.
    public init(headers: [String: String], body: [UInt8]) {
        self.headers = headers
        self.body = body
    }
}

/// A Hookwork event an adapter raises: run exactly as `POST /api/v1/events` runs `{"event": name, "id": key, "args": args}`.
public struct PlatformEvent: Sendable, Equatable {
    /// The Hookwork event name (`chat.close`).
    public var name: String
    /// The idempotency key: a second event with the same key is not run again.
    public var key: String
    /// The event arguments (`chat`, `msg`, `user`, ...).
    public var args: JSONObject

    /// An event.
    public init(name: String, key: String, args: JSONObject) {
        self.name = name
        self.key = key
        self.args = args
    }
}

/// A record an adapter writes besides the event's chat and message: merged into the stored record (created if new).
public struct PlatformRecord: Sendable, Equatable {
    /// The kind (`operator`, `department`, `chat`, `message`).
    public var kind: EntityKind
    /// The record id.
    public var id: Int
    /// The members to merge.
    public var patch: JSONObject

    /// A record patch.
    public init(kind: EntityKind, id: Int, patch: JSONObject) {
        self.kind = kind
        self.id = id
        self.patch = patch
    }
}

/// What one platform delivery changes: state first (the chat merged and the message stored as an event's `args.chat`
/// and `args.msg` are, so that derived columns move the same way), then the events, in order.
public struct PlatformIntake: Sendable, Equatable {
    /// The platform's event name (`message_created`), for logs and the answer.
    public var platformEvent: String
    /// Merged into the stored chat (created if new), as an event's `args.chat`; nil: no chat changes.
    public var chat: JSONObject?
    /// Stored as a message, as an event's `args.msg`; nil: no message.
    public var message: JSONObject?
    /// Other records to merge (operators, departments, other chats, a message the delivery confirms).
    public var records: [PlatformRecord]
    /// The Hookwork events to raise, in order.
    public var events: [PlatformEvent]
    /// Why nothing is raised although the delivery is valid (`echo of Hookwork's own message`), if so.
    public var note: String?

    /// An intake.
    public init(
        platformEvent: String, chat: JSONObject? = nil, message: JSONObject? = nil, records: [PlatformRecord] = [], events: [PlatformEvent] = [],
        note: String? = nil
    ) {
        self.platformEvent = platformEvent
        self.chat = chat
        self.message = message
        self.records = records
        self.events = events
        self.note = note
    }
}

/// Why an adapter refused a delivery.
public struct PlatformRefusal: Error, Sendable, Equatable {
    /// `unauthenticated` (bad, missing or stale signature: answer 401, store nothing) or `invalid` (a body that cannot
    /// be read: 400/422).
    public var code: String
    /// What was wrong, for the answer and the log (never a secret).
    public var message: String
    /// The member at fault, if one is.
    public var field: String?

    /// A refusal.
    public init(code: String, message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// A delivery whose signature does not authenticate it.
    public static func unauthenticated(_ message: String) -> PlatformRefusal { PlatformRefusal(code: "unauthenticated", message: message) }
    /// A delivery whose body cannot be read.
    public static func invalid(_ message: String, field: String? = nil) -> PlatformRefusal {
        PlatformRefusal(code: "invalid", message: message, field: field)
    }
}

/// Reads Hookwork's stored state for an adapter (the chat a conversation maps to, a message, an operator), so that it
/// can tell transitions (open → resolved) from repeats.
public protocol PlatformStateReader: Sendable {
    /// The stored record, or nil.
    func record(_ kind: EntityKind, id: Int) async throws -> JSONObject?
    /// Up to `limit` open chats (status 0, 1 or 5), newest first.
    func openChats(limit: Int) async throws -> [JSONObject]
}

/// A `PlatformStateReader` over the store.
public struct StoreStateReader: PlatformStateReader {
    let store: any Store

    /// A reader of `store`.
    public init(store: any Store) {
        self.store = store
    }

    public func record(_ kind: EntityKind, id: Int) async throws -> JSONObject? { try await store.get(kind, id: id) }

    public func openChats(limit: Int) async throws -> [JSONObject] {
        try await store.list(.chat, query: EntityQuery(statuses: [0, 1, 5], newestFirst: true, limit: limit))
    }
}

/// One page of a reconciliation: the platform's open conversations as Hookwork state.
public struct PlatformSyncPage: Sendable, Equatable {
    /// The state each conversation of the page sets (a chat and its latest messages; no events are raised by a sync).
    public var intakes: [PlatformIntake]
    /// How many conversations the platform listed on the page (some may be skipped as no newer than the stored chat).
    public var listed: Int
    /// The chat ids of the conversations listed (so that a stored open chat the platform no longer lists can be
    /// looked up on its own).
    public var listedIDs: [Int] = []
    /// Whether this was the last page.
    public var last: Bool
    /// Why the page could not be read, if it could not.
    public var error: String?

    /// A page.
    public init(intakes: [PlatformIntake], listed: Int, last: Bool, error: String? = nil) {
        self.intakes = intakes
        self.listed = listed
        self.last = last
        self.error = error
    }
}

/// One chat platform's side of Hookwork, so that the engine and the HTTP API know no platform: it authenticates the
/// platform's own webhook deliveries and turns each into Hookwork state and events, turns Hookwork's commands for the
/// platform's chats into the platform's API calls, and reads the platform's open conversations page by page so that
/// Hookwork's state converges when a webhook was missed. (The generic `POST /api/v1/events` path and
/// `HOOKWORK_CALLBACK_URL` are the adapter-less case.)
public protocol PlatformAdapter: Sendable {
    /// The platform's name in a connection (`chatwoot`).
    static var platform: String { get }

    /// Checks that the delivery comes from the platform (its signature over the raw body, its freshness at `now`);
    /// nothing may be stored for a delivery this refuses.
    func authenticate(_ request: PlatformRequest, now: Int) throws(PlatformRefusal)

    /// The transport-level id of the delivery (a repeated one is ignored), if the platform sends one.
    func deliveryID(_ request: PlatformRequest) -> String?

    /// What the (authenticated) delivery changes, given Hookwork's stored state.
    func intake(_ request: PlatformRequest, now: Int, state: any PlatformStateReader) async throws -> PlatformIntake

    /// Applies one of Hookwork's commands (`PlatformCommand.command`) through the platform's API with `sender`;
    /// `messageID` and `attempt` as `PlatformCommandApplier.apply` has them; `state` reads what Hookwork has stored.
    func apply(
        _ command: JSONObject, messageID: String, attempt: Int, sender: any HTTPSender, state: any PlatformStateReader
    ) async -> PlatformCommandOutcome

    /// Page `page` (from 1) of the platform's open conversations, mapped against Hookwork's stored state.
    func syncPage(_ page: Int, sender: any HTTPSender, state: any PlatformStateReader) async throws -> PlatformSyncPage

    /// One conversation read on its own (a stored open chat the list no longer has: resolved while a webhook was
    /// missed), as state; nil when it is no newer than the stored chat. Throws `PlatformRefusal` when it cannot be read.
    func syncConversation(_ id: Int, sender: any HTTPSender, state: any PlatformStateReader) async throws -> PlatformIntake?
}

/// A chat-changing command for a chat that came from a platform connection: instead of going to
/// `HOOKWORK_CALLBACK_URL`, the connection's adapter turns it into the platform's own API calls when the outbox
/// attempts it (ordered per chat, retried, logged and replayable like any callback).
public struct PlatformCommand: Sendable, Equatable {
    /// The connection (`/api/v1/connections/{id}`) the chat came from.
    public var connectionID: Int
    /// The command as a callback receiver would get it: `command`, `chat_id`, `changes` (a JSON merge patch over the
    /// chat: `changes.chat_variables` names only the variables that changed, `null` for a removed one), `message`,
    /// `webhook_id`, `trigger_id`, and `sequence` when it is attempted.
    public var command: JSONObject

    /// A command.
    public init(connectionID: Int, command: JSONObject) {
        self.connectionID = connectionID
        self.command = command
    }

    /// The breaker and log key of a connection's calls.
    public var host: String { "connection:\(connectionID)" }
}

/// What applying a platform command came to.
public struct PlatformCommandOutcome: Sendable, Equatable {
    /// How it ended.
    public enum Result: Sendable, Equatable {
        /// Applied (or nothing needed applying).
        case applied
        /// Not applied; retried on the call's schedule (the platform answered 5xx or 429, or did not answer).
        case retry
        /// Not applied, and retrying cannot help (a 4xx answer, a connection that cannot be used).
        case refused
    }

    /// How it ended.
    public var result: Result
    /// The status of the platform's last answer; nil when none arrived.
    public var statusCode: Int?
    /// What is logged as the answer's body, and read by the completion handlers (`{"message_id": N}` links a posted
    /// message to the platform's id).
    public var body: JSONObject
    /// What went wrong, if anything.
    public var error: String?
    /// The platform's `Retry-After`, if it sent one.
    public var retryAfter: String?
    /// The API calls made, in order, for the delivery log (tokens masked): `{"method","url","status","body"}`.
    public var calls: [JSONValue]
    /// Chat variables to merge into the chat's `chat_variables` with the attempt's outcome (even a failed one: the steps
    /// before the failure were applied): the adapter's record of what the platform now has, so that the platform's
    /// webhooks about Hookwork's own changes are recognised.
    public var chatVariables: JSONObject = JSONObject()

    /// An outcome.
    public init(
        result: Result, statusCode: Int?, body: JSONObject = JSONObject(), error: String? = nil, retryAfter: String? = nil, calls: [JSONValue] = []
    ) {
        self.result = result
        self.statusCode = statusCode
        self.body = body
        self.error = error
        self.retryAfter = retryAfter
        self.calls = calls
    }
}

/// Applies platform commands when the outbox attempts them; the server implements it over the stored connections and
/// their adapters.
public protocol PlatformCommandApplier: Sendable {
    /// Applies `command`. `attempt` counts from 1; `messageID` is the call's stable id (the same on every attempt),
    /// which an adapter puts on what it creates so that a retry after a lost answer can find it instead of creating it
    /// twice.
    func apply(_ command: PlatformCommand, messageID: String, attempt: Int) async -> PlatformCommandOutcome
}
