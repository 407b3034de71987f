import Foundation
public import HookworkCore
public import HookworkEngine
public import HookworkStore

/// Creating, listing, rotating and revoking stored API tokens: one set of rules for the API and the CLI. A secret is
/// returned once, when it is made; only its hash is stored, and listings never carry it.
public struct TokenAdministration: Sendable {
    let store: any Store
    let clock: any EngineClock
    /// Whether an admin token is configured in the environment (then no stored admin token is the last way in).
    let configuredAdmin: Bool

    /// Token administration over `store`.
    public init(store: any Store, clock: any EngineClock, configuredAdmin: Bool) {
        self.store = store
        self.clock = clock
        self.configuredAdmin = configuredAdmin
    }

    /// Why a change was refused; `field` names the member at fault.
    public struct Refusal: Error, Sendable {
        /// `validation_failed`, `not_found` or `last_admin_token`.
        public var code: String
        /// What is wrong and what to do.
        public var message: String
        /// The member at fault, if one is.
        public var field: String?
    }

    /// A stored token as listings show it (never the secret or its hash).
    public static func json(_ token: StoredToken) -> JSONObject {
        var object = JSONObject([("id", .int(token.id)), ("name", .string(token.name)), ("scope", .string(token.scope))])
        object["source"] = "api"
        object["created_at"] = token.createdAt.map(JSONValue.int) ?? .null
        object["last_used_at"] = token.lastUsedAt.map(JSONValue.int) ?? .null
        return object
    }

    /// Checks a token's name and scope as they arrive.
    public static func checked(name: JSONValue?, scope: JSONValue?) throws(Refusal) -> (name: String, scope: Scope) {
        guard case .string(let text)? = name, !text.trimmingCharacters(in: .whitespaces).isEmpty, text.count <= 100 else {
            throw Refusal(
                code: "validation_failed", message: "name must be a string of 1 to 100 characters, such as \"chat platform\"", field: "name")
        }
        guard case .string(let scopeText)? = scope, let parsed = Scope(rawValue: scopeText), parsed != .public else {
            throw Refusal(code: "validation_failed", message: "scope must be \"admin\" or \"ingest\"", field: "scope")
        }
        return (text, parsed)
    }

    /// Creates a token; returns it with its secret (shown this once).
    public func create(name: String, scope: Scope) async throws -> (token: StoredToken, secret: String) {
        let secret = TokenAuthenticator.newSecret()
        let token = try await store.addToken(secretHash: TokenAuthenticator.hash(secret), scope: scope.rawValue, name: name, now: clock.now())
        return (token, secret)
    }

    /// Every stored token, oldest first.
    public func list() async throws -> [StoredToken] {
        try await store.tokens()
    }

    /// Gives token `id` a new secret; the old one stops working.
    public func rotate(id: Int) async throws -> (token: StoredToken, secret: String) {
        let secret = TokenAuthenticator.newSecret()
        guard let token = try await store.rotateToken(id: id, secretHash: TokenAuthenticator.hash(secret), now: clock.now()) else {
            throw Refusal(code: "not_found", message: "token \(id) does not exist")
        }
        return (token, secret)
    }

    /// Deletes token `id`. The last admin token is kept when no admin token is configured, so that nobody is locked out.
    public func revoke(id: Int) async throws {
        let tokens = try await store.tokens()
        guard let token = tokens.first(where: { $0.id == id }) else { throw Refusal(code: "not_found", message: "token \(id) does not exist") }
        if token.scope == Scope.admin.rawValue, !configuredAdmin, tokens.filter({ $0.scope == Scope.admin.rawValue }).count == 1 {
            throw Refusal(
                code: "last_admin_token",
                message: "token \(id) is the last admin token; create another admin token (or set HOOKWORK_ADMIN_TOKEN) before revoking it")
        }
        _ = try await store.deleteToken(id: id)
    }
}
