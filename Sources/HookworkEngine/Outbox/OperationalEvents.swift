import Foundation
public import HookworkCore
import HookworkStore

/// What an operator is told about without watching the admin page. Each is counted in `/metrics` and, when
/// `HOOKWORK_OPERATIONS_URL` is set, POSTed there through the outbox, signed like every other call.
public enum OperationalEventType: String, Sendable, CaseIterable {
    /// A delivery ended without being delivered.
    case deliveryExhausted = "delivery.exhausted"
    /// A receiver host's breaker opened after consecutive failures.
    case breakerOpened = "breaker.opened"
    /// A receiver answered 410 Gone: no call goes to its host until an admin enables it again.
    case hostDisabled = "host.disabled"
    /// An event crashed, stalled or failed its evaluation too often and was set aside.
    case eventParked = "event.parked"
    /// A chat or mail message was in flight at repeated process stops and is skipped by continuous passes.
    case continuousParked = "continuous.parked"
}

/// Counts operational events (HookworkServer backs it with Prometheus).
public protocol OperationalEventMetrics: Sendable {
    /// One operational event happened.
    func operationalEvent(_ type: OperationalEventType)
}

/// Where operational events go: `HOOKWORK_OPERATIONS_URL`, signed with `HOOKWORK_OPERATIONS_SECRETS`.
public struct OperationsTarget: Sendable, Equatable {
    /// The operator's endpoint.
    public var url: String

    /// A target.
    public init(url: String) {
        self.url = url
    }

    /// `host:port` of the endpoint: events about this host are not sent to it (they could not arrive).
    public var host: String { OutboundCall.hostKey(of: url) }

    /// The call that reports one event: `{"type", "timestamp", "data"}`, the Standard Webhooks body shape, retried
    /// on the default schedule.
    public func call(_ type: OperationalEventType, data: JSONObject, at time: Int, messageID: String) -> OutboundCall {
        let body: JSONValue = .object(
            JSONObject([
                ("type", .string(type.rawValue)), ("timestamp", .string(Self.timestamp(time))), ("data", .object(data)),
            ]))
        let request = OutboundRequest(method: "POST", url: url, headers: [("Content-Type", "application/json")], body: Array(body.jsonText().utf8))
        var origin = CallOrigin()
        origin.operationalEvent = type.rawValue
        var call = OutboundCall(kind: .operations, payload: .http(request), origin: origin, messageID: messageID)
        call.signingSource = .operations
        return call
    }

    /// A unix time as ISO 8601 in UTC (`2026-12-07T02:03:51Z`).
    static func timestamp(_ time: Int) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(time)))
    }
}

/// Reports operational events: counts each and, with a target, adds its call to a decision's effects.
public struct OperationalEvents: Sendable {
    /// The endpoint, if one is configured.
    public let target: OperationsTarget?
    let metrics: (any OperationalEventMetrics)?

    /// A reporter; with no target events are only counted.
    public init(target: OperationsTarget?, metrics: (any OperationalEventMetrics)?) {
        self.target = target
        self.metrics = metrics
    }

    /// Reports nothing.
    public static let none = OperationalEvents(target: nil, metrics: nil)

    /// Counts `type` and, when a target is configured and the event is not about the target itself, records its call
    /// in `effects` under a message id derived from the decision (`suffix` tells the events of one decision apart).
    public func report(_ type: OperationalEventType, data: JSONObject, at time: Int, into effects: Effects, suffix: String) {
        metrics?.operationalEvent(type)
        guard let target, data["host"]?.stringValue != target.host else { return }
        effects.call(target.call(type, data: data, at: time, messageID: effects.messageID("op_\(suffix)")))
    }
}
