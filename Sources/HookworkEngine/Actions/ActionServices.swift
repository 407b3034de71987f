/// What the actions beyond `restapi` need from outside the engine: the default sender of e-mails and the way back into
/// hook dispatch for the events actions raise. (Their calls, e-mails and callback commands go into the outbox.)
public struct ActionServices: Sendable {
    /// The sender address when a `mail` action sets none (`HOOKWORK_MAIL_FROM`).
    public var mailFrom: String?
    /// Runs the hook webhooks of events that actions raise; nil raises none.
    public var events: RaisedEvents?

    /// Services; by default none.
    public init(
        mailFrom: String? = nil, events: RaisedEvents? = nil
    ) {
        self.mailFrom = mailFrom
        self.events = events
    }
}
