import Synchronization

/// Requests in progress per client address, bounded: a client that opens more than `limit` at once gets 429 for the
/// extra ones, so that one busy or hostile client cannot take every request slot of the server (the request deadline
/// bounds how long each may take).
final class ClientConcurrency: Sendable {
    /// Requests one address may have in progress.
    let limit: Int
    private let inFlight = Mutex<[String: Int]>([:])

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a slot for `client`; false when it has `limit` requests in progress already.
    func enter(_ client: String) -> Bool {
        inFlight.withLock { counts in
            let count = counts[client, default: 0]
            guard count < limit else { return false }
            counts[client] = count + 1
            return true
        }
    }

    /// Gives the slot back.
    func leave(_ client: String) {
        inFlight.withLock { counts in
            let count = counts[client, default: 0] - 1
            counts[client] = count > 0 ? count : nil
        }
    }

    /// Requests in progress for `client` (for tests and metrics).
    func count(_ client: String) -> Int { inFlight.withLock { $0[client, default: 0] } }
}
