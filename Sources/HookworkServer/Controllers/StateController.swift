import HookworkCore
import HookworkEngine
import HookworkStore
import Hummingbird

/// Chat state: chats, messages, departments, operators, mail conversations and messages, department statistics.
struct StateController {
    let environment: ServerEnvironment

    /// Path segment and kind of each state collection.
    static let collections: [(path: String, kind: EntityKind, label: String)] = [
        ("chats", .chat, "chat"), ("messages", .message, "message"), ("departments", .department, "department"),
        ("operators", .operator, "operator"), ("mail_conversations", .mailConversation, "mail conversation"),
        ("mail_messages", .mailMessage, "mail message"), ("department_stats", .departmentStats, "department statistics"),
    ]

    func register(on table: RouteTable) {
        for collection in Self.collections {
            let base = "/api/v1/\(collection.path)"
            let kind = collection.kind
            let label = collection.label
            table.add(.get, base, "List \(label) records (filters: status, chat_id, conversation_id, after, limit)", scope: .ingest, tag: "state") {
                request, _ in try await list(kind, request: request)
            }
            table.add(.put, base + "/{id}", "Create or replace a \(label)", scope: .ingest, tag: "state", body: true) { request, context in
                let id = try context.intParameter()
                let document = try checked(kind, id: id, document: try await request.jsonObject(limit: environment.configuration.maxBodyBytes))
                try await environment.store.put(kind, id: id, document: document)
                try await environment.intake.stored(kind, id: id, record: document, sent: document, now: environment.clock.now())
                return JSONResponse.make(.object(try await environment.store.get(kind, id: id) ?? document))
            }
            table.add(.patch, base + "/{id}", "Update some members of a \(label)", scope: .ingest, tag: "state", body: true) { request, context in
                let id = try context.intParameter()
                var patch = try await request.jsonObject(limit: environment.configuration.maxBodyBytes)
                if let sent = patch["id"], sent.looseInt != id {
                    throw APIError(.badRequest, code: "id_mismatch", message: "the id in the body differs from the id in the path", field: "id")
                }
                patch["id"] = nil
                guard let updated = try await environment.store.patch(kind, id: id, with: patch) else { throw APIError.notFound(label, id: id) }
                try await environment.intake.stored(kind, id: id, record: updated, sent: patch, now: environment.clock.now())
                return JSONResponse.make(.object(try await environment.store.get(kind, id: id) ?? updated))
            }
            table.add(.get, base + "/{id}", "Read a \(label)", scope: .ingest, tag: "state") { _, context in
                let id = try context.intParameter()
                guard let document = try await environment.store.get(kind, id: id) else { throw APIError.notFound(label, id: id) }
                return JSONResponse.make(.object(document))
            }
            table.add(.delete, base + "/{id}", "Delete a \(label)", scope: .ingest, tag: "state", success: 204) { _, context in
                let id = try context.intParameter()
                guard try await environment.store.delete(kind, id: id) else { throw APIError.notFound(label, id: id) }
                return Response(status: .noContent)
            }
        }
        table.add(
            .get, "/api/v1/chats/{id}/attributes", "The chat as conditions see it, with its derived attributes (spec §10.3)", scope: .ingest,
            tag: "state"
        ) { _, context in
            let id = try context.intParameter()
            guard let assembled = try await environment.assembler.chat(id: id, now: environment.clock.now()) else {
                throw APIError.notFound("chat", id: id)
            }
            return JSONResponse.make(.object(assembled.chat))
        }
        table.add(.post, "/api/v1/batch", "Create or replace many state records in one transaction", scope: .ingest, tag: "state", body: true) {
            request, _ in try await batch(request)
        }
    }

    /// A state document checked for the members the store indexes.
    func checked(_ kind: EntityKind, id: Int, document: JSONObject, position: String = "") throws -> JSONObject {
        var document = document
        if let sent = document["id"], sent.looseInt != id {
            throw APIError(.badRequest, code: "id_mismatch", message: "the id in the body differs from the id in the path", field: position + "id")
        }
        document["id"] = .int(id)
        guard id > 0 else { throw APIError(.badRequest, code: "invalid_id", message: "ids are positive integers", field: position + "id") }
        if kind == .message {
            guard let chatID = document["chat_id"]?.looseInt, chatID > 0 else {
                throw APIError(
                    .unprocessableContent, code: "validation_failed", message: "a message needs the chat_id of its chat", field: position + "chat_id")
            }
            document["chat_id"] = .int(chatID)
        }
        for key in ["status", "dep_id", "user_id", "conversation_id"] {
            if let value = document[key], !value.isNull {
                guard let number = value.looseInt else {
                    throw APIError(.unprocessableContent, code: "validation_failed", message: "\(key) must be an integer", field: position + key)
                }
                document[key] = .int(number)
            }
        }
        return document
    }

    func list(_ kind: EntityKind, request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        func int(_ name: String) throws -> Int? {
            guard let text = parameters[name[...]] else { return nil }
            guard let value = Int(text) else {
                throw APIError(.badRequest, code: "invalid_query", message: "\(name) must be an integer", field: name)
            }
            return value
        }
        var statuses: [Int]?
        if let text = parameters["status"] {
            statuses = try text.split(separator: ",").map { part in
                guard let value = Int(part) else {
                    throw APIError(.badRequest, code: "invalid_query", message: "status must be integers separated by commas", field: "status")
                }
                return value
            }
        }
        let limit = min(max(try int("limit") ?? 100, 1), 1000)
        let query = EntityQuery(
            statuses: statuses, chatID: try int("chat_id"), conversationID: try int("conversation_id"), afterID: try int("after"), limit: limit
        )
        let records = try await environment.store.list(kind, query: query)
        return JSONResponse.make(.object(JSONObject([("items", .array(records.map(JSONValue.object)))])))
    }

    func batch(_ request: Request) async throws -> Response {
        let body = try await request.jsonObject(limit: environment.configuration.maxBodyBytes)
        var records: [(kind: EntityKind, id: Int, document: JSONObject)] = []
        var counts = JSONObject()
        for (key, value) in body {
            guard let collection = Self.collections.first(where: { $0.path == key }) else {
                throw APIError(
                    .badRequest, code: "unknown_collection",
                    message: "unknown member '\(key)'; use \(Self.collections.map(\.path).joined(separator: ", "))", field: key
                )
            }
            guard case .array(let items) = value else {
                throw APIError(.badRequest, code: "invalid_batch", message: "\(key) must be a list of objects", field: key)
            }
            for (index, item) in items.enumerated() {
                let position = "\(key)[\(index)]."
                guard case .object(let document) = item, let id = document["id"]?.looseInt else {
                    throw APIError(
                        .badRequest, code: "invalid_batch", message: "each record must be an object with an integer id", field: position + "id")
                }
                records.append((collection.kind, id, try checked(collection.kind, id: id, document: document, position: position)))
            }
            counts[key] = .int(items.count)
        }
        try await environment.store.putBatch(records)
        return JSONResponse.make(.object(JSONObject([("stored", .object(counts))])))
    }
}
