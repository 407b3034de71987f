/// What the actions beyond `restapi` need from outside the engine: a mailer, the platform's callback, and the way
/// back into hook dispatch for the events actions raise. Everything is optional; an action whose service is missing
/// reports `failed` with the setting to make.
public struct ActionServices: Sendable {
    /// Sends the `mail` action's e-mail (`HOOKWORK_SMTP_URL`).
    public var mailSender: (any MailSender)?
    /// The sender address when a `mail` action sets none (`HOOKWORK_MAIL_FROM`).
    public var mailFrom: String?
    /// Receives the commands of actions that change a chat (`HOOKWORK_CALLBACK_URL`).
    public var commandSink: (any ChatCommandSink)?
    /// Runs the hook webhooks of events that actions raise; nil raises none.
    public var events: RaisedEvents?

    /// Services; by default none.
    public init(
        mailSender: (any MailSender)? = nil, mailFrom: String? = nil, commandSink: (any ChatCommandSink)? = nil, events: RaisedEvents? = nil
    ) {
        self.mailSender = mailSender
        self.mailFrom = mailFrom
        self.commandSink = commandSink
        self.events = events
    }
}
