public import HookworkEngine
import Prometheus
import Synchronization

/// The Prometheus counters of one server, on its own registry (no global metrics system). Labels are bounded:
/// route patterns, status codes, error codes, fixed outcome words.
public final class ServerMetrics: EngineMetrics, Sendable {
    let registry = PrometheusCollectorRegistry()

    /// A fresh registry.
    public init() {}

    /// An event arrived; `mode` is the worker mode, `result` `accepted` or `duplicate`.
    public func eventReceived(mode: String, result: String) {
        registry.makeCounter(
            name: "hookwork_events_received_total", labels: [("mode", mode), ("result", result)], help: "Events accepted by POST /api/v1/events"
        ).increment()
    }

    /// A webhook's conditions were evaluated.
    public func webhookEvaluated(valid: Bool) {
        registry.makeCounter(
            name: "hookwork_webhooks_evaluated_total", labels: [("valid", valid ? "true" : "false")], help: "Hook webhooks evaluated"
        ).increment()
        if valid {
            registry.makeCounter(name: "hookwork_webhooks_fired_total", help: "Hook webhooks whose conditions held").increment()
        }
    }

    /// A trigger ran.
    public func triggerRan(outcome: String) {
        registry.makeCounter(name: "hookwork_triggers_run_total", labels: [("outcome", outcome)], help: "Triggers run").increment()
    }

    /// Something failed.
    public func errorOccurred(code: String) {
        registry.makeCounter(name: "hookwork_errors_total", labels: [("code", code)], help: "Errors by stable code").increment()
    }

    /// A request was answered.
    func request(method: String, route: String, status: Int) {
        registry.makeCounter(
            name: "hookwork_http_requests_total", labels: [("method", method), ("route", route), ("status", String(status))],
            help: "HTTP requests by route pattern"
        ).increment()
    }

    /// The Prometheus text exposition.
    func exposition() -> String {
        registry.emitToString()
    }
}
