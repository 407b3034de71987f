import HookworkCore
import HookworkEngine
import HookworkStore
import Hummingbird

/// Webhooks, triggers and Rest API definitions, validated when saved.
struct ConfigurationController {
    let environment: ServerEnvironment

    func register(on table: RouteTable) {
        resource(table, path: "webhooks", kind: .webhook)
        resource(table, path: "triggers", kind: .trigger)
        resource(table, path: "rest_apis", kind: .restAPI)
        // A calendar's id is the administrator's to choose: PUT creates one.
        resource(table, path: "calendars", kind: .calendar, putCreates: true)
    }

    /// Every save and deletion is kept as a version (`ConfigurationHistory`), named after the token that made it.
    func resource(_ table: RouteTable, path: String, kind: EntityKind, putCreates: Bool = false) {
        let base = "/api/v1/\(path)"
        let label = kind.label
        let store = environment.store
        let clock = environment.clock
        let limit = environment.configuration.maxBodyBytes
        let history = ConfigurationHistory(store: store, validator: environment.validator)
        // Secrets are write-only: Rest APIs read back masked, and a masked value saved back keeps the stored secret.
        @Sendable func shown(_ document: JSONObject) -> JSONObject { ConfigurationHistory.shown(kind, document) }
        @Sendable func unmasked(_ input: JSONObject, stored: JSONObject?) -> JSONObject {
            kind == .restAPI ? SecretMask.restoreRestAPI(input, stored: stored) : input
        }
        // A refused document is a `ValidationFailure`, answered 422 naming the member (`ErrorMiddleware`).
        @Sendable func checked(_ input: JSONObject) async throws -> JSONObject { try await history.checked(kind, input) }
        @Sendable func author(_ context: HookworkRequestContext) -> String { context.tokenName ?? "unknown token" }
        table.add(.post, base, "Create a \(label)", scope: .admin, tag: "configuration", body: true, success: 201) { request, context in
            let document = try await checked(try await request.jsonObject(limit: limit))
            let result = try await store.saveVersioned(kind, id: nil, document: document, by: author(context), at: clock.now())
            return Self.saved(shown(try await store.get(kind, id: result.id) ?? document), version: result.version, status: .created)
        }
        table.add(.get, base, "List \(label)s", scope: .admin, tag: "configuration") { _, _ in
            let records = try await store.list(kind, query: EntityQuery())
            return JSONResponse.make(.object(JSONObject([("items", .array(records.map { .object(shown($0)) }))])))
        }
        table.add(.get, base + "/{id}", "Read a \(label)", scope: .admin, tag: "configuration") { _, context in
            let id = try context.intParameter()
            guard let document = try await store.get(kind, id: id) else { throw APIError.notFound(label, id: id) }
            return JSONResponse.make(.object(shown(document)))
        }
        table.add(
            .put, base + "/{id}", putCreates ? "Create or replace a \(label)" : "Replace a \(label)", scope: .admin, tag: "configuration", body: true
        ) {
            request, context in
            let id = try context.intParameter()
            let stored = try await store.get(kind, id: id)
            guard stored != nil || putCreates else { throw APIError.notFound(label, id: id) }
            var document = try await checked(unmasked(try await request.jsonObject(limit: limit), stored: stored))
            let result = try await store.saveVersioned(kind, id: id, document: document, by: author(context), at: clock.now())
            document["id"] = .int(id)
            return Self.saved(shown(document), version: result.version)
        }
        table.add(.patch, base + "/{id}", "Update some members of a \(label)", scope: .admin, tag: "configuration", body: true) { request, context in
            let id = try context.intParameter()
            guard let stored = try await store.get(kind, id: id) else { throw APIError.notFound(label, id: id) }
            var current = stored
            for (key, value) in try await request.jsonObject(limit: limit) where key != "id" { current[key] = value }
            var document = try await checked(unmasked(current, stored: stored))
            let result = try await store.saveVersioned(kind, id: id, document: document, by: author(context), at: clock.now())
            document["id"] = .int(id)
            return Self.saved(shown(document), version: result.version)
        }
        table.add(.delete, base + "/{id}", "Delete a \(label) (its versions are kept)", scope: .admin, tag: "configuration", success: 204) {
            _, context in
            let id = try context.intParameter()
            if let user = try await referrer(of: kind, id: id) {
                throw APIError(.conflict, code: "in_use", message: "\(label) \(id) is used by \(user); change or delete that first")
            }
            guard try await store.deleteVersioned(kind, id: id, by: author(context), at: clock.now()) != nil else {
                throw APIError.notFound(label, id: id)
            }
            return Response(status: .noContent)
        }
        versions(table, base: base, kind: kind, history: history, author: author)
    }

    /// The history routes of one kind: the versions, one version with its diff, a restore, the deleted records.
    func versions(
        _ table: RouteTable, base: String, kind: EntityKind, history: ConfigurationHistory,
        author: @escaping @Sendable (HookworkRequestContext) -> String
    ) {
        let label = kind.label
        let clock = environment.clock
        table.add(.get, base + "/deleted", "List deleted \(label)s whose history is kept", scope: .admin, tag: "versions") { _, _ in
            let items = try await history.deleted(kind).map(JSONValue.object)
            return JSONResponse.make(.object(JSONObject([("items", .array(items))])))
        }
        table.add(.get, base + "/{id}/versions", "List the versions of a \(label), oldest first", scope: .admin, tag: "versions") { _, context in
            let id = try context.intParameter()
            let items = try await history.listed(kind, id: id)
            guard !items.isEmpty else { throw APIError.notFound(label, id: id) }
            return JSONResponse.make(.object(JSONObject([("items", .array(items.map(JSONValue.object)))])))
        }
        table.add(
            .get, base + "/{id}/versions/{version}", "Read a version of a \(label), with its changes from the one before", scope: .admin,
            tag: "versions"
        ) { _, context in
            let id = try context.intParameter()
            let number = try context.intParameter("version")
            return JSONResponse.make(.object(try await history.described(kind, id: id, number: number)))
        }
        table.add(
            .post, base + "/{id}/versions/{version}/restore", "Make a version of a \(label) its current document again (a new version)",
            scope: .admin, tag: "versions"
        ) { _, context in
            let id = try context.intParameter()
            let number = try context.intParameter("version")
            let restored = try await history.restore(kind, id: id, number: number, by: author(context), at: clock.now())
            return Self.saved(ConfigurationHistory.shown(kind, restored.document), version: restored.version)
        }
    }

    /// The answer to a save: the document, and the number of the version the save made in `Hookwork-Version`.
    static func saved(_ document: JSONObject, version: Int, status: HTTPResponse.Status = .ok) -> Response {
        var response = JSONResponse.make(.object(document), status: status)
        response.headers[versionHeader] = "\(version)"
        return response
    }

    /// The response header naming the version a save made.
    static let versionHeader = HTTPFields.Element.Name("Hookwork-Version")!

    /// A record that refers to record `id` of `kind`, so that deleting it would break a webhook or trigger.
    func referrer(of kind: EntityKind, id: Int) async throws -> String? {
        switch kind {
        case .trigger:
            let webhooks = try await environment.store.list(.webhook, query: EntityQuery())
            if let webhook = webhooks.first(where: { $0["trigger_id"]?.looseInt == id || $0["trigger_id_alt"]?.looseInt == id }) {
                return "webhook \(webhook["id"]?.looseInt ?? 0)"
            }
        case .calendar:
            let departments = try await environment.store.list(.department, query: EntityQuery())
            if let department = departments.first(where: { $0["calendar_id"]?.looseInt == id }) {
                return "department \(department["id"]?.looseInt ?? 0) (its calendar_id)"
            }
        case .restAPI:
            let triggers = try await environment.store.list(.trigger, query: EntityQuery())
            for trigger in triggers {
                let actions = trigger["actions"]?.arrayValue ?? []
                if actions.contains(where: { $0["type"]?.stringValue == "restapi" && $0["content"]?["rest_api"]?.looseInt == id }) {
                    return "trigger \(trigger["id"]?.looseInt ?? 0)"
                }
            }
        default:
            break
        }
        return nil
    }
}
