import SQLKit
import Synchronization

/// One write waiting for the SQLite writer's next batch (group commit).
struct PendingWrite: Sendable {
    /// Several statements that must be all or nothing (a savepoint inside a batch), rather than one statement.
    let isTransaction: Bool
    /// Runs the operation and keeps its result for its caller.
    let run: @Sendable (any SQLDatabase) async throws -> Void
    /// Where its caller waits: for the outcome after the batch's COMMIT, or for the lead.
    let turn: WriteTurn
}

/// What the caller of one queued write waits for: the write's outcome once its batch committed, or the lead (it then
/// runs the next batch itself). Whichever side comes first, the waiter or the news, the other completes it.
final class WriteTurn: Sendable {
    /// What the caller learns.
    enum Outcome: Sendable {
        /// The write committed.
        case done
        /// The write failed.
        case failed(any Error)
        /// No writer is running: the caller runs the next batch.
        case lead
    }

    private enum State {
        case idle
        case waiting(CheckedContinuation<Outcome, Never>)
        case told(Outcome)
    }

    private let state = Mutex(State.idle)

    /// A turn nobody waits on yet.
    init() {}

    /// Waits for the outcome or the lead.
    func wait() async -> Outcome {
        await withCheckedContinuation { continuation in
            let known: Outcome? = state.withLock { state in
                if case .told(let outcome) = state { return outcome }
                state = .waiting(continuation)
                return nil
            }
            if let known { continuation.resume(returning: known) }
        }
    }

    /// Tells the caller its write's outcome.
    func finish(_ outcome: Outcome) { tell(outcome) }

    /// Passes the lead to the caller.
    func lead() { tell(.lead) }

    /// The outcome already told, when it is a write's outcome (the lead is not one).
    var finished: Outcome? {
        state.withLock { state in
            if case .told(let outcome) = state, !(outcome.isLead) { return outcome }
            return nil
        }
    }

    private func tell(_ outcome: Outcome) {
        let waiter: CheckedContinuation<Outcome, Never>? = state.withLock { state in
            if case .waiting(let continuation) = state {
                state = .idle
                return continuation
            }
            state = .told(outcome)
            return nil
        }
        waiter?.resume(returning: outcome)
    }
}

extension WriteTurn.Outcome {
    var isLead: Bool {
        if case .lead = self { return true }
        return false
    }
}

/// The writes that wait for the writer, and whether a drainer is running.
struct PendingWrites {
    var writes: [PendingWrite] = []
    var draining = false
}

/// Where an operation's result waits between its run and the COMMIT of its batch.
final class ResultSlot<R: Sendable>: Sendable {
    let value = Mutex<R?>(nil)
}
