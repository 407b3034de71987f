import Foundation
import HookworkCore

extension ConfigurationValidator {
    /// Members of a Rest API method that hold text (or are absent).
    static let restMethodTextMembers = [
        "method", "suburl", "body_raw", "body_request_type", "body_request_type_content", "authorization", "auth_username", "auth_password",
        "auth_bearer", "auth_api_key_name", "auth_api_key_key", "api_key_location",
    ]
    /// Members of a Rest API method that hold lists of objects (or are absent).
    static let restMethodListMembers = ["header", "query", "postparams", "userparams", "output", "conditions"]

    /// Checks the types of a Rest API method's members, naming the member: text members are strings, list members
    /// lists of objects, so that a `"method": 5` or `"header": 5` is refused instead of silently becoming a GET
    /// without headers.
    func checkRestMethodTypes(_ method: JSONObject, prefix: String) throws {
        for member in Self.restMethodTextMembers {
            switch method[member] {
            case nil, .null?, .string?: continue
            default: throw ValidationFailure(field: "\(prefix).\(member)", message: "\(prefix).\(member) must be text")
            }
        }
        for member in Self.restMethodListMembers {
            switch method[member] {
            case nil, .null?: continue
            case .array(let items)?:
                for (index, item) in items.enumerated() where item.objectValue == nil {
                    throw ValidationFailure(field: "\(prefix).\(member)[\(index)]", message: "\(prefix).\(member)[\(index)] must be an object")
                }
            default: throw ValidationFailure(field: "\(prefix).\(member)", message: "\(prefix).\(member) must be a list")
            }
        }
        for member in ["header", "query", "postparams"] {
            for (index, item) in (method[member]?.arrayValue ?? []).enumerated() {
                for key in ["key", "value"] {
                    switch item[key] {
                    case nil, .null?, .string?, .int?, .double?, .bool?: continue
                    default:
                        throw ValidationFailure(
                            field: "\(prefix).\(member)[\(index)].\(key)", message: "\(prefix).\(member)[\(index)].\(key) must be text")
                    }
                }
                if let name = item["key"]?.stringValue, Self.hasLineBreak(name) {
                    throw ValidationFailure(field: "\(prefix).\(member)[\(index)].key", message: "a name must not contain a line break")
                }
            }
        }
    }

    /// A flag of a Rest API configuration: true or false (1 and 0 as the reference's forms send them).
    func checkFlag(_ value: JSONValue?, field: String) throws {
        switch value {
        case nil, .null?, .bool?: return
        case .int(let number)? where number == 0 || number == 1: return
        case .string(let text)? where text == "0" || text == "1" || text.isEmpty: return
        default: throw ValidationFailure(field: field, message: "\(field) must be true or false")
        }
    }

    /// The authority of an http(s) URL without its user info: empty when the URL names no host (`http://`).
    static func urlHost(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return "" }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        return String(host)
    }

    /// Whether `text` holds a CR or LF (looked for in bytes: "\r\n" is one Character in Swift).
    static func hasLineBreak(_ text: String) -> Bool {
        text.utf8.contains { $0 == 13 || $0 == 10 }
    }

    /// A mail header member (recipient, subject, sender): text without line breaks, so that nothing can add a
    /// header such as `Bcc:` to the message.
    static func checkHeaderText(_ text: String, field: String) throws {
        if hasLineBreak(text) {
            throw ValidationFailure(field: field, message: "\(field) must not contain a line break (it becomes a mail header)")
        }
    }
}
