/// What the engine's configuration catalog needs beyond reading records: a cheap way to tell that a webhook,
/// trigger, Rest API or calendar changed, in this process or another.
public protocol ConfigurationStore: Sendable {
    /// A number that moves on every write of a webhook, trigger, Rest API or calendar (0 before the first one).
    func configurationRevision() async throws -> Int
}
