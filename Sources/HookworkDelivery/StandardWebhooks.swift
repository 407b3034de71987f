import Crypto
import Foundation

/// Standard Webhooks signing (v1, HMAC-SHA256): `webhook-id`, `webhook-timestamp` and `webhook-signature` with one
/// `v1,<base64>` per secret, space separated, so that a receiver can rotate secrets.
public enum StandardWebhooks {
    /// Why a secret cannot sign.
    public struct InvalidSecret: Error, Sendable, CustomStringConvertible {
        /// The secret's position in the list.
        public var index: Int
        public var description: String { "signing secret \(index) is not whsec_ followed by base64; fix the Rest API's signing_secrets" }
    }

    /// The key bytes of a `whsec_<base64>` secret (a secret without the prefix is read as base64 too).
    public static func key(of secret: String) -> [UInt8]? {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        return Data(base64Encoded: encoded).map { [UInt8]($0) }
    }

    /// `v1,<base64 HMAC-SHA256(id.timestamp.body)>` for each secret, space separated.
    public static func signature(messageID: String, timestamp: Int, body: [UInt8], secrets: [String]) throws -> String {
        var content = Array("\(messageID).\(timestamp).".utf8)
        content.append(contentsOf: body)
        var signatures: [String] = []
        for (index, secret) in secrets.enumerated() {
            guard let key = key(of: secret), !key.isEmpty else { throw InvalidSecret(index: index) }
            let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: key))
            signatures.append("v1," + Data(mac).base64EncodedString())
        }
        return signatures.joined(separator: " ")
    }

    /// The three headers of one attempt (without a signature when there are no secrets).
    public static func headers(messageID: String, timestamp: Int, body: [UInt8], secrets: [String]) throws -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("webhook-id", messageID), ("webhook-timestamp", String(timestamp))]
        if !secrets.isEmpty {
            headers.append(("webhook-signature", try signature(messageID: messageID, timestamp: timestamp, body: body, secrets: secrets)))
        }
        return headers
    }
}
