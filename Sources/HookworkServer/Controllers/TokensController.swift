import HookworkCore
import HookworkStore
import Hummingbird
import Logging

/// `/api/v1/tokens`: scoped API tokens, created, listed, rotated and revoked by an admin.
struct TokensController {
    let environment: ServerEnvironment
    let auth: TokenAuthenticator

    func register(on table: RouteTable) {
        let administration = TokenAdministration(
            store: environment.store, clock: environment.clock, configuredAdmin: environment.configuration.adminToken != nil)
        let auth = auth
        let environment = environment
        table.add(.get, "/api/v1/tokens", "API tokens: name, scope, created, last used (never the secret)", scope: .admin, tag: "tokens") { _, _ in
            var list = auth.configuredNames.map { entry -> JSONValue in
                .object(
                    JSONObject([("id", .null), ("name", .string(entry.name)), ("scope", .string(entry.scope.rawValue)), ("source", "environment")]))
            }
            list += try await administration.list().map { .object(TokenAdministration.json($0)) }
            return JSONResponse.make(.object(JSONObject([("tokens", .array(list))])))
        }
        table.add(
            .post, "/api/v1/tokens", "Create a token; its secret is in this answer only", scope: .admin, tag: "tokens", body: true, success: 201
        ) { request, _ in
            let body = try await request.jsonObject(limit: environment.configuration.maxBodyBytes)
            let (name, scope) = try TokenAdministration.checked(name: body["name"], scope: body["scope"])
            let made = try await administration.create(name: name, scope: scope)
            environment.logger.notice("auth.token_created", metadata: ["token.id": "\(made.token.id)", "token.scope": "\(scope.rawValue)"])
            return JSONResponse.make(Self.withSecret(made), status: .created)
        }
        table.add(
            .post, "/api/v1/tokens/{id}/rotate", "Give a token a new secret (in this answer only); the old one stops working", scope: .admin,
            tag: "tokens"
        ) { _, context in
            let id = try context.intParameter()
            let made = try await administration.rotate(id: id)
            auth.forget(tokenID: id)
            environment.logger.notice("auth.token_rotated", metadata: ["token.id": "\(id)"])
            return JSONResponse.make(Self.withSecret(made))
        }
        table.add(.delete, "/api/v1/tokens/{id}", "Revoke a token at once", scope: .admin, tag: "tokens") { _, context in
            let id = try context.intParameter()
            try await administration.revoke(id: id)
            auth.forget(tokenID: id)
            environment.logger.notice("auth.token_revoked", metadata: ["token.id": "\(id)"])
            return JSONResponse.make(.object(JSONObject([("deleted", .bool(true)), ("id", .int(id))])))
        }
    }

    static func withSecret(_ made: (token: StoredToken, secret: String)) -> JSONValue {
        var object = TokenAdministration.json(made.token)
        object["token"] = .string(made.secret)
        return .object(object)
    }
}
