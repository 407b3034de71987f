import HookworkCore
import HookworkEngine
import HookworkStore
import Hummingbird

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
        table.add(.get, "/api/v1/events/{id}", "An event and its outcome", scope: .ingest, tag: "events") { _, context in
            let sequence = try context.intParameter()
            guard let (event, outcome) = try await environment.store.event(sequence: sequence) else { throw APIError.notFound("event", id: sequence) }
            var object = JSONObject([("event_id", .int(event.sequence)), ("event", .string(event.name))])
            object["id"] = event.key.map(JSONValue.string) ?? .null
            object["args"] = event.args
            object["received_at"] = .int(event.receivedAt)
            object["run_at"] = .int(event.runAt)
            object["attempts"] = .int(event.attempts)
            object["status"] = .string(outcome == nil ? "queued" : "done")
            object["outcome"] = outcome ?? .null
            return JSONResponse.make(.object(object))
        }
    }

    func receive(_ request: Request) async throws -> Response {
        let body = try await request.jsonObject(limit: environment.configuration.maxBodyBytes)
        guard case .string(let name)? = body["event"], !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError(.unprocessableContent, code: "validation_failed", message: "event must be a non-empty string such as \"chat.close\"", field: "event")
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
                    .unprocessableContent, code: "validation_failed", message: "ids starting with '\(EventRunner.reservedKeyPrefix)' are reserved", field: "id"
                )
            }
        }
        for (member, kind) in [("chat", "chat"), ("msg", "message"), ("mail", "mail message"), ("conversation", "conversation")] {
            if let value = args[member], case .object = value {
                continue
            } else if let value = args[member], !value.isNull, member != "chat" {
                throw APIError(.unprocessableContent, code: "validation_failed", message: "args.\(member) must be a \(kind) object", field: "args.\(member)")
            }
        }

        let configuration = environment.configuration
        let store = environment.store
        let now = environment.clock.now()
        // State first, so that a worker claiming the event reads the chat it carried (spec §1.4 step 7).
        _ = try await environment.intake.apply(args: args)
        let mode = configuration.worker.rawValue
        let runAt: Int
        if !configuration.webhooksEnabled {
            runAt = Self.never
        } else {
            runAt = configuration.worker == .http ? now + Self.inlineFallbackSeconds : now
        }
        let result = try await store.enqueueEvent(key: key, name: name, args: .object(args), receivedAt: now, runAt: runAt)
        switch result {
        case .duplicate(let sequence):
            environment.metrics.eventReceived(mode: mode, result: "duplicate")
            let outcome = try await store.event(sequence: sequence)?.outcome
            var object = JSONObject([("event_id", .int(sequence)), ("duplicate", .bool(true))])
            object["status"] = .string(outcome == nil ? "queued" : "done")
            object["outcome"] = outcome ?? .null
            return JSONResponse.make(.object(object))
        case .accepted(let sequence):
            environment.metrics.eventReceived(mode: mode, result: "accepted")
            if !configuration.webhooksEnabled {
                let outcome: JSONValue = .object(JSONObject([("event", .string(name)), ("skipped", .string("webhooks_disabled"))]))
                try await store.completeEvent(sequence: sequence, outcome: outcome, now: now)
                return JSONResponse.make(
                    .object(JSONObject([("event_id", .int(sequence)), ("duplicate", .bool(false)), ("status", .string("stored")), ("outcome", outcome)])),
                    status: .accepted
                )
            }
            switch configuration.worker {
            case .queue:
                return JSONResponse.make(
                    .object(JSONObject([("event_id", .int(sequence)), ("duplicate", .bool(false)), ("status", .string("queued"))])), status: .accepted
                )
            case .http:
                let outcome = try await runInline(sequence: sequence, name: name, args: args, now: now)
                var object = JSONObject([("event_id", .int(sequence)), ("duplicate", .bool(false)), ("status", .string("done"))])
                object["outcome"] = outcome
                return JSONResponse.make(.object(object))
            }
        }
    }
}
