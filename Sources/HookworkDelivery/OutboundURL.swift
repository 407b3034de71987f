import Foundation

/// The parts of an absolute `http(s)://` URL that the address policy needs, split by hand so that every notation
/// of the host (`[::1]`, `2130706433`, `user:password@host`) reaches the resolver as written.
struct OutboundURL: Sendable, Equatable {
    /// `http` or `https`, lower-case.
    let scheme: String
    /// The host without brackets or user-info.
    let host: String
    /// The port as written, if any.
    let port: String?
    /// The text after the authority: path, query and fragment.
    let rest: String
    /// `user:password@`, when the URL has it.
    let userInfo: String

    /// A URL that is not absolute `http(s)://HOST...`.
    struct Invalid: Error, CustomStringConvertible {
        var url: String
        var description: String { "invalid_url: not an absolute http:// or https:// URL with a host" }
    }

    /// A host that resolves to no address.
    struct Unresolved: Error, CustomStringConvertible {
        var host: String
        var description: String { "dns_error: \(host) does not resolve to any address" }
    }

    init?(_ url: String) {
        guard let separator = url.range(of: "://") else { return nil }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let afterScheme = url[separator.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        var authority = afterScheme[..<authorityEnd]
        var userInfo = ""
        if let at = authority.lastIndex(of: "@") {
            userInfo = String(authority[...at])
            authority = authority[authority.index(after: at)...]
        }
        var host: Substring
        var port: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { port = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            port = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        // A trailing dot names the same host.
        while host.hasSuffix(".") { host = host.dropLast() }
        guard !host.isEmpty else { return nil }
        self.scheme = scheme
        self.host = String(host)
        self.port = port.map(String.init)
        self.rest = String(afterScheme[authorityEnd...])
        self.userInfo = userInfo
    }

    /// `host[:port]` as a `Host` header gives it.
    var authorityHost: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(name):\($0)" } ?? name
    }

    /// The URL with the host replaced by `address`.
    func replacingHost(with address: IPAddress) -> String {
        let name = address.isV4 ? address.description : "[\(address)]"
        return "\(scheme)://\(userInfo)\(name)\(port.map { ":\($0)" } ?? "")\(rest)"
    }

    /// A `Location` value made absolute against `base`.
    static func resolve(_ location: String, against base: String) -> String? {
        if OutboundURL(location) != nil { return location }
        guard let parsed = OutboundURL(base) else { return nil }
        let origin = "\(parsed.scheme)://\(parsed.authorityHost)"
        if location.hasPrefix("//") { return "\(parsed.scheme):\(location)" }
        if location.hasPrefix("/") { return origin + location }
        let path = parsed.rest.prefix { $0 != "?" && $0 != "#" }
        let directory = path.lastIndex(of: "/").map { String(path[...$0]) } ?? "/"
        return origin + directory + location
    }
}
