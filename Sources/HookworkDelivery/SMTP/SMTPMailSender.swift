import Foundation
public import HookworkEngine
public import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Why a message was not sent: the step that failed and what the server said.
public struct SMTPError: Error, Sendable, CustomStringConvertible {
    /// The step: `connect`, `greeting`, `EHLO`, `STARTTLS`, `AUTH`, `MAIL FROM`, `RCPT TO`, `DATA`, `message`.
    public var step: String
    /// The server's reply code, when it answered.
    public var code: Int?
    /// The server's reply text, or what went wrong.
    public var reply: String

    /// An error.
    public init(step: String, code: Int? = nil, reply: String) {
        self.step = step
        self.code = code
        self.reply = reply
    }

    public var description: String {
        if let code { return "SMTP \(step) refused: \(code) \(reply)" }
        return "SMTP \(step) failed: \(reply)"
    }
}

/// A small SMTP client (RFC 5321) on SwiftNIO: EHLO (HELO as fallback), STARTTLS when offered or required, AUTH PLAIN
/// or LOGIN, MAIL FROM / RCPT TO / DATA with dot-stuffing, QUIT. One connection per message; no listed package
/// speaks SMTP, so it is written here by hand.
public struct SMTPMailSender: MailSender {
    /// The server and how to talk to it.
    public let configuration: SMTPConfiguration
    let logger: Logger

    /// A sender to the server `configuration` names.
    public init(configuration: SMTPConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Sends `envelope`; throws `SMTPError` naming the step that failed, or `SMTPMessage.Invalid` for a bad address.
    public func send(_ envelope: MailEnvelope) async throws -> MailReceipt {
        let timeout = TimeAmount.seconds(Int64(configuration.timeoutSeconds))
        let (replies, continuation) = AsyncThrowingStream<SMTPReply, any Error>.makeStream()
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                        try channel.pipeline.syncOperations.addHandler(SMTPReplyCollector(continuation: continuation))
                    }
                }
                .connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw SMTPError(step: "connect", reply: "\(configuration.host):\(configuration.port): \(error)")
        }
        var session = Session(channel: channel, replies: replies.makeAsyncIterator(), timeout: timeout)
        do {
            let receipt = try await transact(envelope, session: &session)
            _ = try? await session.command("QUIT", step: "QUIT", expect: [221])
            try? await channel.close()
            logger.info("mail.sent", metadata: ["mail.recipients": "\(envelope.to.count)", "smtp.host": "\(configuration.host)"])
            return receipt
        } catch {
            try? await channel.close()
            logger.warning("mail.failed", metadata: ["smtp.host": "\(configuration.host)", "error": "\(error)"])
            throw error
        }
    }

    func transact(_ envelope: MailEnvelope, session: inout Session) async throws -> MailReceipt {
        _ = try await session.read(step: "greeting", expect: [220])
        var extensions = try await hello(session: &session)
        let offersTLS = extensions.keys.contains("STARTTLS")
        if configuration.tls == .required && !offersTLS {
            throw SMTPError(step: "STARTTLS", reply: "the server does not offer STARTTLS and the SMTP URL has tls=required")
        }
        if configuration.tls != .none && offersTLS {
            _ = try await session.command("STARTTLS", step: "STARTTLS", expect: [220])
            var tls = TLSConfiguration.makeClientConfiguration()
            if !configuration.verifyCertificate { tls.certificateVerification = .none }
            let context: NIOSSLContext
            do { context = try NIOSSLContext(configuration: tls) } catch { throw SMTPError(step: "STARTTLS", reply: "\(error)") }
            let channel = session.channel
            let serverName = configuration.host.first?.isNumber == true ? nil : configuration.host
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName), position: .first)
            }.get()
            extensions = try await hello(session: &session)
        }
        if let username = configuration.username {
            try await authenticate(username: username, password: configuration.password ?? "", extensions: extensions, session: &session)
        }
        let message = try SMTPMessage(envelope, eightBitMIME: extensions.keys.contains("8BITMIME"))
        let body = message.encoding == .eightBit ? " BODY=8BITMIME" : ""
        _ = try await session.command("MAIL FROM:<\(message.sender)>\(body)", step: "MAIL FROM", expect: [250])
        for recipient in message.recipients {
            _ = try await session.command("RCPT TO:<\(recipient)>", step: "RCPT TO <\(recipient)>", expect: [250, 251])
        }
        _ = try await session.command("DATA", step: "DATA", expect: [354])
        let accepted = try await session.send(raw: message.dataSection, step: "message", expect: [250])
        return MailReceipt(code: accepted.code, reply: accepted.text)
    }

    /// EHLO, or HELO when the server does not know EHLO; the extensions the server offers, keyword to parameters.
    func hello(session: inout Session) async throws -> [String: String] {
        let reply = try await session.command("EHLO \(configuration.heloName)", step: "EHLO", expect: [250, 500, 502])
        guard reply.code == 250 else {
            _ = try await session.command("HELO \(configuration.heloName)", step: "HELO", expect: [250])
            return [:]
        }
        var extensions: [String: String] = [:]
        for line in reply.lines.dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard let keyword = parts.first else { continue }
            extensions[keyword.uppercased()] = parts.count > 1 ? String(parts[1]) : ""
        }
        return extensions
    }

    func authenticate(username: String, password: String, extensions: [String: String], session: inout Session) async throws {
        guard let offered = extensions["AUTH"]?.uppercased().split(separator: " ").map(String.init) else {
            throw SMTPError(step: "AUTH", reply: "the server does not offer AUTH (it may require STARTTLS first); the SMTP URL has credentials")
        }
        if offered.contains("PLAIN") {
            let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            _ = try await session.command("AUTH PLAIN \(token)", step: "AUTH PLAIN", expect: [235], secret: true)
        } else if offered.contains("LOGIN") {
            _ = try await session.command("AUTH LOGIN", step: "AUTH LOGIN", expect: [334])
            _ = try await session.command(Data(username.utf8).base64EncodedString(), step: "AUTH LOGIN (user)", expect: [334], secret: true)
            _ = try await session.command(Data(password.utf8).base64EncodedString(), step: "AUTH LOGIN (password)", expect: [235], secret: true)
        } else {
            throw SMTPError(step: "AUTH", reply: "the server offers AUTH \(offered.joined(separator: " ")); Hookwork speaks PLAIN and LOGIN")
        }
    }

    /// One connection's command/reply exchange.
    struct Session {
        let channel: any Channel
        var replies: AsyncThrowingStream<SMTPReply, any Error>.AsyncIterator
        let timeout: TimeAmount

        /// Sends one command line and reads its reply.
        mutating func command(_ line: String, step: String, expect codes: Set<Int>, secret: Bool = false) async throws -> SMTPReply {
            try await send(raw: line + "\r\n", step: step, expect: codes)
        }

        mutating func send(raw text: String, step: String, expect codes: Set<Int>) async throws -> SMTPReply {
            do {
                try await channel.writeAndFlush(ByteBuffer(string: text)).get()
            } catch {
                throw SMTPError(step: step, reply: "the connection broke while sending: \(error)")
            }
            return try await read(step: step, expect: codes)
        }

        /// Reads the next reply; a reply whose code is not in `codes`, a closed connection or a timeout throws.
        mutating func read(step: String, expect codes: Set<Int>) async throws -> SMTPReply {
            let channel = channel
            let timeout = timeout
            let timer = channel.eventLoop.scheduleTask(in: timeout) {
                channel.pipeline.fireErrorCaught(SMTPError(step: step, reply: "no reply within \(timeout.nanoseconds / 1_000_000_000) s"))
            }
            defer { timer.cancel() }
            let reply: SMTPReply?
            do {
                reply = try await replies.next()
            } catch let error as SMTPError {
                throw error
            } catch {
                throw SMTPError(step: step, reply: "\(error)")
            }
            guard let reply else { throw SMTPError(step: step, reply: "the server closed the connection") }
            guard codes.contains(reply.code) else { throw SMTPError(step: step, code: reply.code, reply: reply.text) }
            return reply
        }
    }
}

/// One SMTP reply: a code and its lines (several for a multi-line reply).
struct SMTPReply: Sendable {
    var code: Int
    var lines: [String]
    var text: String { lines.joined(separator: " ") }
}

/// Splits the server's bytes into replies: lines `250-…` continue, `250 …` ends one.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply
    var pending: [String] = []

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let index = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return .needMoreData }
        let length = index - buffer.readerIndex + 1
        var bytes = buffer.readBytes(length: length) ?? []
        // Bytes, not Characters: "\r\n" is one Character in Swift.
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        let line = String(decoding: bytes, as: UTF8.self)
        guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)) else {
            throw SMTPError(step: "reply", reply: "the server sent a line that is not an SMTP reply: '\(line.prefix(80))'")
        }
        let rest = bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : ""
        pending.append(rest)
        if bytes.count > 3 && bytes[3] == UInt8(ascii: "-") { return .continue }
        let reply = SMTPReply(code: code, lines: pending)
        pending = []
        context.fireChannelRead(Self.wrapInboundOut(reply))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue, buffer.readableBytes > 0 {}
        return .needMoreData
    }
}

/// Hands replies to the waiting sender; errors and the end of the connection end the stream.
final class SMTPReplyCollector: ChannelInboundHandler {
    typealias InboundIn = SMTPReply
    let continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation

    init(continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        continuation.yield(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish(throwing: error)
        context.close(promise: nil)
    }
}
