import Synchronization
import Testing

@testable import HookworkEngine

@Suite("The bounded worker pool")
struct WorkerPoolTests {
    @Test("map runs every item, never more than the pool's slots at once", arguments: [1, 3, 8])
    func mapBounded(concurrency: Int) async {
        let running = Atomic<Int>(0)
        let most = Atomic<Int>(0)
        let outcomes = await WorkerPool(concurrency: concurrency).map(Array(0..<40)) { item in
            let now = running.add(1, ordering: .relaxed).newValue
            _ = most.max(now, ordering: .relaxed)
            await Task.yield()
            running.subtract(1, ordering: .relaxed)
            return item * 2
        }
        #expect(outcomes.sorted() == (0..<40).map { $0 * 2 })
        #expect(most.load(ordering: .relaxed) <= concurrency)
        #expect(most.load(ordering: .relaxed) >= 1)
    }

    @Test("a slow unit holds only its own slot: the others are claimed and run while it waits")
    func slowUnitDoesNotHoldOthers() async throws {
        let gate = AsyncStream<Void>.makeStream()
        let done = Atomic<Int>(0)
        let pending = Mutex(Array(0..<20))
        let pool = WorkerPool(concurrency: 2, minimumClaim: 1, idle: .milliseconds(10))
        let worker = Task {
            await pool.run(
                claim: { free in
                    pending.withLock { items in
                        let taken = items.prefix(free)
                        items.removeFirst(taken.count)
                        return taken.map { WorkerPool.Claimed($0) }
                    }
                },
                work: { item in
                    if item == 0 { for await _ in gate.stream { break } }
                    done.add(1, ordering: .relaxed)
                })
        }
        // Item 0 blocks one slot; the nineteen others go through the other slot.
        let deadline = ContinuousClock.now + .seconds(10)
        while done.load(ordering: .relaxed) < 19, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(done.load(ordering: .relaxed) == 19, "every other unit finished while the slow one waits")
        gate.continuation.yield()
        worker.cancel()
        await worker.value
        #expect(done.load(ordering: .relaxed) == 20, "stopping waits for the unit under way")
    }
}
