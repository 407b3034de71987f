public import HookworkCore

/// Which trigger of a continuous webhook a firing-ledger row is about.
public enum FiringBranch: String, Sendable, Codable, CaseIterable {
    /// "Execute if conditions are valid" (`trigger_id`).
    case trigger
    /// "Execute if conditions are NOT valid" (`trigger_id_alt`).
    case alternative
}

/// One row of the continuous-chat firing ledger: the trigger of `webhookID` fired for `chatID` in the episode that is
/// still going on.
public struct FiringLedgerRow: Sendable, Equatable, Hashable {
    /// The webhook.
    public var webhookID: Int
    /// The chat.
    public var chatID: Int
    /// Which of the webhook's triggers.
    public var branch: FiringBranch
    /// `once` (fired; waits for the conditions to change) or `every` (fires again `every_seconds` after `lastFiredAt`).
    public var state: String
    /// When the trigger last fired (unix seconds; 0 for an episode whose ladder has taken no step yet).
    public var lastFiredAt: Int
    /// How many times the episode fired: its trigger (bounded by `max_firings`, one more for `then_trigger_id`), or
    /// the ladder steps it took.
    public var firings: Int
    /// When the episode started (its first firing, or when a ladder's conditions first held).
    public var startedAt: Int

    /// A ledger row.
    public init(webhookID: Int, chatID: Int, branch: FiringBranch, state: String, lastFiredAt: Int, firings: Int = 1, startedAt: Int? = nil) {
        self.webhookID = webhookID
        self.chatID = chatID
        self.branch = branch
        self.state = state
        self.lastFiredAt = lastFiredAt
        self.firings = firings
        self.startedAt = startedAt ?? lastFiredAt
    }
}

/// The state continuous webhooks keep between passes: the chat firing ledger (firing policies, DESIGN §5), the mail
/// ledger (the reference's `lh_mail_continuous_event`, spec §3.2), and the batched reads a pass needs.
///
/// Every claim is one atomic conditional write, so that several processes on one PostgreSQL database never both fire
/// the same `once` episode or the same `every` slot (DESIGN §6).
public protocol ContinuousStore: Sendable {
    /// Claims a firing of `branch` for (`webhookID`, `chatID`) at `now`: with `everySeconds` nil (`once`) only when no
    /// row exists for the episode; otherwise also when the last firing is at least `everySeconds` old. True when this
    /// caller won the claim and must run the trigger.
    func claimFiring(webhookID: Int, chatID: Int, branch: FiringBranch, everySeconds: Int?, now: Int) async throws -> Bool
    /// The ledger rows of `webhookID`, or of every webhook when nil.
    func firingLedger(webhookID: Int?) async throws -> [FiringLedgerRow]
    /// Starts ladder episodes that have none: a row with no step taken, started at `now`; returns how many started.
    @discardableResult
    func startEpisodes(_ rows: [FiringLedgerKey], now: Int) async throws -> Int
    /// Ends episodes: deletes these (webhook, chat, branch) rows; returns how many existed.
    @discardableResult
    func endEpisodes(_ rows: [FiringLedgerKey]) async throws -> Int
    /// Deletes every ledger row of `webhookID` (chat and mail); returns how many there were.
    func resetLedger(webhookID: Int) async throws -> Int

    /// Records that mail webhook `webhookID` processed `messageID`; true only when the row is new (INSERT IGNORE).
    func claimMail(webhookID: Int, messageID: Int, now: Int) async throws -> Bool
    /// The message ids `webhookID` has processed, newest row first.
    func mailLedger(webhookID: Int) async throws -> [Int]
    /// Every (webhook, message) pair in the mail ledger, for a pass to skip known pairs without a query each.
    func mailLedgerPairs(webhookIDs: [Int]) async throws -> Set<MailLedgerKey>
    /// Deletes mail-ledger rows created before `before`; returns how many.
    @discardableResult
    func purgeMailLedger(before: Int) async throws -> Int

    /// The messages of many chats in one read per chunk of ids, each chat's newest first, at most `perChat` each.
    func messages(chatIDs: [Int], perChat: Int) async throws -> [Int: [JSONObject]]
    /// Many records of one kind by id, in chunks of ids (missing ones are left out).
    func records(_ kind: EntityKind, ids: [Int]) async throws -> [Int: JSONObject]

    /// The newest change-log position (0 when empty): a pass that loads everything reads this first.
    func changeCursor() async throws -> Int
    /// Changes of chats, messages, departments, operators and statistics after `cursor`, oldest first, at most
    /// `limit`; and the oldest position still logged, so that a reader can tell it fell behind the purge.
    func changes(after cursor: Int, limit: Int) async throws -> (changes: [RecordChange], oldest: Int?)
    /// Deletes change-log rows, keeping the newest `keeping`.
    func purgeChanges(keeping: Int) async throws
    /// Deletes the ledger rows of webhooks that no longer exist (deleting a webhook deletes its rows, spec §3.1).
    @discardableResult
    func purgeOrphanLedgers() async throws -> Int
}

/// One logged write of a record a continuous pass assembles chats from.
public struct RecordChange: Sendable, Equatable {
    /// The change-log position.
    public var sequence: Int
    /// The record's kind.
    public var kind: EntityKind
    /// The record's id.
    public var id: Int
    /// The record's chat (messages).
    public var chatID: Int?

    /// A change.
    public init(sequence: Int, kind: EntityKind, id: Int, chatID: Int?) {
        self.sequence = sequence
        self.kind = kind
        self.id = id
        self.chatID = chatID
    }
}

/// A firing-ledger row's key.
public struct FiringLedgerKey: Sendable, Hashable {
    /// The webhook.
    public var webhookID: Int
    /// The chat.
    public var chatID: Int
    /// The branch.
    public var branch: FiringBranch

    /// A key.
    public init(webhookID: Int, chatID: Int, branch: FiringBranch) {
        self.webhookID = webhookID
        self.chatID = chatID
        self.branch = branch
    }
}

/// A mail-ledger row's key.
public struct MailLedgerKey: Sendable, Hashable {
    /// The webhook.
    public var webhookID: Int
    /// The mail message.
    public var messageID: Int

    /// A key.
    public init(webhookID: Int, messageID: Int) {
        self.webhookID = webhookID
        self.messageID = messageID
    }
}
