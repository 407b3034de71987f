import Synchronization

/// A first-come-first-served lock for async code: it is held across suspension points (a whole transaction on
/// one SQLite connection), which `Mutex` must never be.
final class AsyncLock: Sendable {
    private struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    private let state = Mutex(State())

    /// An unlocked lock.
    init() {}

    /// Runs `body` while holding the lock.
    func withLock<R>(_ body: () async throws -> R) async throws -> R {
        await lock()
        defer { unlock() }
        return try await body()
    }

    private func lock() async {
        // Fast path: no continuation when nobody holds the lock, which is the common case at low load.
        let acquired = state.withLock { state in
            guard !state.locked else { return false }
            state.locked = true
            return true
        }
        if acquired { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                if !state.locked {
                    state.locked = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func unlock() {
        // The lock passes straight to the next waiter (it stays locked), so a newcomer cannot overtake the queue.
        let next: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard state.head < state.waiters.count else {
                state.waiters.removeAll(keepingCapacity: true)
                state.head = 0
                state.locked = false
                return nil
            }
            let waiter = state.waiters[state.head]
            state.head += 1
            // Under constant load the queue never empties; drop the served prefix now and then.
            if state.head >= 64, state.head * 2 >= state.waiters.count {
                state.waiters.removeFirst(state.head)
                state.head = 0
            }
            return waiter
        }
        next?.resume()
    }
}
