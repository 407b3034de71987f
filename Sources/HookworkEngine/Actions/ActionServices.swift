/// What the actions beyond `restapi` need from outside the engine: the default sender of e-mails and the way back into
/// hook dispatch for the events actions raise. (Their calls, e-mails and callback commands go into the outbox.)
public struct ActionServices: Sendable {
    /// The sender address when a `mail` action sets none (`HOOKWORK_MAIL_FROM`).
    public var mailFrom: String?
    /// Whether the events that actions raise run their hook webhooks (`RaisedEvents`); off, none are raised.
    public var raisesEvents: Bool

    /// Services; by default none.
    public init(mailFrom: String? = nil, raisesEvents: Bool = false) {
        self.mailFrom = mailFrom
        self.raisesEvents = raisesEvents
    }
}
