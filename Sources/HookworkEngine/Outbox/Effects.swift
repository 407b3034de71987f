public import HookworkCore
public import HookworkStore
import Synchronization

/// What a decision does besides its report: the calls it makes, the records it changes, the events it raises.
/// Actions add to it; the caller commits it in one store transaction with the decision (`unitOfWork`).
public final class Effects: Sendable {
    /// What message ids of this decision's calls are derived from (`e12` for event 12); nil gives random ids.
    public let keyPrefix: String?
    /// The webhook whose firing this decision is, when one webhook made it (a continuous firing); hook webhooks pass
    /// theirs in the trigger arguments instead, as one event's decision runs several webhooks.
    public let webhookID: Int?
    /// The branch that fired (`trigger` or `alternative`), with `webhookID`.
    public let branch: String?
    private let state = Mutex(UnitOfWork())
    private let pendingCalls = Mutex<[OutboundCall]>([])
    private let suffixUses = Mutex<[String: Int]>([:])
    private let reportNotes = Mutex(JSONObject())

    /// An empty accumulator.
    public init(keyPrefix: String? = nil, webhookID: Int? = nil, branch: String? = nil) {
        self.keyPrefix = keyPrefix
        self.webhookID = webhookID
        self.branch = branch
    }

    /// The webhook a call made under `args` comes from: the trigger arguments' `webhook_id`, else this decision's.
    public func webhookID(args: JSONValue) -> Int? {
        args["webhook_id"]?.looseInt ?? webhookID
    }

    /// The message id of the call identified by `suffix` within this decision (stable across re-runs of the decision).
    /// A suffix asked for again (the same action reached twice through raised events) gets `_2`, `_3`, ... in order.
    public func messageID(_ suffix: String) -> String {
        guard let keyPrefix else { return OutboundCall.randomMessageID() }
        let use = suffixUses.withLock { uses in
            uses[suffix, default: 0] += 1
            return uses[suffix]!
        }
        return use == 1 ? "msg_\(keyPrefix)_\(suffix)" : "msg_\(keyPrefix)_\(suffix)_\(use)"
    }

    /// Records a call.
    public func call(_ call: OutboundCall) {
        pendingCalls.withLock { $0.append(call) }
    }

    /// Records a record to create or replace.
    public func put(_ put: RecordPut) {
        state.withLock { $0.puts.append(put) }
    }

    /// Records a record to delete (after the puts and patches).
    public func delete(_ key: RecordKey) {
        state.withLock { $0.deletes.append(key) }
    }

    /// Records members to merge into a record.
    public func patch(_ patch: RecordPatch) {
        state.withLock { $0.patches.append(patch) }
    }

    /// `stored` as it will be once this decision commits: the last put of the record replaces it, then its patches are
    /// merged in (the order `commit` writes them); nil when neither the store nor the decision has the record.
    public func pending(_ kind: EntityKind, id: Int, over stored: JSONObject?) -> JSONObject? {
        state.withLock { work in
            var record = work.puts.last { $0.kind == kind && $0.id == id }?.document ?? stored
            for patch in work.patches where patch.kind == kind && patch.id == id {
                guard record != nil else { break }
                for (key, value) in patch.members { record?[key] = value }
            }
            return record
        }
    }

    /// The records of `kind` this decision creates or replaces, in the order recorded (with their patches merged in).
    public func pendingRecords(_ kind: EntityKind) -> [JSONObject] {
        state.withLock { work in
            work.puts.filter { $0.kind == kind }.map { put in
                var record = put.document
                for patch in work.patches where patch.kind == kind && patch.id == put.id {
                    for (key, value) in patch.members { record[key] = value }
                }
                return record
            }
        }
    }

    /// Records a firing a webhook in shadow mode would have made.
    public func shadowFired(_ firing: ShadowFiring) {
        state.withLock { $0.shadowFirings.append(firing) }
    }

    /// Records a trigger the decision ran (the activity view's firing count).
    public func fired(_ entry: FiringLogEntry) {
        state.withLock { $0.firings.append(entry) }
    }

    /// Records an event to queue.
    public func raise(_ event: NewEvent) {
        state.withLock { $0.events.append(event) }
    }

    /// Adds `value` under `key` to what the decision reports (a Rest API's output rules say what followed the answer).
    public func note(_ key: String, _ value: JSONValue) {
        reportNotes.withLock { $0[key] = value }
    }

    /// What the decision's handlers noted for its report.
    public var notes: JSONObject { reportNotes.withLock { $0 } }

    /// The calls recorded so far.
    public var calls: [OutboundCall] { pendingCalls.withLock { $0 } }

    /// Everything recorded, as one unit of work completing `event` (if given); the calls are held by `heldBy` until
    /// `heldUntil` when given (the `http` worker's inline first attempt).
    public func unitOfWork(completing event: (sequence: Int, outcome: JSONValue)? = nil, heldBy: String? = nil, heldUntil: Int? = nil) -> UnitOfWork {
        var work = state.withLock { $0 }
        work.completedEvent = event
        work.deliveries = calls.map { $0.newDelivery(heldBy: heldBy, heldUntil: heldUntil) }
        return work
    }
}
