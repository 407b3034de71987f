import Crypto
import Foundation
import HookworkStore
import Hummingbird
import Synchronization

/// What a bearer token may do.
public enum Scope: String, Sendable {
    /// No token needed (`/health`, `/metrics`, the OpenAPI document).
    case `public`
    /// Events and chat state.
    case ingest
    /// Everything.
    case admin

    func allows(_ needed: Scope) -> Bool {
        switch needed {
        case .public: return true
        case .ingest: return self == .ingest || self == .admin
        case .admin: return self == .admin
        }
    }
}

/// Checks bearer tokens: the configured ones (kept as hashes in memory) and the stored ones (SHA-256 hashes only).
final class TokenAuthenticator: Sendable {
    let store: any Store
    let configured: [String: Scope]
    let cache = Mutex<[String: Scope]>([:])

    init(store: any Store, adminToken: String?, ingestToken: String?) {
        self.store = store
        var configured: [String: Scope] = [:]
        if let ingestToken { configured[Self.hash(ingestToken)] = .ingest }
        if let adminToken { configured[Self.hash(adminToken)] = .admin }
        self.configured = configured
    }

    /// SHA-256 of a secret, lowercase hex.
    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A new random secret: `hwk_` and 32 random bytes in hex.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "hwk_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Fails unless the request carries a token whose scope allows `needed`.
    func authorize(_ request: Request, needed: Scope) async throws {
        guard needed != .public else { return }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError(
                .unauthorized, code: "unauthorized", message: "send an API token as 'Authorization: Bearer <token>'",
                headers: [.wwwAuthenticate: "Bearer"]
            )
        }
        let secret = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        let hash = Self.hash(secret)
        var scope = configured[hash] ?? cache.withLock { $0[hash] }
        if scope == nil, let stored = try await store.token(secretHash: hash), let storedScope = Scope(rawValue: stored.scope) {
            scope = storedScope
            cache.withLock { $0[hash] = storedScope }
        }
        guard let scope else {
            throw APIError(.unauthorized, code: "unauthorized", message: "the API token is not valid", headers: [.wwwAuthenticate: "Bearer"])
        }
        guard scope.allows(needed) else {
            throw APIError(
                .forbidden, code: "forbidden", message: "this route needs an \(needed.rawValue) token; the token sent has the \(scope.rawValue) scope"
            )
        }
    }

    /// With no token configured and none stored, creates an admin token and returns its secret (shown once).
    func bootstrapAdminToken() async throws -> String? {
        guard configured.isEmpty, try await store.tokenCount() == 0 else { return nil }
        let secret = Self.newSecret()
        _ = try await store.addToken(secretHash: Self.hash(secret), scope: Scope.admin.rawValue, name: "first start")
        return secret
    }
}
