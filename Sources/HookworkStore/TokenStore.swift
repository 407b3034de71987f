/// An API token as stored: only a hash of the secret is kept.
public struct StoredToken: Sendable, Equatable {
    /// The token's id.
    public var id: Int
    /// SHA-256 of the secret, hex.
    public var secretHash: String
    /// `admin` or `ingest`.
    public var scope: String
    /// A label for people.
    public var name: String
    /// When it was created or last rotated (unix seconds); nil for tokens stored before this was kept.
    public var createdAt: Int?
    /// When it last authorized a request (unix seconds, kept to the minute); nil if never.
    public var lastUsedAt: Int?

    /// A token record.
    public init(id: Int, secretHash: String, scope: String, name: String, createdAt: Int? = nil, lastUsedAt: Int? = nil) {
        self.id = id
        self.secretHash = secretHash
        self.scope = scope
        self.name = name
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}

/// Scoped API tokens. Only hashes are stored, so a token's secret is shown once, when it is created or rotated.
public protocol TokenStore: Sendable {
    /// Adds a token; `conflict` if the hash is already stored.
    func addToken(secretHash: String, scope: String, name: String, now: Int) async throws -> StoredToken
    /// The token whose secret hashes to this, or nil.
    func token(secretHash: String) async throws -> StoredToken?
    /// Every token, oldest first.
    func tokens() async throws -> [StoredToken]
    /// Gives token `id` a new secret (the old one stops working at once); nil if there is no such token.
    func rotateToken(id: Int, secretHash: String, now: Int) async throws -> StoredToken?
    /// Deletes token `id`; false if there was none.
    func deleteToken(id: Int) async throws -> Bool
    /// Records that token `id` authorized a request at `time`.
    func markTokenUsed(id: Int, at time: Int) async throws
    /// How many tokens exist.
    func tokenCount() async throws -> Int
}
