public import HookworkCore

/// Where an outbound call came from, as the outbox keeps it (the delivery's `context`) and hands it back when the
/// delivery is over: the webhook, trigger and action, the chat, and for a Rest API call what its output rules need.
/// The one place that knows the stored members; members it does not know are kept as they are.
public struct CallOrigin: Sendable, Equatable {
    /// The stored members, in the order they were set (the delivery log shows them so).
    public private(set) var json: JSONObject

    /// An origin with no members.
    public init() {
        json = JSONObject()
    }

    /// The origin a delivery's stored context describes.
    public init(json: JSONObject) {
        self.json = json
    }

    private func int(_ key: String) -> Int? { json[key]?.looseInt }
    private mutating func set(_ key: String, _ value: JSONValue?) { json[key] = value }

    /// The webhook whose trigger made the call (null when none did, kept as a member).
    public var webhookID: Int? {
        get { int("webhook_id") }
        set { set("webhook_id", newValue.map(JSONValue.int) ?? .null) }
    }

    /// The trigger.
    public var triggerID: Int? {
        get { int("trigger_id") }
        set { set("trigger_id", newValue.map(JSONValue.int)) }
    }

    /// The action's position in the trigger.
    public var actionIndex: Int? {
        get { int("action_index") }
        set { set("action_index", newValue.map(JSONValue.int)) }
    }

    /// The chat (or mail message) the trigger ran for (null when none, kept as a member).
    public var chatID: Int? {
        get { int("chat_id") }
        set { set("chat_id", newValue.map(JSONValue.int) ?? .null) }
    }

    /// The platform connection a command goes to.
    public var connectionID: Int? {
        get { int("connection_id") }
        set { set("connection_id", newValue.map(JSONValue.int)) }
    }

    /// The chat command a callback or platform call carries (`closechat`).
    public var command: String? {
        get { json["command"]?.stringValue }
        set { set("command", newValue.map(JSONValue.string)) }
    }

    /// The operational event an operations call reports (`delivery.exhausted`).
    public var operationalEvent: String? {
        get { json["operational_event"]?.stringValue }
        set { set("operational_event", newValue.map(JSONValue.string)) }
    }

    /// The chat message a command posts (its platform id is linked to it when the call is delivered).
    public var messageID: Int? {
        get { int("message_id") }
        set { set("message_id", newValue.map(JSONValue.int)) }
    }

    /// The Rest API called.
    public var restAPIID: Int? {
        get { int("rest_api_id") }
        set { set("rest_api_id", newValue.map(JSONValue.int)) }
    }

    /// The method's id as the action wrote it.
    public var restAPIMethod: String? {
        get { json["rest_api_method"].flatMap { $0.isNull ? nil : PHPText.scalarText($0) } }
        set { set("rest_api_method", newValue.map(JSONValue.string) ?? .null) }
    }

    /// The action's content (its output mapping and options decide what follows the answer).
    public var actionContent: JSONObject {
        get { json["content"]?.objectValue ?? JSONObject() }
        set { set("content", .object(newValue)) }
    }

    /// Whether `args.chat` is a chat or a mail message.
    public var rootKind: NodeKind {
        get { json["root_kind"]?.stringValue == "mail" ? .argsWithMail : .argsWithChat }
        set { set("root_kind", .string(newValue == .argsWithMail ? "mail" : "chat")) }
    }

    /// The trigger's arguments (the follow-up trigger receives them).
    public var args: JSONValue {
        get { json["args"] ?? .object(JSONObject()) }
        set { set("args", newValue) }
    }

    /// How deep in triggers run by triggers the call was made (the loop guard goes on from there).
    public var depth: Int {
        get { int("depth") ?? 0 }
        set { set("depth", .int(newValue)) }
    }

    /// `{http_data}`: the request as the follow-up trigger sees it.
    public var httpData: String {
        get { json["http_data"]?.stringValue ?? "" }
        set { set("http_data", .string(newValue)) }
    }

    /// Which request of a polling method this is, from 1.
    public var poll: Int {
        get { max(int("poll") ?? 1, 1) }
        set { set("poll", .int(newValue)) }
    }

    /// The message id of a polling method's first request.
    public var pollOf: String? {
        get { json["poll_of"]?.stringValue }
        set { set("poll_of", newValue.map(JSONValue.string)) }
    }
}
