import Foundation
public import HookworkCore
public import HookworkStore

/// One outbound call an action decided to make. Actions perform no I/O: they record calls in an `Effects`
/// accumulator, the calls are committed with the decision that caused them, and delivery workers make them.
public struct OutboundCall: Sendable, Equatable {
    /// What is sent.
    public enum Payload: Sendable, Equatable {
        /// An HTTP request.
        case http(OutboundRequest)
        /// An e-mail.
        case mail(MailEnvelope)
        /// A command for a platform connection's adapter (kind `callback`: ordered per chat like callback commands).
        case platform(PlatformCommand)
    }

    /// The kind of call.
    public var kind: DeliveryKind
    /// The request or the e-mail.
    public var payload: Payload
    /// Where the call came from. Handed back to the `DeliveryCompletionHandler`.
    public var origin: CallOrigin
    /// The retry schedule; nil uses the server's default (`HOOKWORK_RETRY_SCHEDULE`).
    public var retry: RetrySchedule?
    /// 4xx status codes that are retried besides 408 and 429.
    public var retryOn: [Int]
    /// Standard Webhooks secrets (`whsec_...`); each signs the call, for rotation. Empty: the call is not signed.
    /// Used only when `signingSource` is nil: the outbox keeps no copy of a configured secret.
    public var signingSecrets: [String]
    /// Whose secrets sign the call, looked up when each attempt is made, so that a rotation reaches queued retries.
    public var signingSource: SigningSource? = nil
    /// The message id receivers see as `webhook-id`; derived from the decision so that a decision made twice (after a
    /// crash) records the call once.
    public var messageID: String
    /// The earliest time (unix seconds) the call may be made; nil: at once. A Rest API method's polling re-attempts
    /// wait `polling_n_delay` seconds this way.
    public var notBefore: Int? = nil

    /// A call.
    public init(
        kind: DeliveryKind, payload: Payload, origin: CallOrigin = CallOrigin(), retry: RetrySchedule? = nil, retryOn: [Int] = [],
        signingSecrets: [String] = [], messageID: String = OutboundCall.randomMessageID()
    ) {
        self.kind = kind
        self.payload = payload
        self.origin = origin
        self.retry = retry
        self.retryOn = retryOn
        self.signingSecrets = signingSecrets
        self.messageID = messageID
    }

    /// The holder of a call that waits for `notBefore`: no worker has this name, so the call is claimed once the hold ends.
    public static let notBeforeHolder = "not-before"

    /// `msg_` and 24 random letters and digits.
    public static func randomMessageID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return "msg_" + String((0..<24).map { _ in alphabet.randomElement()! })
    }

    /// `host:port` of a URL (the default port of its scheme when it has none); the circuit breaker's key.
    public static func hostKey(of url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else { return "unknown" }
        let port = components.port ?? (components.scheme?.lowercased() == "https" ? 443 : 80)
        return "\(host.lowercased()):\(port)"
    }

    /// The outbox row of this call.
    public func newDelivery(heldBy: String? = nil, heldUntil: Int? = nil) -> NewDelivery {
        var stored = JSONObject()
        let method: String
        let url: String
        let host: String
        switch payload {
        case .http(let request):
            method = request.method
            // The column is what the log shows; the call itself is sent from the payload.
            url = SecretMask.maskURL(request.url)
            host = Self.hostKey(of: request.url)
            var object = JSONObject([("method", .string(request.method)), ("url", .string(request.url))])
            object["headers"] = .array(request.headers.map { .array([.string($0.name), .string($0.value)]) })
            object["body_base64"] = request.body.map { .string(Data($0).base64EncodedString()) } ?? .null
            object["timeout"] = .int(request.timeoutSeconds)
            object["verify_tls"] = .bool(request.verifyTLS)
            if request.followRedirects { object["follow_redirects"] = .bool(true) }
            stored["request"] = .object(object)
        case .mail(let mail):
            method = "SMTP"
            url = "mailto:" + mail.to.joined(separator: ",")
            host = "smtp"
            var object = JSONObject([("from", .string(mail.from)), ("from_name", mail.fromName.map(JSONValue.string) ?? .null)])
            object["to"] = .array(mail.to.map(JSONValue.string))
            object["reply_to"] = mail.replyTo.map(JSONValue.string) ?? .null
            object["subject"] = .string(mail.subject)
            object["body"] = .string(mail.body)
            object["headers"] = .array(mail.headers.map { .array([.string($0.name), .string($0.value)]) })
            stored["mail"] = .object(object)
        case .platform(let command):
            method = "COMMAND"
            url = "connection:\(command.connectionID)/" + (command.command["command"]?.stringValue ?? "command")
            host = command.host
            stored["platform"] = .object(JSONObject([("connection_id", .int(command.connectionID)), ("command", .object(command.command))]))
        }
        stored["retry"] = retry?.json ?? .null
        stored["retry_on"] = .array(retryOn.map(JSONValue.int))
        switch signingSource {
        case .restAPI(let id)?: stored["signing"] = .object(JSONObject([("rest_api_id", .int(id))]))
        case .callback?: stored["signing"] = .object(JSONObject([("source", .string("callback"))]))
        case .operations?: stored["signing"] = .object(JSONObject([("source", .string("operations"))]))
        case nil: stored["signing_secrets"] = .array(signingSecrets.map(JSONValue.string))
        }
        return NewDelivery(
            messageID: messageID, kind: kind, method: method, url: url, host: host, payload: .object(stored), context: origin.json,
            webhookID: origin.webhookID, triggerID: origin.triggerID, chatID: origin.chatID, restAPIID: origin.restAPIID,
            heldBy: notBefore == nil ? heldBy : Self.notBeforeHolder,
            heldUntil: notBefore ?? heldUntil
        )
    }

    /// The call a stored delivery makes; nil if its payload cannot be read.
    public init?(record: DeliveryRecord) {
        guard case .object(let stored) = record.payload else { return nil }
        func pairs(_ value: JSONValue?) -> [(name: String, value: String)] {
            (value?.arrayValue ?? []).compactMap { pair in
                guard let items = pair.arrayValue, items.count == 2, let name = items[0].stringValue, let value = items[1].stringValue else {
                    return nil
                }
                return (name, value)
            }
        }
        if case .object(let request)? = stored["request"] {
            let body = request["body_base64"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
            payload = .http(
                OutboundRequest(
                    method: request["method"]?.stringValue ?? "POST", url: request["url"]?.stringValue ?? record.url,
                    headers: pairs(request["headers"]),
                    body: body, timeoutSeconds: request["timeout"]?.intValue ?? 10, verifyTLS: request["verify_tls"]?.boolValue ?? true,
                    followRedirects: request["follow_redirects"]?.boolValue ?? false
                )
            )
        } else if case .object(let mail)? = stored["mail"] {
            payload = .mail(
                MailEnvelope(
                    from: mail["from"]?.stringValue ?? "", fromName: mail["from_name"]?.stringValue,
                    to: (mail["to"]?.arrayValue ?? []).compactMap(\.stringValue),
                    replyTo: mail["reply_to"]?.stringValue, subject: mail["subject"]?.stringValue ?? "", body: mail["body"]?.stringValue ?? "",
                    headers: pairs(mail["headers"])
                )
            )
        } else if case .object(let platform)? = stored["platform"], let connection = platform["connection_id"]?.intValue,
            case .object(let command)? = platform["command"]
        {
            payload = .platform(PlatformCommand(connectionID: connection, command: command))
        } else {
            return nil
        }
        kind = record.kind
        origin = CallOrigin(json: record.context)
        retry = stored["retry"].flatMap { $0.isNull ? nil : try? RetrySchedule(json: $0) }
        retryOn = (stored["retry_on"]?.arrayValue ?? []).compactMap(\.intValue)
        signingSecrets = (stored["signing_secrets"]?.arrayValue ?? []).compactMap(\.stringValue)
        if let id = stored["signing"]?["rest_api_id"]?.intValue {
            signingSource = .restAPI(id: id)
        } else if stored["signing"]?["source"]?.stringValue == "callback" {
            signingSource = .callback
        } else if stored["signing"]?["source"]?.stringValue == "operations" {
            signingSource = .operations
        }
        messageID = record.messageID
    }
}

/// Whose Standard Webhooks secrets sign a call: read from the configuration when the attempt is made.
public enum SigningSource: Sendable, Equatable {
    /// The `signing_secrets` of Rest API `id`.
    case restAPI(id: Int)
    /// `HOOKWORK_CALLBACK_SECRETS`.
    case callback
    /// `HOOKWORK_OPERATIONS_SECRETS`.
    case operations
}

/// Looks up the secrets of a `SigningSource` at attempt time.
public protocol SigningSecretResolver: Sendable {
    /// The secrets that sign a call from `source` now; empty: the call is sent unsigned.
    func secrets(for source: SigningSource) async throws -> [String]
}

/// The chat platform's callback endpoint: where chat-changing actions send their signed commands.
public struct CallbackTarget: Sendable, Equatable {
    /// `HOOKWORK_CALLBACK_URL`.
    public var url: String
    /// `HOOKWORK_CALLBACK_SECRETS`: Standard Webhooks secrets that sign every command.
    public var secrets: [String]

    /// A target.
    public init(url: String, secrets: [String]) {
        self.url = url
        self.secrets = secrets
    }

    /// The call that POSTs `command` (a JSON object such as `{"command":"closechat","changes":{...}}`) for `chatID`,
    /// with `chat_id` and `webhook_id` set when the command has none, signed with the callback secrets and retried on
    /// the default schedule.
    public func call(command: JSONObject, chatID: Int?, webhookID: Int?, origin: CallOrigin = CallOrigin(), messageID: String? = nil) -> OutboundCall
    {
        var body = command
        if body["chat_id"] == nil { body["chat_id"] = chatID.map(JSONValue.int) ?? .null }
        if body["webhook_id"] == nil { body["webhook_id"] = webhookID.map(JSONValue.int) ?? .null }
        var origin = origin
        if let chatID { origin.chatID = chatID }
        if let webhookID { origin.webhookID = webhookID }
        let request = OutboundRequest(
            method: "POST", url: url, headers: [("Content-Type", "application/json")], body: Array(JSONValue.object(body).jsonText().utf8)
        )
        var call = OutboundCall(kind: .callback, payload: .http(request), origin: origin, messageID: messageID ?? OutboundCall.randomMessageID())
        call.signingSource = .callback
        return call
    }
}
