import Foundation

/// One outbound HTTP request, fully rendered.
public struct OutboundRequest: Sendable, Equatable {
    /// `GET`, `POST`, `PUT`, `DELETE`, ...
    public var method: String
    /// The absolute URL, query included.
    public var url: String
    /// Header fields in order.
    public var headers: [(name: String, value: String)]
    /// The body bytes, if any.
    public var body: [UInt8]?
    /// The whole call's time limit in seconds (the Rest API's `max_execution_time`).
    public var timeoutSeconds: Int
    /// Whether the server's TLS certificate is checked (DESIGN §5 deviation 6).
    public var verifyTLS: Bool
    /// Whether redirects are followed (a Rest API's `follow_redirects`, off by default); each hop is checked against
    /// the outbound address policy again.
    public var followRedirects: Bool

    /// A request.
    public init(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        timeoutSeconds: Int = 10, verifyTLS: Bool = true, followRedirects: Bool = false
    ) {
        self.followRedirects = followRedirects
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutSeconds = timeoutSeconds
        self.verifyTLS = verifyTLS
    }

    public static func == (lhs: OutboundRequest, rhs: OutboundRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body && lhs.timeoutSeconds == rhs.timeoutSeconds
            && lhs.verifyTLS == rhs.verifyTLS && lhs.followRedirects == rhs.followRedirects && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}

/// What the receiver answered.
public struct OutboundResponse: Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// The header fields in order (`Retry-After` is read from them).
    public var headers: [(name: String, value: String)]
    /// The body, possibly truncated by the sender.
    public var body: [UInt8]

    /// A response.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    public static func == (lhs: OutboundResponse, rhs: OutboundResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}

/// An error a sender throws when retrying the same request cannot help (the outbound address policy refused it).
public protocol UnretryableSendError: Error {}

/// Sends outbound HTTP requests; HookworkDelivery implements it on AsyncHTTPClient.
public protocol HTTPSender: Sendable {
    /// Sends `request` and returns the response; throws when no response arrived (connection, timeout, TLS).
    func send(_ request: OutboundRequest) async throws -> OutboundResponse
}

/// The current time as unix seconds; injected so that tests can pin it.
public protocol EngineClock: Sendable {
    /// Seconds since 1970.
    func now() -> Int
}

/// The system's wall clock.
public struct WallClock: EngineClock {
    /// The system clock.
    public init() {}

    /// Seconds since 1970, from the system clock.
    public func now() -> Int {
        Int(Date().timeIntervalSince1970)
    }
}
