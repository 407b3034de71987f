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
        count("hookwork_events_received", help: "Events accepted by POST /api/v1/events", labels: [("mode", mode), ("result", result)])
    }

    /// A webhook's conditions were evaluated.
    public func webhookEvaluated(valid: Bool) {
        count("hookwork_webhooks_evaluated", help: "Hook webhooks evaluated", labels: [("valid", valid ? "true" : "false")])
        if valid {
            count("hookwork_webhooks_fired", help: "Hook webhooks whose conditions held")
        }
    }

    /// A trigger ran.
    public func triggerRan(outcome: String) {
        count("hookwork_triggers_run", help: "Triggers run", labels: [("outcome", outcome)])
    }

    /// Something failed.
    public func errorOccurred(code: String) {
        count("hookwork_errors", help: "Errors by stable code", labels: [("code", code)])
    }

    /// A request was answered.
    func request(method: String, route: String, status: Int) {
        count(
            "hookwork_http_requests", help: "HTTP requests by route pattern",
            labels: [("method", method), ("route", route), ("status", String(status))]
        )
    }

    /// Increments the counter `name_total` with `labels` (the registry returns the same counter for the same labels).
    private func count(_ name: String, help: String, labels: [(String, String)] = []) {
        let descriptor = MetricNameDescriptor(metricName: name, unitName: "total", helpText: help)
        registry.makeCounter(descriptor: descriptor, labels: labels).increment()
    }

    /// The Prometheus text exposition.
    func exposition() -> String {
        registry.emitToString()
    }
}
