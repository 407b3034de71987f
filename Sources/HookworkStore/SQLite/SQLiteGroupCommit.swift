import SQLKit
import Synchronization

/// One write waiting for the SQLite writer's next batch (group commit).
struct PendingWrite: Sendable {
    /// Several statements that must be all or nothing (a savepoint inside a batch), rather than one statement.
    let isTransaction: Bool
    /// Runs the operation and keeps its result for `finish`.
    let run: @Sendable (any SQLDatabase) async throws -> Void
    /// Resumes the waiter with the kept result, or with the error. Called once, after the batch's COMMIT.
    let finish: @Sendable ((any Error)?) -> Void
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
