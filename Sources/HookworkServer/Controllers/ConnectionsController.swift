import Crypto
import HookworkChatwoot
import HookworkCore
import HookworkEngine
import HookworkStore
import Hummingbird
import Logging
import NIOCore

/// Chat platform connections (`/api/v1/connections/{id}`, admin) and their intake URL
/// (`POST /api/v1/connections/{id}/webhook`, authenticated by the platform's signature instead of a token).
struct ConnectionsController {
    let environment: ServerEnvironment

    func register(on table: RouteTable) {
        let store = environment.store
        let limit = environment.configuration.maxBodyBytes
        table.add(.get, "/api/v1/connections", "List platform connections (secrets masked)", scope: .admin, tag: "connections") { _, _ in
            let records = try await store.list(.connection, query: EntityQuery())
            return JSONResponse.make(.object(JSONObject([("items", .array(records.map { .object(ChatwootConnection.masked($0)) }))])))
        }
        table.add(.get, "/api/v1/connections/{id}", "Read a platform connection (secrets masked)", scope: .admin, tag: "connections") { _, context in
            let id = try context.intParameter()
            guard id > 0, let document = try await store.get(.connection, id: id) else { throw APIError.notFound("connection", id: id) }
            return JSONResponse.make(.object(ChatwootConnection.masked(document)))
        }
        table.add(
            .put, "/api/v1/connections/{id}", "Create or replace a platform connection (a masked secret saved back keeps the stored one)",
            scope: .admin,
            tag: "connections", body: true
        ) { request, context in
            let id = try context.intParameter()
            guard id > 0 else { throw APIError(.badRequest, code: "invalid_id", message: "a connection id is a positive integer", field: "id") }
            let stored = try await store.get(.connection, id: id)
            let incoming = ChatwootConnection.restoringSecrets(try await request.jsonObject(limit: limit), stored: stored)
            let connection: ChatwootConnection
            do throws(PlatformRefusal) { connection = try ChatwootConnection(document: incoming) } catch {
                throw APIError(.unprocessableContent, code: "validation_failed", message: error.message, field: error.field)
            }
            // Chats are keyed by Chatwoot's display ids, which repeat across accounts: one account per Hookwork.
            for other in try await store.list(.connection, query: EntityQuery()) {
                guard let otherID = other["id"]?.intValue, otherID != id, let account = other["account_id"]?.intValue, account != connection.accountID
                else { continue }
                throw APIError(
                    .conflict, code: "conflict",
                    message: "connection \(otherID) serves Chatwoot account \(account); chat ids are conversation display ids, which repeat across "
                        + "accounts, so one Hookwork serves one Chatwoot account", field: "account_id")
            }
            var document = connection.document
            document["id"] = .int(id)
            try await store.put(.connection, id: id, document: document)
            environment.logger.info("connection.saved", metadata: ["connection.id": "\(id)", "connection.platform": "chatwoot"])
            return JSONResponse.make(.object(ChatwootConnection.masked(document)))
        }
        table.add(
            .get, "/api/v1/connections/{id}/health", "A connection's health: its last webhook, its last sync, its commands failing or ended",
            scope: .admin, tag: "connections"
        ) { _, context in
            let id = try context.intParameter()
            guard id > 0, try await store.get(.connection, id: id) != nil else { throw APIError.notFound("connection", id: id) }
            return JSONResponse.make(.object(try await ConnectionSync(environment: environment).health(connectionID: id)))
        }
        table.add(
            .post, "/api/v1/connections/{id}/sync", "Reconcile now: read the platform's open conversations and store them as state", scope: .admin,
            tag: "connections"
        ) { _, context in
            let id = try context.intParameter()
            guard id > 0, let document = try await store.get(.connection, id: id) else { throw APIError.notFound("connection", id: id) }
            return JSONResponse.make(.object(try await ConnectionSync(environment: environment).sync(connectionID: id, document: document)))
        }
        table.add(.delete, "/api/v1/connections/{id}", "Delete a platform connection", scope: .admin, tag: "connections", success: 204) {
            _, context in
            let id = try context.intParameter()
            guard id > 0, try await store.delete(.connection, id: id) else { throw APIError.notFound("connection", id: id) }
            return Response(status: .noContent)
        }
        table.add(
            .post, "/api/v1/connections/{id}/webhook",
            "The platform's webhook deliveries (Chatwoot: signed with the connection's webhook_secret; no bearer token)", scope: .public,
            tag: "connections", body: true
        ) { request, context in
            let id = try context.intParameter()
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: limit) } catch is NIOTooManyBytesError {
                throw APIError(.contentTooLarge, code: "body_too_large", message: "the request body is larger than \(limit) bytes")
            }
            let delivery = PlatformRequest(headers: headers, body: Array(buffer.readableBytesView))
            return JSONResponse.make(.object(try await receive(connectionID: id, delivery)))
        }
    }

    /// Authenticates a delivery, drops a repeated one, stores its state and runs its events as `POST /api/v1/events`
    /// runs them.
    func receive(connectionID: Int, _ delivery: PlatformRequest) async throws -> JSONObject {
        let store = environment.store
        let logger = environment.logger
        guard connectionID > 0, let document = try await store.get(.connection, id: connectionID) else {
            throw APIError.notFound("connection", id: connectionID)
        }
        let connection: ChatwootConnection
        do throws(PlatformRefusal) { connection = try ChatwootConnection(document: document) } catch {
            throw APIError(
                .conflict, code: "invalid_connection", message: "connection \(connectionID) cannot be used: \(error.message)", field: error.field)
        }
        let adapter = ChatwootAdapter(connection: connection)
        let now = environment.clock.now()
        do throws(PlatformRefusal) { try adapter.authenticate(delivery, now: now) } catch {
            logger.notice("connection.webhook_refused", metadata: ["connection.id": "\(connectionID)", "reason": "\(error.message)"])
            throw APIError(.unauthorized, code: "invalid_signature", message: error.message)
        }
        let deliveryID = adapter.deliveryID(delivery)
        // Seen ids live in a fixed number of slots (a newer id takes an older one's slot), so they need no purge: a
        // repeat comes within seconds, and one that lost its slot is still caught by its events' idempotency keys.
        let seenID = deliveryID.map { Self.recordID("\(connectionID):\($0)") % Self.seenDeliverySlots + 1 }
        if let deliveryID, let seenID, let seen = try await store.get(.platformDelivery, id: seenID), seen["delivery"]?.stringValue == deliveryID,
            seen["connection_id"]?.intValue == connectionID
        {
            return JSONObject([("delivery", .string(deliveryID)), ("duplicate", .bool(true)), ("events", .array([]))])
        }
        let intake = try await adapter.intake(delivery, now: now, state: StoreStateReader(store: store))

        // One transaction: the state (the chat, the message and the other records, with their derived columns), the
        // raised events (queued), the seen delivery id and the connection's health; all of it or none.
        let link = JSONValue.int(connectionID)
        var work = UnitOfWork(patches: try await Self.statePatches(intake, connectionID: connectionID, now: now, environment: environment))
        let events = EventsController(environment: environment)
        var known: [Int: Int] = [:]  // index of an event whose key is stored already → its sequence
        var raised: [(index: Int, name: String, args: JSONObject)] = []
        for (index, event) in intake.events.enumerated() {
            var args = event.args
            if case .object(var chat)? = args["chat"] {
                chat["connection_id"] = link
                args["chat"] = .object(chat)
            }
            if let stored = try await store.event(key: event.key) {
                known[index] = stored.event.sequence
                continue
            }
            work.events.append(NewEvent(key: event.key, name: event.name, args: .object(args), receivedAt: now, runAt: events.runAt(now: now)))
            raised.append((index, event.name, args))
        }
        if let deliveryID, let seenID {
            let record = JSONObject([
                ("delivery", .string(deliveryID)), ("connection_id", .int(connectionID)), ("event", .string(intake.platformEvent)),
                ("received_at", .int(now)),
            ])
            work.puts.append(RecordPut(kind: .platformDelivery, id: seenID, document: record))
        }
        var health = try await store.get(.connectionHealth, id: connectionID) ?? JSONObject()
        health["last_webhook_at"] = .int(now)
        health["last_webhook_event"] = .string(intake.platformEvent)
        health["webhooks_taken"] = .int((health["webhooks_taken"]?.intValue ?? 0) + 1)
        work.puts.append(RecordPut(kind: .connectionHealth, id: connectionID, document: health))
        let committed = try await store.commitReporting(work, now: now)

        // Then each event runs (the `http` worker) or waits for a queue worker, as `POST /api/v1/events` does; one whose
        // key another delivery stored first (a sibling webhook at the same moment) is a duplicate.
        var added: [Int: (sequence: Int, args: JSONObject)] = [:]  // index of an event this delivery stored
        for (position, event) in raised.enumerated() {
            if let sequence = committed.events[position] {
                added[event.index] = (sequence, event.args)
            } else if let stored = try await store.event(key: intake.events[event.index].key) {
                known[event.index] = stored.event.sequence
            }
        }
        var answers: [JSONValue] = []
        var duplicates = 0
        for (index, event) in intake.events.enumerated() {
            var entry = JSONObject([("event", .string(event.name)), ("id", .string(event.key))])
            let answer: JSONObject
            if let new = added[index] {
                answer = try await events.accepted(sequence: new.sequence, name: event.name, args: new.args, now: now).1
            } else if let sequence = known[index] {
                answer = try await events.duplicate(sequence: sequence).1
                duplicates += 1
            } else {
                continue
            }
            for (key, value) in answer { entry[key] = value }
            answers.append(.object(entry))
        }
        logger.info(
            "connection.webhook_taken",
            metadata: [
                "connection.id": "\(connectionID)", "platform.event": "\(intake.platformEvent)",
                "events.raised": "\(intake.events.count - duplicates)",
            ])
        var answer = JSONObject([("platform_event", .string(intake.platformEvent))])
        answer["delivery"] = deliveryID.map(JSONValue.string) ?? .null
        answer["duplicate"] = .bool(!intake.events.isEmpty && duplicates == intake.events.count)
        answer["events"] = .array(answers)
        if let note = intake.note { answer["note"] = .string(note) }
        return answer
    }

    /// What an intake changes, as patches for one unit of work: the chat merged and the message stored with their
    /// derived columns (as an event's args are), then the other records. A chat from a connection names it
    /// (`connection_id`), so that its triggers' commands go back through the connection's adapter.
    static func statePatches(_ intake: PlatformIntake, connectionID: Int, now: Int, environment: ServerEnvironment) async throws -> [RecordPatch] {
        let link = JSONValue.int(connectionID)
        var state = JSONObject()
        if var chat = intake.chat {
            chat["connection_id"] = link
            state["chat"] = .object(chat)
        }
        if let message = intake.message { state["msg"] = .object(message) }
        var patches = try await environment.intake.plan(args: state, now: now)
        for record in intake.records {
            var members = record.patch
            members["id"] = .int(record.id)
            if record.kind == .chat { members["connection_id"] = link }
            patches.append(RecordPatch(kind: record.kind, id: record.id, members: members, createIfMissing: true))
        }
        return patches
    }

    /// Stores what an intake changes (no events), in one transaction.
    static func applyState(_ intake: PlatformIntake, connectionID: Int, now: Int, environment: ServerEnvironment) async throws {
        let patches = try await statePatches(intake, connectionID: connectionID, now: now, environment: environment)
        _ = try await environment.store.commit(UnitOfWork(patches: patches), now: now)
    }

    /// How many seen platform delivery ids are kept at most.
    static let seenDeliverySlots = 65_536

    /// A positive record id for a text key (the first 62 bits of its SHA-256); the record keeps the key, so that a
    /// collision is told apart.
    static func recordID(_ key: String) -> Int {
        let bytes = Array(SHA256.hash(data: Array(key.utf8)).prefix(8))
        let value = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } & 0x3FFF_FFFF_FFFF_FFFF
        return max(1, Int(value))
    }
}
