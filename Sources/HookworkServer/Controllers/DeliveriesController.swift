import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkStore
import Hummingbird
import Logging

/// The delivery log, replay, the circuit breakers and the activity view (DESIGN §4 "Operations").
struct DeliveriesController {
    let environment: ServerEnvironment

    func register(on table: RouteTable) {
        let environment = environment
        table.add(
            .get, "/api/v1/deliveries", "Deliveries, newest first, filtered by status, webhook, chat and time", scope: .admin, tag: "deliveries"
        ) {
            request, _ in
            let query = try Self.query(request.uri.queryParameters)
            let records = try await environment.store.deliveries(query)
            var object = JSONObject([("deliveries", .array(records.map(\.json)))])
            object["next_before_id"] = records.count == query.limit ? records.last.map { .int($0.id) } ?? .null : .null
            return JSONResponse.make(.object(object))
        }
        table.add(.get, "/api/v1/deliveries/{id}", "A delivery with the log of its attempts", scope: .admin, tag: "deliveries") { _, context in
            let id = try context.intParameter()
            guard let record = try await environment.store.delivery(id: id) else { throw APIError.notFound("delivery", id: id) }
            let attempts = try await environment.store.deliveryAttempts(id: id)
            guard case .object(var object) = record.json else { return JSONResponse.make(record.json) }
            object["attempts_log"] = .array(attempts.map(\.json))
            return JSONResponse.make(.object(object))
        }
        table.add(
            .post, "/api/v1/deliveries/{id}/replay", "Make a delivery again (same message id)", scope: .admin, tag: "deliveries", success: 202
        ) { _, context in
            let id = try context.intParameter()
            let now = environment.clock.now()
            guard let record = try await environment.store.replayDelivery(id: id, now: now) else {
                // Refused while an attempt holds it: that attempt's outcome would overwrite the replay.
                guard try await environment.store.delivery(id: id) != nil else { throw APIError.notFound("delivery", id: id) }
                throw APIError(
                    .conflict, code: "attempt_in_flight",
                    message: "delivery \(id) has an attempt in flight; replay it when the attempt has finished")
            }
            environment.logger.info("delivery.replayed", metadata: ["delivery.id": "\(id)"])
            return JSONResponse.make(.object(JSONObject([("delivery", record.json)])), status: .accepted)
        }
        table.add(
            .post, "/api/v1/deliveries/replay", "Replay every failed or exhausted delivery created in a time range", scope: .admin, tag: "deliveries",
            body: true
        ) { request, _ in
            let body = try await request.jsonObject(limit: environment.configuration.maxBodyBytes)
            guard let statusText = body["status"]?.stringValue, let status = DeliveryStatus(rawValue: statusText),
                status == .failed || status == .exhausted
            else {
                throw APIError(
                    .unprocessableContent, code: "validation_failed", message: "status must be \"failed\" or \"exhausted\"", field: "status")
            }
            let since = try Self.seconds(body["since"], field: "since")
            let until = try Self.seconds(body["until"], field: "until")
            guard since < until else {
                throw APIError(.unprocessableContent, code: "validation_failed", message: "until must be later than since", field: "until")
            }
            let count = try await environment.store.replayDeliveries(status: status, since: since, until: until, now: environment.clock.now())
            environment.logger.info("delivery.replayed_range", metadata: ["delivery.count": "\(count)", "delivery.status": "\(status.rawValue)"])
            return JSONResponse.make(.object(JSONObject([("replayed", .int(count))])))
        }
        table.add(
            .post, "/api/v1/breakers/{host}/enable", "Retry calls to a host again after it answered 410 Gone", scope: .admin, tag: "deliveries"
        ) { _, context in
            let host = try context.parameters.require("host")
            guard try await environment.store.enableHost(host) else {
                throw APIError(.notFound, code: "not_found", message: "\(host) is not disabled; GET /api/v1/breakers lists the hosts")
            }
            environment.attempter.disabledHosts.forget(host)
            environment.logger.notice("delivery.host_enabled", metadata: ["delivery.host": "\(host)"])
            return JSONResponse.make(.object(JSONObject([("host", .string(host)), ("enabled", .bool(true))])))
        }
        table.add(.get, "/api/v1/breakers", "Circuit breakers of this process, by receiver host", scope: .admin, tag: "deliveries") { _, _ in
            let disabled = try await environment.store.disabledHosts()
            var hosts: [String: JSONObject] = [:]
            for (host, breaker) in environment.breakers.snapshot() {
                var object = JSONObject([("host", .string(host)), ("state", .string(breaker.state.rawValue))])
                object["consecutive_failures"] = .int(breaker.consecutiveFailures)
                object["opened_at"] = breaker.openedAt.map(JSONValue.int) ?? .null
                object["next_probe_at"] = breaker.nextProbeAt.map(JSONValue.int) ?? .null
                object["retries_disabled_at"] = .null
                object["disabled_reason"] = .null
                hosts[host] = object
            }
            for entry in disabled {
                var object =
                    hosts[entry.host]
                    ?? JSONObject([
                        ("host", .string(entry.host)), ("state", "closed"), ("consecutive_failures", 0), ("opened_at", .null),
                        ("next_probe_at", .null),
                    ])
                object["retries_disabled_at"] = .int(entry.disabledAt)
                object["disabled_reason"] = .string(entry.reason)
                hosts[entry.host] = object
            }
            let list = hosts.keys.sorted().compactMap { hosts[$0].map(JSONValue.object) }
            return JSONResponse.make(.object(JSONObject([("hosts", .array(list))])))
        }
        table.add(.get, "/api/v1/activity", "Events, firings and deliveries per time bucket (window=hour|day)", scope: .admin, tag: "deliveries") {
            request, _ in
            let window = request.uri.queryParameters["window"].map(String.init) ?? "hour"
            let (bucket, count): (Int, Int)
            switch window {
            case "hour": (bucket, count) = (300, 12)
            case "day": (bucket, count) = (3600, 24)
            default: throw APIError(.badRequest, code: "invalid_query", message: "window must be hour or day", field: "window")
            }
            let now = environment.clock.now()
            let start = (now / bucket + 1) * bucket - bucket * count
            let buckets = try await environment.store.activity(start: start, bucketSeconds: bucket, count: count)
            var object = JSONObject([("window", .string(window)), ("bucket_seconds", .int(bucket))])
            object["buckets"] = .array(
                buckets.map {
                    .object(
                        JSONObject([
                            ("start", .int($0.start)), ("events", .int($0.events)), ("firings", .int($0.firings)),
                            ("runs_without_change", .int($0.idleRuns)), ("delivered", .int($0.delivered)),
                            ("failed", .int($0.failed)),
                        ]))
                }
            )
            return JSONResponse.make(.object(object))
        }
    }

    /// The list filters, each checked: 400 naming the parameter.
    static func query(_ parameters: Parameters) throws -> DeliveryQuery {
        func int(_ name: String, _ range: ClosedRange<Int>) throws -> Int? { try parameters.checkedInt(name, range) }
        var query = DeliveryQuery()
        if let text = parameters["status"].map(String.init), !text.isEmpty {
            guard let status = DeliveryStatus(rawValue: text) else {
                throw APIError(
                    .badRequest, code: "invalid_query",
                    message: "status must be one of \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", ")); got '\(text)'",
                    field: "status"
                )
            }
            query.status = status
        }
        if let text = parameters["kind"].map(String.init), !text.isEmpty {
            guard let kind = DeliveryKind(rawValue: text) else {
                throw APIError(
                    .badRequest, code: "invalid_query",
                    message: "kind must be one of \(DeliveryKind.allCases.map(\.rawValue).joined(separator: ", ")); got '\(text)'", field: "kind"
                )
            }
            query.kind = kind
        }
        query.webhookID = try int("webhook_id", 1...Int.max)
        query.chatID = try int("chat_id", 1...Int.max)
        query.since = try int("since", 0...Int.max)
        query.until = try int("until", 0...Int.max)
        query.beforeID = try int("before_id", 1...Int.max)
        query.limit = try int("limit", 1...500) ?? 50
        return query
    }

    static func seconds(_ value: JSONValue?, field: String) throws -> Int {
        guard let seconds = value?.intValue, seconds >= 0 else {
            throw APIError(.unprocessableContent, code: "validation_failed", message: "\(field) must be unix seconds (a whole number)", field: field)
        }
        return seconds
    }
}
