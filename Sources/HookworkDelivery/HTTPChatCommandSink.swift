import Crypto
import Foundation
public import HookworkCore
public import HookworkEngine

/// Posts chat commands as JSON to the platform's callback URL (`HOOKWORK_CALLBACK_URL`), signed the Standard Webhooks
/// way when a secret is set: `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of
/// "id.timestamp.body">`.
public struct HTTPChatCommandSink: ChatCommandSink {
    let url: String
    let secret: [UInt8]?
    let sender: any HTTPSender
    let clock: any EngineClock

    /// A sink posting to `url` through `sender`; `secret` (`whsec_` + base64, or plain text) signs each command.
    public init(url: String, secret: String?, sender: any HTTPSender, clock: any EngineClock = WallClock()) {
        self.url = url
        self.sender = sender
        self.clock = clock
        if let secret, !secret.isEmpty {
            if secret.hasPrefix("whsec_"), let decoded = Data(base64Encoded: String(secret.dropFirst(6))) {
                self.secret = Array(decoded)
            } else {
                self.secret = Array(secret.utf8)
            }
        } else {
            self.secret = nil
        }
    }

    /// Posts `command`; the receiver's status.
    public func deliver(_ command: JSONObject) async throws -> Int {
        let body = Array(JSONValue.object(command).jsonText().utf8)
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let secret {
            let id = "cmd_" + UUID().uuidString.lowercased()
            let timestamp = String(clock.now())
            let signed = Array("\(id).\(timestamp).".utf8) + body
            let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: secret))
            headers.append(("webhook-id", id))
            headers.append(("webhook-timestamp", timestamp))
            headers.append(("webhook-signature", "v1," + Data(mac).base64EncodedString()))
        }
        let response = try await sender.send(OutboundRequest(method: "POST", url: url, headers: headers, body: body, timeoutSeconds: 10))
        return response.status
    }
}
