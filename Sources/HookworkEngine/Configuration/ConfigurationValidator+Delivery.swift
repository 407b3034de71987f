import Foundation
import HookworkCore

extension ConfigurationValidator {
    /// Checks a Rest API's delivery settings: `retry` (`"default"`, `"none"` or seconds), `retry_on` (4xx codes) and
    /// `signing_secrets` (Standard Webhooks `whsec_<base64>` secrets).
    func validateDeliverySettings(_ configuration: JSONObject) throws {
        if let retry = configuration["retry"], !retry.isNull {
            do {
                _ = try RetrySchedule(json: retry)
            } catch {
                throw ValidationFailure(field: "configuration.retry", message: error.message)
            }
        }
        if let retryOn = configuration["retry_on"], !retryOn.isNull {
            guard case .array(let codes) = retryOn else {
                throw ValidationFailure(field: "configuration.retry_on", message: "retry_on must be a list of 4xx status codes such as [404, 409]")
            }
            for (index, code) in codes.enumerated() {
                guard let value = code.intValue, (400...499).contains(value) else {
                    throw ValidationFailure(
                        field: "configuration.retry_on[\(index)]",
                        message: "retry_on lists 4xx status codes to retry (5xx, 408 and 429 always are); got \(code.jsonText())"
                    )
                }
            }
        }
        if let secrets = configuration["signing_secrets"], !secrets.isNull {
            guard case .array(let items) = secrets else {
                throw ValidationFailure(field: "configuration.signing_secrets", message: "signing_secrets must be a list of whsec_... secrets")
            }
            for (index, item) in items.enumerated() {
                guard let secret = item.stringValue, Self.isSigningSecret(secret) else {
                    throw ValidationFailure(
                        field: "configuration.signing_secrets[\(index)]",
                        message: "a signing secret is whsec_ followed by base64 of 24 to 64 random bytes (Standard Webhooks)"
                    )
                }
            }
        }
    }

    /// Whether `secret` is `whsec_` and base64 of 24 to 64 bytes.
    public static func isSigningSecret(_ secret: String) -> Bool {
        guard secret.hasPrefix("whsec_"), let bytes = Data(base64Encoded: String(secret.dropFirst(6))) else { return false }
        return (24...64).contains(bytes.count)
    }
}
