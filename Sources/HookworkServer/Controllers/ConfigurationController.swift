import HookworkCore
import HookworkEngine
import HookworkStore
import Hummingbird

/// Webhooks, triggers and Rest API definitions, validated when saved.
struct ConfigurationController {
    let environment: ServerEnvironment

    func register(on table: RouteTable) {
        let validator = environment.validator
        resource(table, path: "webhooks", kind: .webhook, label: "webhook") { try await validator.webhook($0) }
        resource(table, path: "triggers", kind: .trigger, label: "trigger") { try await validator.trigger($0) }
        resource(table, path: "rest_apis", kind: .restAPI, label: "Rest API") { try await validator.restAPI($0) }
        // A calendar's id is the administrator's to choose: PUT creates one.
        resource(table, path: "calendars", kind: .calendar, label: "calendar", putCreates: true) { input in
            var body = input
            body["id"] = nil
            _ = try BusinessCalendar(document: body, id: 0)
            return body
        }
    }

    func resource(
        _ table: RouteTable, path: String, kind: EntityKind, label: String, putCreates: Bool = false,
        validate: @escaping @Sendable (JSONObject) async throws -> JSONObject
    ) {
        let base = "/api/v1/\(path)"
        let store = environment.store
        let limit = environment.configuration.maxBodyBytes
        // Secrets are write-only: Rest APIs read back masked, and a masked value saved back keeps the stored secret.
        @Sendable func shown(_ document: JSONObject) -> JSONObject { kind == .restAPI ? SecretMask.maskRestAPI(document) : document }
        @Sendable func unmasked(_ input: JSONObject, stored: JSONObject?) -> JSONObject {
            kind == .restAPI ? SecretMask.restoreRestAPI(input, stored: stored) : input
        }
        @Sendable func checked(_ input: JSONObject) async throws -> JSONObject {
            do {
                var document = try await validate(input)
                document["id"] = nil
                return document
            } catch let failure as ValidationFailure {
                let status: HTTPResponse.Status = .unprocessableContent
                throw APIError(status, code: failure.code, message: failure.message, field: failure.field, details: failure.details)
            }
        }
        table.add(.post, base, "Create a \(label)", scope: .admin, tag: "configuration", body: true, success: 201) { request, _ in
            let document = try await checked(try await request.jsonObject(limit: limit))
            let id = try await store.insert(kind, document: document)
            return JSONResponse.make(.object(shown(try await store.get(kind, id: id) ?? document)), status: .created)
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
            document["id"] = .int(id)
            try await store.put(kind, id: id, document: document)
            return JSONResponse.make(.object(shown(document)))
        }
        table.add(.patch, base + "/{id}", "Update some members of a \(label)", scope: .admin, tag: "configuration", body: true) { request, context in
            let id = try context.intParameter()
            guard let stored = try await store.get(kind, id: id) else { throw APIError.notFound(label, id: id) }
            var current = stored
            for (key, value) in try await request.jsonObject(limit: limit) where key != "id" { current[key] = value }
            var document = try await checked(unmasked(current, stored: stored))
            document["id"] = .int(id)
            try await store.put(kind, id: id, document: document)
            return JSONResponse.make(.object(shown(document)))
        }
        table.add(.delete, base + "/{id}", "Delete a \(label)", scope: .admin, tag: "configuration", success: 204) { _, context in
            let id = try context.intParameter()
            if let user = try await referrer(of: kind, id: id) {
                throw APIError(.conflict, code: "in_use", message: "\(label) \(id) is used by \(user); change or delete that first")
            }
            guard try await store.delete(kind, id: id) else { throw APIError.notFound(label, id: id) }
            return Response(status: .noContent)
        }
    }

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
