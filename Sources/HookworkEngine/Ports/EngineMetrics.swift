/// What the engine counts; HookworkServer backs it with Prometheus. Labels are bounded by construction.
public protocol EngineMetrics: Sendable {
    /// A webhook's conditions were evaluated.
    func webhookEvaluated(valid: Bool)
    /// A trigger ran; `outcome` is `ok` or `failed`.
    func triggerRan(outcome: String)
    /// Something failed; `code` is a stable error code.
    func errorOccurred(code: String)
}

/// Counts nothing.
public struct NoEngineMetrics: EngineMetrics {
    /// A sink.
    public init() {}
    /// Ignored.
    public func webhookEvaluated(valid: Bool) {}
    /// Ignored.
    public func triggerRan(outcome: String) {}
    /// Ignored.
    public func errorOccurred(code: String) {}
}
