import ArgumentParser
import HookworkCore
import HookworkEngine
import HookworkServer
import HookworkStore

/// `hookwork tokens ...`: stored API tokens on the database of `HOOKWORK_DATABASE_URL`, without a server. A running
/// server honours a revocation or rotation made here within a few seconds (its token cache).
struct Tokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, create, rotate and revoke API tokens (the database of HOOKWORK_DATABASE_URL).",
        subcommands: [List.self, Create.self, Rotate.self, Revoke.self]
    )

    static func withAdministration<T>(_ body: (TokenAdministration) async throws -> T) async throws -> T {
        let configuredAdmin = try HookworkConfiguration.fromEnvironment().adminToken != nil
        return try await Deliveries.withStore { store in
            do {
                return try await body(TokenAdministration(store: store, clock: WallClock(), configuredAdmin: configuredAdmin))
            } catch let refusal as TokenAdministration.Refusal {
                throw CommandFailure(refusal.message)
            }
        }
    }

    static func print(_ made: (token: StoredToken, secret: String)) {
        var object = TokenAdministration.json(made.token)
        object["token"] = .string(made.secret)
        Swift.print(JSONValue.object(object).jsonText())
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stored tokens, one JSON line each (never the secret).")
        func run() async throws {
            for token in try await Tokens.withAdministration({ try await $0.list() }) {
                Swift.print(JSONValue.object(TokenAdministration.json(token)).jsonText())
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; prints its secret, which is shown only this once.")
        @Option(help: "A label, such as \"chat platform\".") var name: String
        @Option(help: "admin or ingest.") var scope: String

        func run() async throws {
            let made = try await Tokens.withAdministration { administration in
                let checked = try TokenAdministration.checked(name: .string(name), scope: .string(scope))
                return try await administration.create(name: checked.name, scope: checked.scope)
            }
            Tokens.print(made)
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a token a new secret (printed once); the old secret stops working.")
        @Argument(help: "The token id.") var id: Int
        func run() async throws { Tokens.print(try await Tokens.withAdministration { try await $0.rotate(id: id) }) }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a token; requests with it are refused.")
        @Argument(help: "The token id.") var id: Int
        func run() async throws {
            try await Tokens.withAdministration { try await $0.revoke(id: id) }
            Swift.print(JSONValue.object(JSONObject([("deleted", .bool(true)), ("id", .int(id))])).jsonText())
        }
    }
}
