public import ServiceLifecycle
import Synchronization

/// Work that outlives the request or pass that started it (the `http` worker's first attempts once its answer has
/// stopped waiting, a continuous firing's first attempts beside the pass), run as a ServiceLifecycle service instead
/// of detached tasks: on graceful shutdown it takes no new work and finishes the work under way. Work submitted while
/// the service is not running is refused, and the caller runs it itself.
public final class BackgroundWork: Service, Sendable {
    public typealias Work = @Sendable () async -> Void

    private let stream: AsyncStream<Work>
    private let continuation: AsyncStream<Work>.Continuation
    private let running = Atomic<Bool>(false)

    /// A service that runs nothing until `run()`.
    public init() {
        (stream, continuation) = AsyncStream<Work>.makeStream()
    }

    /// Hands `work` to the service; false when it is not running (then nothing was taken).
    public func submit(_ work: @escaping Work) -> Bool {
        guard running.load(ordering: .acquiring) else { return false }
        if case .enqueued = continuation.yield(work) { return true }
        return false
    }

    /// Runs submitted work, each item in its own child task, until graceful shutdown; then drains what is under way.
    public func run() async throws {
        running.store(true, ordering: .releasing)
        await withTaskGroup(of: Void.self) { group in
            await withGracefulShutdownHandler {
                for await work in stream { group.addTask { await work() } }
            } onGracefulShutdown: {
                self.running.store(false, ordering: .releasing)
                self.continuation.finish()
            }
            await group.waitForAll()
        }
        running.store(false, ordering: .releasing)
    }
}
