public import HookworkEngine

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address as its bytes (4 or 16).
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// An address from its bytes; nil unless there are 4 or 16.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// A numeric address in its canonical text form (`10.0.0.1`, `::1`); names and other notations are not read here.
    public init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            self.bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    /// Whether this is an IPv4 address.
    public var isV4: Bool { bytes.count == 4 }

    /// The IPv4 address an IPv6 address carries (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64
    /// `64:ff9b::a.b.c.d`), which is where a connection to it really goes.
    var embeddedV4: IPAddress? {
        guard bytes.count == 16 else { return nil }
        let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
        let compatible = bytes[0..<12].allSatisfy { $0 == 0 } && !(bytes[12..<16].allSatisfy { $0 == 0 })
        let nat64 = bytes[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]
        guard mapped || compatible || nat64 else { return nil }
        return IPAddress(bytes: Array(bytes[12..<16]))
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        var copy = bytes
        let family = isV4 ? AF_INET : AF_INET6
        guard inet_ntop(family, &copy, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An address range written `ADDRESS/BITS` (a bare address is the range of that one address).
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The first address.
    public let address: IPAddress
    /// The prefix length.
    public let prefixLength: Int

    /// Parses `10.0.0.0/8`, `fd00::/8` or `127.0.0.1`; nil when it is not one of those.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let bits = address.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...bits).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        self.address = address
    }

    /// Whether `candidate` is in the range (an IPv4 range never holds an IPv6 address, nor the reverse).
    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for index in address.bytes.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if candidate.bytes[index] & mask != address.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

/// Which addresses outbound calls may connect to (README, "Outbound address policy").
///
/// By default only public unicast addresses: loopback, RFC 1918, link-local (with the 169.254.169.254 metadata
/// service), CGNAT, unique-local, multicast, unspecified, documentation and other special-purpose ranges are refused,
/// in whatever notation the URL wrote them, because the check is made on the resolved address. The allow-list opens
/// ranges (`10.1.0.0/16`) and host names (`hooks.internal`, `*.corp.example`).
public struct OutboundAddressPolicy: Sendable {
    /// Ranges that are allowed although not public.
    public var allowedNetworks: [IPNetwork]
    /// Host names (lower-case) allowed whatever they resolve to; `*.suffix` allows every name under `suffix`.
    public var allowedHosts: [String]

    /// The special-purpose ranges (IANA's IPv4 and IPv6 special-purpose address registries) a call never goes to.
    static let blockedNetworks: [(IPNetwork, String)] = [
        ("0.0.0.0/8", "unspecified"), ("10.0.0.0/8", "private (RFC 1918)"), ("100.64.0.0/10", "shared CGNAT"),
        ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link-local"), ("172.16.0.0/12", "private (RFC 1918)"),
        ("192.0.0.0/24", "IETF protocol assignments"), ("192.0.2.0/24", "documentation"), ("192.88.99.0/24", "6to4 relay"),
        ("192.168.0.0/16", "private (RFC 1918)"), ("198.18.0.0/15", "benchmarking"), ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"), ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"), ("::1/128", "loopback"), ("100::/64", "discard-only"), ("2001::/23", "IETF protocol assignments"),
        ("2001:db8::/32", "documentation"), ("2002::/16", "6to4"), ("fc00::/7", "unique-local"), ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"), ("ff00::/8", "multicast"),
    ].map { (IPNetwork($0.0)!, $0.1) }

    /// A policy with these exceptions.
    public init(allowedNetworks: [IPNetwork] = [], allowedHosts: [String] = []) {
        self.allowedNetworks = allowedNetworks
        self.allowedHosts = allowedHosts.map { $0.lowercased() }
    }

    /// Reads `HOOKWORK_OUTBOUND_ALLOW`: comma-separated ranges, addresses and host names.
    public init(allowList: String) throws(InvalidEntry) {
        var networks: [IPNetwork] = []
        var hosts: [String] = []
        for raw in allowList.split(separator: ",") {
            let entry = String(raw).trimmed(of: " \t")
            guard !entry.isEmpty else { continue }
            if let network = IPNetwork(entry) {
                networks.append(network)
            } else if entry.utf8.allSatisfy({ Self.isHostNameByte($0) || $0 == UInt8(ascii: "*") }),
                !entry.contains("/"), entry.firstIndex(of: "*").map({ entry.hasPrefix("*.") && $0 == entry.startIndex }) ?? true
            {
                hosts.append(entry.lowercased())
            } else {
                throw InvalidEntry(entry: entry)
            }
        }
        self.init(allowedNetworks: networks, allowedHosts: hosts)
    }

    /// An allow-list entry that is neither a range nor a host name.
    public struct InvalidEntry: Error, CustomStringConvertible {
        /// The entry as written.
        public var entry: String
        public var description: String { "'\(entry)' is neither an address range (10.0.0.0/8, ::1) nor a host name (*.example.com)" }
    }

    /// This policy with `host` allowed too (the configured callback and SMTP servers).
    public func allowing(host: String) -> Self {
        var copy = self
        copy.allowedHosts.append(host.lowercased())
        return copy
    }

    /// Whether the host name itself is allow-listed.
    public func allows(host: String) -> Bool {
        let name = host.lowercased()
        return allowedHosts.contains { allowed in
            if allowed.hasPrefix("*.") { return name.hasSuffix(allowed.dropFirst(1)) }
            return allowed == name
        }
    }

    /// Why `address` is refused, or nil when a call may connect to it.
    public func refusal(for address: IPAddress) -> String? {
        if allowedNetworks.contains(where: { $0.contains(address) }) { return nil }
        if let v4 = address.embeddedV4, v4 != address {
            if allowedNetworks.contains(where: { $0.contains(v4) }) { return nil }
            if let reason = Self.blockedNetworks.first(where: { $0.0.contains(v4) })?.1 { return reason }
        }
        return Self.blockedNetworks.first(where: { $0.0.contains(address) })?.1
    }

    static func isHostNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }
}

extension String {
    fileprivate func trimmed(of set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}

/// A call refused by the address policy before any connection was made.
public struct OutboundBlocked: UnretryableSendError, Sendable, CustomStringConvertible {
    /// The host as the URL wrote it.
    public var host: String
    /// The address it resolved to.
    public var address: String
    /// Which kind of range the address is in.
    public var range: String

    /// The stable code of this error in outcomes and the delivery log.
    public static let code = "blocked_address"

    public var description: String {
        "\(Self.code): \(host) resolves to \(address) (\(range)), which outbound calls may not reach; "
            + "add it to HOOKWORK_OUTBOUND_ALLOW to allow it"
    }
}

/// Resolves host names with the system resolver (`getaddrinfo`), which also reads every numeric notation
/// `inet_aton` knows (`2130706433`, `0x7f000001`, `127.1`).
public enum HostResolver {
    /// Every address `host` resolves to; empty when it does not resolve.
    public static func addresses(of host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let socketAddress = info.pointee.ai_addr {
                switch Int32(info.pointee.ai_family) {
                case AF_INET:
                    socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var address = pointer.pointee.sin_addr
                        if let ip = IPAddress(bytes: withUnsafeBytes(of: &address) { Array($0) }) { addresses.append(ip) }
                    }
                case AF_INET6:
                    socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var address = pointer.pointee.sin6_addr
                        if let ip = IPAddress(bytes: withUnsafeBytes(of: &address) { Array($0) }) { addresses.append(ip) }
                    }
                default:
                    break
                }
            }
            cursor = info.pointee.ai_next
        }
        var unique: [IPAddress] = []
        for address in addresses where !unique.contains(address) { unique.append(address) }
        return unique
    }
}
