import Foundation

/// Where and how e-mail is sent: `HOOKWORK_SMTP_URL`, e.g. `smtp://user:pass@mail.example.com:587?tls=starttls`.
public struct SMTPConfiguration: Sendable, Equatable {
    /// When the connection is encrypted.
    public enum TLSMode: String, Sendable {
        /// Never: plain text (a server on loopback, a relay in the same host).
        case none
        /// STARTTLS when the server offers it, plain text otherwise (the default).
        case starttls
        /// STARTTLS, and refuse to send when the server does not offer it.
        case required
    }

    /// The server's host name or address.
    public var host: String
    /// The server's port (default 25).
    public var port: Int
    /// The user name for AUTH, if any.
    public var username: String?
    /// The password for AUTH, if any (never logged).
    public var password: String?
    /// The TLS mode.
    public var tls: TLSMode
    /// Whether the server's certificate is checked (`verify=false` switches it off, for a test server).
    public var verifyCertificate: Bool
    /// The name sent with EHLO.
    public var heloName: String
    /// Seconds to wait for each reply of the server (connect included).
    public var timeoutSeconds: Int

    /// A configuration.
    public init(
        host: String, port: Int = 25, username: String? = nil, password: String? = nil, tls: TLSMode = .starttls,
        verifyCertificate: Bool = true, heloName: String = "localhost", timeoutSeconds: Int = 30
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.tls = tls
        self.verifyCertificate = verifyCertificate
        self.heloName = heloName
        self.timeoutSeconds = timeoutSeconds
    }

    /// Why an SMTP URL could not be read.
    public struct Invalid: Error, CustomStringConvertible {
        /// What is wrong and what is expected.
        public var reason: String
        public var description: String { reason }
    }

    /// Reads `smtp://[user[:password]@]host[:port][?tls=none|starttls|required&verify=false&helo=NAME&timeout=S]`;
    /// user and password are percent-decoded.
    public init(url text: String) throws {
        guard let components = URLComponents(string: text), components.scheme?.lowercased() == "smtp" else {
            throw Invalid(reason: "expected smtp://[user:password@]host[:port][?tls=none|starttls|required], got '\(Self.redacted(text))'")
        }
        guard let host = components.host, !host.isEmpty else {
            throw Invalid(reason: "the SMTP URL has no host: '\(Self.redacted(text))'")
        }
        self.init(host: host, port: components.port ?? 25)
        username = components.percentEncodedUser.flatMap { $0.removingPercentEncoding }
        password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "tls":
                guard let mode = TLSMode(rawValue: value.lowercased()) else {
                    throw Invalid(reason: "tls must be none, starttls or required, got '\(value)'")
                }
                tls = mode
            case "verify":
                verifyCertificate = !["false", "0", "no", "off"].contains(value.lowercased())
            case "helo":
                heloName = value
            case "timeout":
                guard let seconds = Int(value), (1...600).contains(seconds) else {
                    throw Invalid(reason: "timeout must be 1 to 600 seconds, got '\(value)'")
                }
                timeoutSeconds = seconds
            default:
                throw Invalid(reason: "unknown SMTP URL parameter '\(item.name)'; use tls, verify, helo or timeout")
            }
        }
    }

    /// The URL with its password replaced, for messages.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "(unreadable URL)"
    }
}
