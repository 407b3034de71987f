import AsyncHTTPClient
public import HookworkEngine
public import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
public import ServiceLifecycle

/// Sends the engine's outbound calls with AsyncHTTPClient: connect timeout 5 s (spec §8.3), the whole call bounded
/// by the request's `max_execution_time`, TLS verified unless the Rest API switches it off.
///
/// Every call passes the outbound address policy first: the host is resolved and each address it resolves to is
/// checked, and the call then connects to the checked address (plain HTTP, or HTTPS without verification: the URL
/// names the address and `Host` the name). With TLS verification on, the name is resolved again by the client, and a
/// rebinding between the two lookups meets a certificate that does not name the attacker's host. Redirects are
/// followed only when the request asks, at most 5 hops, each checked again.
///
/// A ServiceLifecycle service only to close its connection pools after the workers that use it have stopped.
public final class AsyncHTTPSender: HTTPSender, Service {
    let verifying: HTTPClient
    let nonVerifying: HTTPClient
    let logger: Logger
    /// Responses are read up to this many bytes.
    public let maxResponseBytes: Int
    /// Where calls may connect.
    public let addressPolicy: OutboundAddressPolicy
    /// The most redirects a call follows.
    static let maxRedirects = 5

    /// A sender with its own connection pools on the shared event loop group; by default only public addresses.
    public init(logger: Logger, maxResponseBytes: Int = 1 << 20, addressPolicy: OutboundAddressPolicy = OutboundAddressPolicy()) {
        let timeout = HTTPClient.Configuration.Timeout(connect: .seconds(5))
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: timeout)
        self.verifying = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var insecure = TLSConfiguration.makeClientConfiguration()
        insecure.certificateVerification = .none
        configuration.tlsConfiguration = insecure
        self.nonVerifying = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.logger = logger
        self.maxResponseBytes = maxResponseBytes
        self.addressPolicy = addressPolicy
    }

    /// Sends `request`; throws when no response arrived in time, or `OutboundBlocked` when the policy refuses it.
    public func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        var current = request
        var hops = 0
        while true {
            let response = try await sendOnce(current)
            guard request.followRedirects, [301, 302, 303, 307, 308].contains(response.status), hops < Self.maxRedirects,
                let location = response.header("Location"), let next = OutboundURL.resolve(location, against: current.url)
            else { return response }
            hops += 1
            if response.status == 303 || ([301, 302].contains(response.status) && current.method == "POST") {
                current.method = "GET"
                current.body = nil
            }
            current.url = next
        }
    }

    /// One request, after the address check.
    func sendOnce(_ request: OutboundRequest) async throws -> OutboundResponse {
        guard let target = OutboundURL(request.url) else { throw OutboundURL.Invalid(url: request.url) }
        var url = request.url
        var hostHeader: String?
        if !addressPolicy.allows(host: target.host) {
            let host = target.host
            let addresses = try await NIOThreadPool.singleton.runIfActive { HostResolver.addresses(of: host) }
            guard let first = addresses.first else { throw OutboundURL.Unresolved(host: target.host) }
            for address in addresses {
                if let range = addressPolicy.refusal(for: address) {
                    throw OutboundBlocked(host: target.host, address: address.description, range: range)
                }
            }
            if target.scheme == "http" || !request.verifyTLS {
                url = target.replacingHost(with: first)
                hostHeader = target.authorityHost
            }
        }
        var outbound = HTTPClientRequest(url: url)
        outbound.method = HTTPMethod(rawValue: request.method)
        outbound.headers.add(name: "User-Agent", value: "Hookwork")
        if let hostHeader, !request.headers.contains(where: { $0.name.lowercased() == "host" }) {
            outbound.headers.add(name: "Host", value: hostHeader)
        }
        for header in request.headers { outbound.headers.add(name: header.name, value: header.value) }
        if let body = request.body { outbound.body = .bytes(ByteBuffer(bytes: body)) }
        let client = request.verifyTLS ? verifying : nonVerifying
        let deadline = NIODeadline.now() + .seconds(Int64(request.timeoutSeconds))
        let response = try await client.execute(outbound, deadline: deadline, logger: logger)
        var collected: [UInt8] = []
        for try await chunk in response.body {
            if collected.count < maxResponseBytes {
                collected.append(contentsOf: chunk.readableBytesView.prefix(maxResponseBytes - collected.count))
            }
        }
        return OutboundResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: collected)
    }

    /// Waits for graceful shutdown, then closes the connection pools.
    public func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }

    /// Closes the connection pools.
    public func shutdown() async throws {
        try await verifying.shutdown()
        try await nonVerifying.shutdown()
    }
}
