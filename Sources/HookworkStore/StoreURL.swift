import Foundation
public import Logging

/// Opens the store that `url` names: `sqlite://./hookwork.sqlite` (relative path), `sqlite:///abs/path`,
/// `sqlite::memory:` (tests), `postgres://user:pass@host:port/db` or `postgresql://...`. Call `migrate()` next.
public func makeStore(url: String, logger: Logger) async throws -> any Store {
    switch StoreLocation(url: url) {
    case .sqliteFile(let path)?: return try await SQLiteStore.open(path: path, logger: logger)
    case .sqliteMemory?: return try await SQLiteStore.inMemory(logger: logger)
    case .postgres?: return try await PostgresStore.connect(url: url, logger: logger)
    case nil:
        throw StoreError(
            code: "invalid",
            message: "database.url must start with sqlite:// or postgres:// (got \"\(redacted(url))\"); for example sqlite://./hookwork.sqlite"
        )
    }
}

/// Which database a `database.url` names.
enum StoreLocation: Equatable {
    case sqliteFile(path: String)
    case sqliteMemory
    case postgres

    /// The location, or nil if the scheme is not one Hookwork supports or the path is empty.
    init?(url: String) {
        let lowered = url.lowercased()
        if lowered == "sqlite::memory:" || lowered == "sqlite://:memory:" {
            self = .sqliteMemory
        } else if lowered.hasPrefix("sqlite://") {
            // Everything after the scheme is the path: "./x" and "x" are relative, "/x" (from sqlite:///x) absolute.
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else { return nil }
            self = .sqliteFile(path: path)
        } else if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres
        } else {
            return nil
        }
    }
}

/// The URL without its password, for error messages (secrets are never logged).
private func redacted(_ url: String) -> String {
    guard let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].lastIndex(of: "@") else { return url }
    let credentials = url[schemeEnd.upperBound..<at]
    guard let colon = credentials.firstIndex(of: ":") else { return url }
    return String(url[..<colon]) + ":***" + String(url[at...])
}
