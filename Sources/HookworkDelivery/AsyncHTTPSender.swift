import AsyncHTTPClient
public import HookworkEngine
public import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
public import ServiceLifecycle

/// Sends the engine's outbound calls with AsyncHTTPClient: connect timeout 5 s (spec §8.3), the whole call bounded
/// by the request's `max_execution_time`, redirects followed, TLS verified unless the Rest API switches it off.
///
/// A ServiceLifecycle service only to close its connection pools after the workers that use it have stopped.
public final class AsyncHTTPSender: HTTPSender, Service {
    let verifying: HTTPClient
    let nonVerifying: HTTPClient
    let logger: Logger
    /// Responses are read up to this many bytes.
    public let maxResponseBytes: Int

    /// A sender with its own connection pools on the shared event loop group.
    public init(logger: Logger, maxResponseBytes: Int = 1 << 20) {
        let timeout = HTTPClient.Configuration.Timeout(connect: .seconds(5))
        var configuration = HTTPClient.Configuration(redirectConfiguration: .follow(max: 5, allowCycles: false), timeout: timeout)
        self.verifying = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var insecure = TLSConfiguration.makeClientConfiguration()
        insecure.certificateVerification = .none
        configuration.tlsConfiguration = insecure
        self.nonVerifying = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.logger = logger
        self.maxResponseBytes = maxResponseBytes
    }

    /// Sends `request`; throws when no response arrived in time.
    public func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        var outbound = HTTPClientRequest(url: request.url)
        outbound.method = HTTPMethod(rawValue: request.method)
        outbound.headers.add(name: "User-Agent", value: "Hookwork")
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
