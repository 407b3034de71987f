import Foundation

/// Secrets are write-only (README, "Secrets"): what reads back from the API, the admin page, the delivery log and
/// event answers has every credential replaced by `SecretMask.placeholder`, and saving that placeholder back keeps
/// the stored secret.
public enum SecretMask {
    /// What a masked secret reads as.
    public static let placeholder = "********"

    /// The Rest API method members that hold credentials.
    static let methodSecretFields = ["auth_password", "auth_bearer", "auth_api_key_key"]

    /// Whether a header, query parameter or form field of this name carries a credential.
    public static func isSecretName(_ name: String) -> Bool {
        let lower = name.lowercased()
        if ["authorization", "proxy-authorization", "cookie", "set-cookie", "key", "sig", "code", "auth"].contains(lower) { return true }
        return ["token", "secret", "password", "passwd", "api-key", "apikey", "api_key", "signature", "credential", "session"].contains {
            lower.contains($0)
        }
    }

    /// `url` with the password of its user-info and the values of credential query parameters masked.
    public static func maskURL(_ url: String) -> String {
        var text = url
        if let schemeEnd = text.range(of: "://") {
            let authorityStart = schemeEnd.upperBound
            let authorityEnd = text[authorityStart...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? text.endIndex
            if let at = text[authorityStart..<authorityEnd].lastIndex(of: "@") {
                let userInfo = text[authorityStart..<at]
                let user = userInfo.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
                text.replaceSubrange(authorityStart..<at, with: userInfo.contains(":") ? "\(user):\(placeholder)" : placeholder)
            }
        }
        guard let question = text.firstIndex(of: "?") else { return text }
        let fragmentStart = text[question...].firstIndex(of: "#") ?? text.endIndex
        let query = text[text.index(after: question)..<fragmentStart]
        let masked = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
            let name = String(pair[..<equals]).removingPercentEncodingLoosely
            return isSecretName(name) ? "\(pair[..<equals])=\(placeholder)" : String(pair)
        }
        return String(text[...question]) + masked.joined(separator: "&") + String(text[fragmentStart...])
    }

    /// A Rest API document as it reads back: method credentials, credential headers and query values (and header
    /// items marked `"secret": true`), the host's user-info password and the signing secrets masked.
    public static func maskRestAPI(_ document: JSONObject) -> JSONObject {
        var document = document
        guard case .object(var configuration)? = document["configuration"] else { return document }
        if let host = configuration["host"]?.stringValue { configuration["host"] = .string(maskURL(host)) }
        if case .array(let secrets)? = configuration["signing_secrets"] {
            configuration["signing_secrets"] = .array(secrets.map { $0.isNull ? $0 : .string(placeholder) })
        }
        if case .array(let methods)? = configuration["parameters"] {
            configuration["parameters"] = .array(
                methods.map { method in
                    guard case .object(var object) = method else { return method }
                    for field in methodSecretFields where !(object[field]?.stringValue ?? "").isEmpty { object[field] = .string(placeholder) }
                    for list in ["header", "query", "postparams"] {
                        guard case .array(let items)? = object[list] else { continue }
                        object[list] = .array(
                            items.map { item in
                                guard case .object(var pair) = item, isSecretItem(pair, list: list) else { return item }
                                if !(pair["value"].flatMap(PHPText.scalarText) ?? "").isEmpty { pair["value"] = .string(placeholder) }
                                return .object(pair)
                            })
                    }
                    return .object(object)
                })
        }
        document["configuration"] = .object(configuration)
        return document
    }

    /// `incoming` with every masked placeholder replaced by the secret stored at the same place in `stored` (methods by
    /// `id`, items by `key`, signing secrets by position); a placeholder with no stored counterpart stays as written.
    public static func restoreRestAPI(_ incoming: JSONObject, stored: JSONObject?) -> JSONObject {
        guard let stored, case .object(let old)? = stored["configuration"], case .object(var configuration)? = incoming["configuration"] else {
            return incoming
        }
        var document = incoming
        if let host = configuration["host"]?.stringValue, let oldHost = old["host"]?.stringValue, host.contains(placeholder),
            host == maskURL(oldHost)
        {
            configuration["host"] = .string(oldHost)
        }
        if case .array(let secrets)? = configuration["signing_secrets"] {
            let oldSecrets = old["signing_secrets"]?.arrayValue ?? []
            configuration["signing_secrets"] = .array(
                secrets.enumerated().map { index, secret in
                    secret.stringValue == placeholder && index < oldSecrets.count ? oldSecrets[index] : secret
                })
        }
        let oldMethods = (old["parameters"]?.arrayValue ?? []).compactMap(\.objectValue)
        if case .array(let methods)? = configuration["parameters"] {
            configuration["parameters"] = .array(
                methods.enumerated().map { index, method in
                    guard case .object(var object) = method else { return method }
                    let id = object["id"].flatMap(PHPText.scalarText)
                    guard
                        let previous = oldMethods.first(where: { id != nil && $0["id"].flatMap(PHPText.scalarText) == id })
                            ?? (index < oldMethods.count ? oldMethods[index] : nil)
                    else { return method }
                    for field in methodSecretFields where object[field]?.stringValue == placeholder { object[field] = previous[field] }
                    for list in ["header", "query", "postparams"] {
                        guard case .array(let items)? = object[list] else { continue }
                        let oldItems = (previous[list]?.arrayValue ?? []).compactMap(\.objectValue)
                        object[list] = .array(
                            items.map { item in
                                guard case .object(var pair) = item, pair["value"]?.stringValue == placeholder,
                                    let key = pair["key"].flatMap(PHPText.scalarText),
                                    let before = oldItems.first(where: { $0["key"].flatMap(PHPText.scalarText) == key })
                                else { return item }
                                pair["value"] = before["value"]
                                return .object(pair)
                            })
                    }
                    return .object(object)
                })
        }
        document["configuration"] = .object(configuration)
        return document
    }

    /// Whether a header, query or form item holds a credential: by its name, or marked `"secret": true`.
    static func isSecretItem(_ item: JSONObject, list: String) -> Bool {
        if let flag = item["secret"], PHPLoose.isTruthyValue(flag) { return true }
        guard let key = item["key"].flatMap(PHPText.scalarText) else { return false }
        return isSecretName(key)
    }
}

extension String {
    /// Percent-decoding of a query name, leaving malformed escapes as written.
    fileprivate var removingPercentEncodingLoosely: String {
        var bytes: [UInt8] = []
        var iterator = Array(utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2, let high = Self.hex(iterator[iterator.startIndex]),
                let low = Self.hex(iterator[iterator.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
