import Crypto
public import HookworkEngine

/// Chatwoot's webhook signature (v4.11.2 and later, `lib/webhooks/trigger.rb`): `X-Chatwoot-Signature` is
/// `"sha256=" + hex(HMAC-SHA256(key: the webhook secret's UTF-8 bytes, message: X-Chatwoot-Timestamp + "." + raw body))`.
/// The secret is a plain string (not base64, any prefix is part of it).
public enum ChatwootSignature {
    /// Seconds a timestamp may differ from now, either way.
    public static let toleranceSeconds = 300
    /// The longest signature header read (`sha256=` and 64 hex digits).
    static let maximumHeaderLength = 200

    /// The signature header value for `body` sent at `timestamp` with `secret`.
    public static func sign(body: [UInt8], timestamp: String, secret: String) -> String {
        var message = Array(timestamp.utf8)
        message.append(UInt8(ascii: "."))
        message.append(contentsOf: body)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256="
            + code.map { byte in
                let digits = Array("0123456789abcdef".utf8)
                return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]], as: UTF8.self)
            }.joined()
    }

    /// Verifies the delivery: the three `X-Chatwoot-*` headers present, the timestamp within `tolerance` seconds of
    /// `now`, and the signature equal (compared in constant time) to the one computed over the raw body.
    public static func verify(
        _ request: PlatformRequest, secret: String, now: Int, tolerance: Int = toleranceSeconds
    ) throws(PlatformRefusal) {
        guard let signature = request.headers["x-chatwoot-signature"], !signature.isEmpty else {
            throw .unauthenticated("X-Chatwoot-Signature is missing: set a secret on the Chatwoot webhook (Chatwoot v4.12 or later)")
        }
        guard let timestampText = request.headers["x-chatwoot-timestamp"] else { throw .unauthenticated("X-Chatwoot-Timestamp is missing") }
        guard request.headers["x-chatwoot-delivery"]?.isEmpty == false else { throw .unauthenticated("X-Chatwoot-Delivery is missing") }
        guard timestampText.utf8.count <= 12, !timestampText.isEmpty, timestampText.utf8.allSatisfy({ (48...57).contains($0) }),
            let timestamp = Int(timestampText)
        else { throw .unauthenticated("X-Chatwoot-Timestamp is not unix seconds") }
        guard abs(now - timestamp) <= tolerance else {
            throw .unauthenticated("X-Chatwoot-Timestamp \(timestamp) is more than \(tolerance) s from now (\(now)): stale or replayed delivery")
        }
        guard signature.utf8.count <= maximumHeaderLength,
            constantTimeEqual(Array(signature.utf8), Array(sign(body: request.body, timestamp: timestampText, secret: secret).utf8))
        else { throw .unauthenticated("X-Chatwoot-Signature does not match the body and the connection's webhook_secret") }
    }

    /// Whether two byte strings are equal, in time that depends only on their lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
