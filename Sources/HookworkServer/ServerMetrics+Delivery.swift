public import HookworkDelivery
public import HookworkEngine
import Prometheus

extension ServerMetrics: DeliveryMetrics, OperationalEventMetrics {
    /// An attempt ended.
    public func deliveryAttempted(kind: String, outcome: String) {
        let descriptor = MetricNameDescriptor(
            metricName: "hookwork_delivery_attempts", unitName: "total", helpText: "Delivery attempts by kind and outcome")
        registry.makeCounter(descriptor: descriptor, labels: [("kind", kind), ("outcome", outcome)]).increment()
    }

    /// A host's breaker changed: one gauge per host and state, 1 for the current state and 0 for the others.
    public func breakerChanged(host: String, state: String) {
        let descriptor = MetricNameDescriptor(
            metricName: "hookwork_delivery_breaker", unitName: "state", helpText: "Circuit breaker state per receiver host (1 = current)")
        for candidate in ["closed", "open", "half_open"] {
            registry.makeGauge(descriptor: descriptor, labels: [("host", host), ("state", candidate)]).set(to: candidate == state ? 1.0 : 0.0)
        }
    }

    /// An operational event happened (whether or not `HOOKWORK_OPERATIONS_URL` is set).
    public func operationalEvent(_ type: OperationalEventType) {
        let descriptor = MetricNameDescriptor(metricName: "hookwork_operational_events", unitName: "total", helpText: "Operational events by type")
        registry.makeCounter(descriptor: descriptor, labels: [("type", type.rawValue)]).increment()
    }
}
