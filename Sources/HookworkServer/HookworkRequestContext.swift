public import Hummingbird
public import NIOCore

/// The request context of every Hookwork route.
public struct HookworkRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's core storage.
    public var coreContext: CoreRequestContextStorage
    /// The connected client's address (nil when there is no socket, as in router tests).
    public let remoteAddress: SocketAddress?
    /// The name of the token that authorized the request (nil on public routes).
    public var tokenName: String?

    /// A context for one request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address as text, for per-client limits; `local` without a socket.
    var clientAddress: String {
        remoteAddress?.ipAddress ?? "local"
    }
}
