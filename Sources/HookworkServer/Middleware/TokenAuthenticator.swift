import Crypto
import Foundation
import HookworkEngine
import HookworkStore
import Hummingbird
import Synchronization

/// What a bearer token may do.
public enum Scope: String, Sendable, CaseIterable {
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
/// Stored tokens are cached for a few seconds, so that a token revoked by another process stops working within that
/// time; one revoked or rotated through this process stops at once. Failed attempts are counted per client address:
/// past the limit, that address gets 429 until its window ends.
final class TokenAuthenticator: Sendable {
    let store: any Store
    let clock: any EngineClock
    let configured: [String: Scope]
    let configuredNames: [(name: String, scope: Scope)]
    /// Seconds a stored token's lookup is reused.
    static let cacheSeconds = 5
    /// Seconds between two `last_used_at` writes for one token.
    static let lastUsedResolution = 60
    let cache = Mutex<[String: CachedToken]>([:])
    let lastMarked = Mutex<[Int: Int]>([:])
    let failures: FailureLimiter

    struct CachedToken: Sendable {
        var id: Int
        var scope: Scope
        var name: String
        var until: Int
    }

    init(store: any Store, clock: any EngineClock, adminToken: String?, ingestToken: String?, failureLimit: Int = 20, failureWindowSeconds: Int = 60)
    {
        self.store = store
        self.clock = clock
        var configured: [String: Scope] = [:]
        var names: [(String, Scope)] = []
        if let ingestToken {
            configured[Self.hash(ingestToken)] = .ingest
            names.append(("HOOKWORK_INGEST_TOKEN", .ingest))
        }
        if let adminToken {
            configured[Self.hash(adminToken)] = .admin
            names.append(("HOOKWORK_ADMIN_TOKEN", .admin))
        }
        self.configured = configured
        self.configuredNames = names
        self.failures = FailureLimiter(limit: failureLimit, windowSeconds: failureWindowSeconds)
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

    /// Fails unless the request carries a token whose scope allows `needed`. `client` names the caller's address
    /// for the failure limit.
    /// Checks the request's token for `needed`; the token's name (what saved a configuration version), nil for a
    /// public route.
    @discardableResult
    func authorize(_ request: Request, needed: Scope, client: String) async throws -> String? {
        guard needed != .public else { return nil }
        let now = clock.now()
        if let retry = failures.blocked(client, now: now) {
            throw APIError(
                .tooManyRequests, code: "too_many_failed_attempts",
                message: "too many requests with a missing or invalid token from this address; try again in \(retry) s",
                headers: [.retryAfter: "\(retry)"]
            )
        }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            failures.record(client, now: now)
            throw APIError(
                .unauthorized, code: "unauthorized", message: "send an API token as 'Authorization: Bearer <token>'",
                headers: [.wwwAuthenticate: "Bearer"]
            )
        }
        let secret = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let (scope, name) = try await token(of: Self.hash(secret), now: now) else {
            failures.record(client, now: now)
            throw APIError(.unauthorized, code: "unauthorized", message: "the API token is not valid", headers: [.wwwAuthenticate: "Bearer"])
        }
        guard scope.allows(needed) else {
            throw APIError(
                .forbidden, code: "forbidden", message: "this route needs an \(needed.rawValue) token; the token sent has the \(scope.rawValue) scope"
            )
        }
        return name
    }

    /// The scope of the token with this hash, or nil; notes when a stored token was last used.
    func scope(of hash: String, now: Int) async throws -> Scope? {
        try await token(of: hash, now: now)?.scope
    }

    /// The scope and name of the token with this hash (a configured one is named after its variable), or nil.
    func token(of hash: String, now: Int) async throws -> (scope: Scope, name: String)? {
        if let scope = configured[hash] {
            return (scope, configuredNames.first { $0.scope == scope }?.name ?? "configured token")
        }
        let cached = cache.withLock { cache -> CachedToken? in
            guard let entry = cache[hash] else { return nil }
            if entry.until > now { return entry }
            cache[hash] = nil
            return nil
        }
        let token: CachedToken
        if let cached {
            token = cached
        } else {
            guard let stored = try await store.token(secretHash: hash), let scope = Scope(rawValue: stored.scope) else { return nil }
            token = CachedToken(id: stored.id, scope: scope, name: stored.name, until: now + Self.cacheSeconds)
            cache.withLock { $0[hash] = token }
        }
        let due = lastMarked.withLock { marked -> Bool in
            guard (marked[token.id] ?? Int.min) + Self.lastUsedResolution <= now else { return false }
            marked[token.id] = now
            return true
        }
        if due { try? await store.markTokenUsed(id: token.id, at: now) }
        return (token.scope, token.name)
    }

    /// Forgets cached lookups of token `id` (after it was revoked or rotated here).
    func forget(tokenID id: Int) {
        cache.withLock { cache in cache = cache.filter { $0.value.id != id } }
    }

    /// With no token configured and none stored, creates an admin token and returns its secret (shown once).
    func bootstrapAdminToken() async throws -> String? {
        guard configured.isEmpty, try await store.tokenCount() == 0 else { return nil }
        let secret = Self.newSecret()
        _ = try await store.addToken(secretHash: Self.hash(secret), scope: Scope.admin.rawValue, name: "first start", now: clock.now())
        return secret
    }
}

/// Counts failed authentications per client address in fixed windows; past `limit` in one window the address is
/// refused until the window ends. Bounded: at most `maxClients` addresses are tracked (the oldest windows go first).
final class FailureLimiter: Sendable {
    let limit: Int
    let windowSeconds: Int
    let maxClients = 10_000
    let windows = Mutex<[String: (start: Int, count: Int)]>([:])

    init(limit: Int, windowSeconds: Int) {
        self.limit = limit
        self.windowSeconds = windowSeconds
    }

    /// Seconds until `client` may try again, or nil if it may now.
    func blocked(_ client: String, now: Int) -> Int? {
        windows.withLock { windows in
            guard let window = windows[client], window.start + windowSeconds > now, window.count >= limit else { return nil }
            return window.start + windowSeconds - now
        }
    }

    /// Counts one failure of `client`.
    func record(_ client: String, now: Int) {
        windows.withLock { windows in
            if let window = windows[client], window.start + windowSeconds > now {
                windows[client] = (window.start, window.count + 1)
                return
            }
            if windows.count >= maxClients {
                windows = windows.filter { $0.value.start + windowSeconds > now }
                if windows.count >= maxClients, let oldest = windows.min(by: { $0.value.start < $1.value.start })?.key { windows[oldest] = nil }
            }
            windows[client] = (now, 1)
        }
    }
}
