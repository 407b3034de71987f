/// One e-mail, fully rendered: what the `mail` action produces and what a `MailSender` transmits.
public struct MailEnvelope: Sendable, Equatable {
    /// The sender address (`MAIL FROM` and the `From` header).
    public var from: String
    /// A display name for `From`, if any.
    public var fromName: String?
    /// Recipient addresses (`RCPT TO` and the `To` header).
    public var to: [String]
    /// The `Reply-To` address, if any.
    public var replyTo: String?
    /// The subject, UTF-8.
    public var subject: String
    /// The plain-text body, UTF-8.
    public var body: String
    /// Extra header fields, in order (a `Message-ID` is added by the sender when absent).
    public var headers: [(name: String, value: String)]

    /// An e-mail.
    public init(
        from: String, fromName: String? = nil, to: [String], replyTo: String? = nil, subject: String, body: String,
        headers: [(name: String, value: String)] = []
    ) {
        self.from = from
        self.fromName = fromName
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.body = body
        self.headers = headers
    }

    public static func == (lhs: MailEnvelope, rhs: MailEnvelope) -> Bool {
        lhs.from == rhs.from && lhs.fromName == rhs.fromName && lhs.to == rhs.to && lhs.replyTo == rhs.replyTo
            && lhs.subject == rhs.subject && lhs.body == rhs.body && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}

/// What the mail server answered when it accepted a message.
public struct MailReceipt: Sendable, Equatable {
    /// The final reply code of the transaction (250 when accepted).
    public var code: Int
    /// The server's reply text.
    public var reply: String

    /// A receipt.
    public init(code: Int, reply: String) {
        self.code = code
        self.reply = reply
    }
}

/// Sends e-mail; HookworkDelivery implements it over SMTP.
public protocol MailSender: Sendable {
    /// Transmits `envelope`; throws when the server refused it or could not be reached. The error's description says
    /// which step failed (connect, STARTTLS, AUTH, MAIL FROM, RCPT TO, DATA) and the server's reply.
    func send(_ envelope: MailEnvelope) async throws -> MailReceipt
}
