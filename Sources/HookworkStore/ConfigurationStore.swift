/// What the engine's configuration catalog needs beyond reading records: a cheap way to tell that a webhook,
/// trigger or Rest API changed, in this process or another.
public protocol ConfigurationStore: Sendable {
    /// A number that moves on every write of a webhook, trigger or Rest API (0 before the first one).
    func configurationRevision() async throws -> Int
}
