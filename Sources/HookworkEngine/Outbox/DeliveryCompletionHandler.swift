import HookworkCore
public import HookworkStore

/// The final outcome of one delivery attempt, handed to the `DeliveryCompletionHandler`.
public struct DeliveryCompletion: Sendable {
    /// The delivery's id.
    public var deliveryID: Int
    /// Its message id.
    public var messageID: String
    /// The kind of call.
    public var kind: DeliveryKind
    /// Where the call came from (what the action recorded).
    public var origin: CallOrigin
    /// The delivery's state after this attempt (`delivered`, `failed` with a retry due, `exhausted`).
    public var status: DeliveryStatus
    /// The attempt's number.
    public var attempt: Int
    /// The response's status (the SMTP reply code for mail), nil when none arrived.
    public var statusCode: Int?
    /// The response's headers.
    public var responseHeaders: [(name: String, value: String)]
    /// The response's body (bounded by the sender).
    public var responseBody: [UInt8]
    /// Why the attempt failed, if it did.
    public var error: String?

    /// An outcome.
    public init(
        deliveryID: Int, messageID: String, kind: DeliveryKind, origin: CallOrigin, status: DeliveryStatus, attempt: Int, statusCode: Int?,
        responseHeaders: [(name: String, value: String)], responseBody: [UInt8], error: String?
    ) {
        self.deliveryID = deliveryID
        self.messageID = messageID
        self.kind = kind
        self.origin = origin
        self.status = status
        self.attempt = attempt
        self.statusCode = statusCode
        self.responseHeaders = responseHeaders
        self.responseBody = responseBody
        self.error = error
    }
}

/// Called after every delivery attempt's outcome is known (the Rest API output rules plug in here). Effects it adds
/// (new calls, record changes, events) are committed in the same transaction as the attempt's outcome.
public protocol DeliveryCompletionHandler: Sendable {
    /// Reacts to one attempt's outcome by adding to `effects`.
    func deliveryFinished(_ completion: DeliveryCompletion, effects: Effects) async throws
}

/// Does nothing.
public struct NoDeliveryCompletion: DeliveryCompletionHandler {
    /// A handler that does nothing.
    public init() {}
    /// Does nothing.
    public func deliveryFinished(_ completion: DeliveryCompletion, effects: Effects) async throws {}
}
