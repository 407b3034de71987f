import Foundation
import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkStore
import Hummingbird
import Logging

/// `POST /api/v1/events` (DESIGN §4) and the event's outcome.
struct EventsController {
    let environment: ServerEnvironment

    /// An `http`-mode event that has not completed by then (the process died mid-request) is picked up by a queue worker.
    static let inlineFallbackSeconds = 300
    /// When webhooks are off, events are recorded as done and never become due.
    static let never = Int(Int32.max)

    func register(on table: RouteTable) {
        table.add(.post, "/api/v1/events", "Send an event; runs or queues its hook webhooks", scope: .ingest, tag: "events", body: true) {
            request, _ in try await receive(request)
        }
        table.add(.get, "/api/v1/events", "The event log: events newest first, by name, with their status", scope: .admin, tag: "events") {
            request, _ in
            let parameters = request.uri.queryParameters
            let name = parameters["name"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            if let name, name.count > 100 {
                throw APIError(.badRequest, code: "invalid_query", message: "name is longer than 100 characters", field: "name")
            }
            let limit = try parameters.checkedInt("limit", 1...500) ?? 50
            let before = try parameters.checkedInt("before_id", 1...Int.max)
            let events = try await environment.store.events(name: name, beforeSequence: before, limit: limit)
            let items: [JSONValue] = events.map { event, outcome in
                var object = JSONObject([("event_id", .int(event.sequence)), ("event", .string(event.name))])
                object["id"] = event.key.map(JSONValue.string) ?? .null
                object["received_at"] = .int(event.receivedAt)
                object["status"] = .string(Self.status(outcome))
                object["attempts"] = .int(event.attempts)
                object["chat_id"] = event.args["chat"]?["id"]?.looseInt.map(JSONValue.int) ?? .null
                let webhooks = outcome?["webhooks"]?.arrayValue ?? []
                object["webhooks_evaluated"] = .int(webhooks.count)
                object["triggers_run"] = .int(webhooks.filter { ($0["branch"]?.stringValue ?? "none") != "none" }.count)
                return .object(object)
            }
            var answer = JSONObject([("events", .array(items))])
            answer["next_before_id"] = events.count == limit ? events.last.map { .int($0.event.sequence) } ?? .null : .null
            return JSONResponse.make(.object(answer))
        }
        table.add(.get, "/api/v1/events/{id}", "An event and its outcome", scope: .ingest, tag: "events") { _, context in
            let sequence = try context.intParameter()
            guard let (event, outcome) = try await environment.store.event(sequence: sequence) else { throw APIError.notFound("event", id: sequence) }
            var object = JSONObject([("event_id", .int(event.sequence)), ("event", .string(event.name))])
            object["id"] = event.key.map(JSONValue.string) ?? .null
            object["args"] = event.args
            object["received_at"] = .int(event.receivedAt)
            object["run_at"] = .int(event.runAt)
            object["attempts"] = .int(event.attempts)
            object["status"] = .string(Self.status(outcome))
            object["outcome"] = outcome ?? .null
            // The delayed runs this event scheduled, each with its own event id and status (its outcome is there).
            if let runs = outcome?["delayed_runs"]?.arrayValue, !runs.isEmpty {
                var linked: [JSONValue] = []
                for case .object(var run) in runs.prefix(61) {
                    if let key = run["id"]?.stringValue, let (delayed, result) = try await environment.store.event(key: key) {
                        run["event_id"] = .int(delayed.sequence)
                        run["status"] = .string(Self.status(result))
                    } else {
                        run["event_id"] = .null
                        run["status"] = .string("queued")
                    }
                    linked.append(.object(run))
                }
                object["delayed_runs"] = .array(linked)
            }
            return JSONResponse.make(.object(object))
        }
        table.add(.get, "/api/v1/events/parked", "Events parked after failing or crashing their worker, oldest first", scope: .admin, tag: "events") {
            request, _ in
            let parameters = request.uri.queryParameters
            let after = try parameters.checkedInt("after", 0...Int.max) ?? 0
            let limit = try parameters.checkedInt("limit", 1...500) ?? 100
            let parked = try await environment.store.parkedEvents(afterSequence: after, limit: limit)
            var object = JSONObject([("events", .array(parked.map(\.json)))])
            object["total"] = .int(try await environment.store.parkedEventCount())
            object["next_after"] = parked.count == limit ? parked.last.map { .int($0.event.sequence) } ?? .null : .null
            return JSONResponse.make(.object(object))
        }
        table.add(
            .post, "/api/v1/events/{id}/replay", "Queue a parked event again (attempts reset)", scope: .admin, tag: "events", success: 202
        ) { _, context in
            let sequence = try context.intParameter()
            switch try await environment.store.replayEvent(sequence: sequence, now: environment.clock.now()) {
            case .notFound: throw APIError.notFound("event", id: sequence)
            case .notParked:
                throw APIError(.conflict, code: "not_parked", message: "event \(sequence) is not parked; only parked events are replayed")
            case .replayed:
                environment.logger.info("queue.event_replayed", metadata: ["event.sequence": "\(sequence)"])
                return JSONResponse.make(.object(JSONObject([("event_id", .int(sequence)), ("status", .string("queued"))])), status: .accepted)
            }
        }
    }

    /// `queued` until the event has an outcome, then `done`, or `parked` when it was set aside.
    static func status(_ outcome: JSONValue?) -> String {
        guard let outcome else { return "queued" }
        return outcome["status"]?.stringValue == "parked" ? "parked" : "done"
    }

    /// The state-carrying members of `args` (EventIntake) with their types checked: `chat`, `mail` and
    /// `conversation` are objects with a positive integer `id`, `msg` an object with a positive integer `chat_id`
    /// (and, if given, `id`). An integer sent as a string of digits is accepted, as PHP platforms send them.
    static func checkStateMembers(_ args: JSONObject) throws {
        func positiveID(_ object: JSONObject, _ member: String, field: String, required: Bool) throws {
            let value = object[member]
            if value == nil || value?.isNull == true {
                guard required else { return }
                throw APIError(.unprocessableContent, code: "validation_failed", message: "\(field) is required (a positive integer)", field: field)
            }
            let number: Int?
            switch value {
            case .int(let int)?: number = int
            case .string(let text)? where !text.isEmpty && text.count <= 19 && text.utf8.allSatisfy({ (48...57).contains($0) }): number = Int(text)
            default: number = nil
            }
            guard let number, number > 0 else {
                throw APIError(.unprocessableContent, code: "validation_failed", message: "\(field) must be a positive integer", field: field)
            }
        }
        for (member, kind, idMember) in [
            ("chat", "chat", "id"), ("msg", "message", "chat_id"), ("mail", "mail message", "id"), ("conversation", "conversation", "id"),
        ] {
            guard let value = args[member], !value.isNull else { continue }
            guard case .object(let object) = value else {
                throw APIError(
                    .unprocessableContent, code: "validation_failed", message: "args.\(member) must be a \(kind) object", field: "args.\(member)")
            }
            try positiveID(object, idMember, field: "args.\(member).\(idMember)", required: true)
            if member == "msg" { try positiveID(object, "id", field: "args.msg.id", required: false) }
        }
    }

    func receive(_ request: Request) async throws -> Response {
        let body = try await request.jsonObject(limit: environment.configuration.maxBodyBytes)
        guard case .string(let name)? = body["event"], !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError(
                .unprocessableContent, code: "validation_failed", message: "event must be a non-empty string such as \"chat.close\"", field: "event")
        }
        guard name.count <= 100 else {
            throw APIError(.unprocessableContent, code: "validation_failed", message: "event is longer than 100 characters", field: "event")
        }
        let args: JSONObject
        switch body["args"] {
        case nil, .null?: args = JSONObject()
        case .object(let object)?: args = object
        default: throw APIError(.unprocessableContent, code: "validation_failed", message: "args must be an object", field: "args")
        }
        var key: String?
        switch body["id"] {
        case nil, .null?: key = nil
        case .string(let text)?: key = text
        case .int(let number)?: key = String(number)
        default: throw APIError(.unprocessableContent, code: "validation_failed", message: "id must be a string or an integer", field: "id")
        }
        if let text = key {
            guard !text.isEmpty, text.count <= 200 else {
                throw APIError(.unprocessableContent, code: "validation_failed", message: "id must be 1 to 200 characters", field: "id")
            }
            guard !text.hasPrefix(EventRunner.reservedKeyPrefix) else {
                throw APIError(
                    .unprocessableContent, code: "validation_failed", message: "ids starting with '\(EventRunner.reservedKeyPrefix)' are reserved",
                    field: "id"
                )
            }
        }
        try Self.checkStateMembers(args)

        let now = environment.clock.now()
        // State first, so that a worker claiming the event reads the chat it carried (spec §1.4 step 7).
        _ = try await environment.intake.apply(args: args, now: now)
        let (status, answer) = try await dispatch(name: name, key: key, args: args, now: now)
        return JSONResponse.make(.object(answer), status: status)
    }

    /// Records an event whose state is already stored and runs it (`http` worker) or queues it (`queue` worker), as
    /// `POST /api/v1/events` does; a key seen before runs nothing and answers its first outcome (`duplicate: true`).
    /// Platform adapters' events take the same path.
    func dispatch(name: String, key: String?, args: JSONObject, now: Int) async throws -> (HTTPResponse.Status, JSONObject) {
        let result = try await environment.store.enqueueEvent(key: key, name: name, args: .object(args), receivedAt: now, runAt: runAt(now: now))
        switch result {
        case .duplicate(let sequence): return try await duplicate(sequence: sequence)
        case .accepted(let sequence): return try await accepted(sequence: sequence, name: name, args: args, now: now)
        }
    }

    /// When an event stored now is due: at once for the `queue` worker, after the inline run's fallback time for the
    /// `http` worker (a worker takes it if the request dies), never while webhooks are disabled.
    func runAt(now: Int) -> Int {
        let configuration = environment.configuration
        if !configuration.webhooksEnabled { return Self.never }
        return configuration.worker == .http ? now + Self.inlineFallbackSeconds : now
    }

    /// The answer for an event whose key was stored before: its first outcome, run nothing.
    func duplicate(sequence: Int) async throws -> (HTTPResponse.Status, JSONObject) {
        environment.metrics.eventReceived(mode: environment.configuration.worker.rawValue, result: "duplicate")
        let outcome = try await environment.store.event(sequence: sequence)?.outcome
        var object = JSONObject([("event_id", .int(sequence)), ("duplicate", .bool(true))])
        object["status"] = .string(Self.status(outcome))
        object["outcome"] = outcome ?? .null
        return (.ok, object)
    }

    /// Runs (`http` worker) or leaves queued (`queue` worker) an event just stored as new.
    func accepted(sequence: Int, name: String, args: JSONObject, now: Int) async throws -> (HTTPResponse.Status, JSONObject) {
        let configuration = environment.configuration
        let store = environment.store
        environment.metrics.eventReceived(mode: configuration.worker.rawValue, result: "accepted")
        if !configuration.webhooksEnabled {
            let outcome: JSONValue = .object(JSONObject([("event", .string(name)), ("skipped", .string("webhooks_disabled"))]))
            try await store.completeEvent(sequence: sequence, outcome: outcome, now: now)
            return (
                .accepted,
                JSONObject([("event_id", .int(sequence)), ("duplicate", .bool(false)), ("status", .string("stored")), ("outcome", outcome)])
            )
        }
        switch configuration.worker {
        case .queue:
            return (.accepted, JSONObject([("event_id", .int(sequence)), ("duplicate", .bool(false)), ("status", .string("queued"))]))
        case .http:
            let outcome = try await environment.inline.run(sequence: sequence, name: name, args: args, now: now)
            var object = JSONObject([("event_id", .int(sequence)), ("duplicate", .bool(false)), ("status", .string("done"))])
            object["outcome"] = outcome
            return (.ok, object)
        }
    }
}
