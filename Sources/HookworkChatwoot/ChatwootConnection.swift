public import HookworkCore
public import HookworkEngine

/// One Chatwoot account connected to Hookwork (`PUT /api/v1/connections/{id}`):
/// `{"platform": "chatwoot", "base_url", "account_id", "api_access_token", "bot_access_token"?, "webhook_secret",
/// "departments": {"team:2": 3, "inbox:7": 1}, "bot_id"?, "pending_is_bot"?}`.
public struct ChatwootConnection: Sendable, Equatable {
    /// Chatwoot's address (`https://chat.acme.example`), for the API calls of later work.
    public var baseURL: String
    /// The Chatwoot account id.
    public var accountID: Int
    /// An administrator's access token (reads, contacts).
    public var apiAccessToken: String
    /// The adapter's agent bot token (writes), if set.
    public var botAccessToken: String?
    /// The account webhook's secret: the HMAC key of `X-Chatwoot-Signature`.
    public var webhookSecret: String
    /// Team (`team:ID`) or inbox (`inbox:ID`) → Hookwork department id; a team's entry wins over its inbox's.
    public var departments: [String: Int]
    /// The adapter's agent bot id: its messages are Hookwork's own (echoes), even without the marker.
    public var botID: Int?
    /// Whether `pending` means "with the bot" (status 5, Chatwoot's bot inboxes); false maps it to pending (0).
    public var pendingIsBot: Bool

    /// The members holding credentials: write-only, read back as `SecretMask.placeholder`.
    public static let secretFields = ["api_access_token", "bot_access_token", "webhook_secret"]
    static let knownFields: Set<String> = [
        "id", "platform", "base_url", "account_id", "api_access_token", "bot_access_token", "webhook_secret", "departments", "bot_id",
        "pending_is_bot",
    ]
    /// At most this many department mappings.
    public static let maximumDepartments = 1000

    /// A connection.
    public init(
        baseURL: String, accountID: Int, apiAccessToken: String, botAccessToken: String? = nil, webhookSecret: String,
        departments: [String: Int] = [:], botID: Int? = nil, pendingIsBot: Bool = true
    ) {
        self.baseURL = baseURL
        self.accountID = accountID
        self.apiAccessToken = apiAccessToken
        self.botAccessToken = botAccessToken
        self.webhookSecret = webhookSecret
        self.departments = departments
        self.botID = botID
        self.pendingIsBot = pendingIsBot
    }

    /// A connection document checked member by member; throws naming the member at fault.
    public init(document: JSONObject) throws(PlatformRefusal) {
        for (key, _) in document where !Self.knownFields.contains(key) {
            throw .invalid(
                "unknown member '\(key)'; a Chatwoot connection has platform, base_url, account_id, api_access_token, bot_access_token, "
                    + "webhook_secret, departments, bot_id, pending_is_bot", field: key)
        }
        guard document["platform"]?.stringValue == "chatwoot" else {
            throw .invalid("platform must be \"chatwoot\" (the only platform with an adapter so far)", field: "platform")
        }
        guard let url = document["base_url"]?.stringValue, url.count <= 2048, Self.isHTTPURL(url) else {
            throw .invalid("base_url must be Chatwoot's http:// or https:// address, such as https://chat.example.com", field: "base_url")
        }
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        guard let account = Self.positive(document["account_id"]) else {
            throw .invalid("account_id must be a positive integer (Chatwoot's account id, as in /app/accounts/3/...)", field: "account_id")
        }
        accountID = account
        apiAccessToken = try Self.secret(document, "api_access_token", required: true) ?? ""
        botAccessToken = try Self.secret(document, "bot_access_token", required: false)
        webhookSecret = try Self.secret(document, "webhook_secret", required: true) ?? ""
        departments = [:]
        switch document["departments"] {
        case nil, .null?: break
        case .object(let map)?:
            guard map.count <= Self.maximumDepartments else {
                throw .invalid("departments has more than \(Self.maximumDepartments) entries", field: "departments")
            }
            for (key, value) in map {
                let parts = key.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 2, parts[0] == "team" || parts[0] == "inbox", let id = Int(parts[1]), id > 0, String(id) == parts[1] else {
                    throw .invalid(
                        "departments keys are \"team:ID\" or \"inbox:ID\" (Chatwoot ids); got \"\(key.prefix(80))\"",
                        field: "departments.\(key.prefix(80))")
                }
                guard let department = Self.positive(value) else {
                    throw .invalid("departments.\(key) must be a positive integer (a Hookwork department id)", field: "departments.\(key)")
                }
                departments[key] = department
            }
        default: throw .invalid("departments must be an object such as {\"team:2\": 3, \"inbox:7\": 1}", field: "departments")
        }
        switch document["bot_id"] {
        case nil, .null?: botID = nil
        case let value?:
            guard let id = Self.positive(value) else { throw .invalid("bot_id must be a positive integer (the agent bot's id)", field: "bot_id") }
            botID = id
        }
        switch document["pending_is_bot"] {
        case nil, .null?: pendingIsBot = true
        case .bool(let flag)?: pendingIsBot = flag
        default: throw .invalid("pending_is_bot must be true or false", field: "pending_is_bot")
        }
    }

    /// The document as stored (secrets included).
    public var document: JSONObject {
        var object = JSONObject([
            ("platform", "chatwoot"), ("base_url", .string(baseURL)), ("account_id", .int(accountID)),
            ("api_access_token", .string(apiAccessToken)),
        ])
        object["bot_access_token"] = botAccessToken.map(JSONValue.string) ?? .null
        object["webhook_secret"] = .string(webhookSecret)
        object["departments"] = .object(JSONObject(departments.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }))
        object["bot_id"] = botID.map(JSONValue.int) ?? .null
        object["pending_is_bot"] = .bool(pendingIsBot)
        return object
    }

    /// `document` as it reads back: every secret that is set replaced by `SecretMask.placeholder`.
    public static func masked(_ document: JSONObject) -> JSONObject {
        var document = document
        for field in secretFields where !(document[field]?.stringValue ?? "").isEmpty { document[field] = .string(SecretMask.placeholder) }
        return document
    }

    /// `incoming` with each secret that reads `SecretMask.placeholder` replaced by the stored one (saving a connection as
    /// it read back keeps its secrets); a placeholder with no stored secret stays as written.
    public static func restoringSecrets(_ incoming: JSONObject, stored: JSONObject?) -> JSONObject {
        guard let stored else { return incoming }
        var document = incoming
        for field in secretFields where incoming[field]?.stringValue == SecretMask.placeholder {
            if let old = stored[field], !(old.stringValue ?? "").isEmpty { document[field] = old }
        }
        return document
    }

    /// The Hookwork department of a conversation in `team` (0 = none) and `inbox`: the team's mapping, else the
    /// inbox's, else 0.
    public func department(team: Int, inbox: Int) -> Int {
        if team > 0, let mapped = departments["team:\(team)"] { return mapped }
        if inbox > 0, let mapped = departments["inbox:\(inbox)"] { return mapped }
        return 0
    }

    static func secret(_ document: JSONObject, _ field: String, required: Bool) throws(PlatformRefusal) -> String? {
        switch document[field] {
        case nil, .null?:
            if required { throw .invalid("\(field) is required (a non-empty string)", field: field) }
            return nil
        case .string(let text)?:
            guard !text.isEmpty, text.utf8.count <= 512, !text.contains(where: { $0.isNewline }) else {
                throw .invalid("\(field) must be a non-empty string of at most 512 bytes without line breaks", field: field)
            }
            if text == SecretMask.placeholder {
                throw .invalid(
                    "\(field) reads \(SecretMask.placeholder), the masked placeholder, and no secret is stored; send the secret itself", field: field)
            }
            return text
        default: throw .invalid("\(field) must be a string", field: field)
        }
    }

    static func positive(_ value: JSONValue?) -> Int? {
        switch value {
        case .int(let number)? where number > 0: return number
        case .string(let text)? where text.count <= 18: return Int(text).flatMap { $0 > 0 ? $0 : nil }
        default: return nil
        }
    }

    static func isHTTPURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            rest = text.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            rest = text.dropFirst(7)
        } else {
            return false
        }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty && !text.contains(where: { $0.isWhitespace || $0.isNewline })
    }
}
