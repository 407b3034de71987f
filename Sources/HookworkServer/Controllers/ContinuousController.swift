import HookworkCore
import HookworkDelivery
public import HookworkEngine
import HookworkStore
import Hummingbird
import Logging
import ServiceLifecycle

/// Continuous webhooks' operations: the webhook test (spec §5.5), chat and mail-message attribute exploration
/// (spec §9.1), and the firing and mail ledgers (spec §3.2, §6.1).
struct ContinuousController {
    let environment: ServerEnvironment

    var inspector: WebhookInspector {
        WebhookInspector(store: environment.store, defaultCalendarID: environment.configuration.defaultCalendarID)
    }

    func register(on table: RouteTable) {
        let environment = environment
        let inspector = inspector
        table.add(
            .post, "/api/v1/webhooks/{id}/test",
            "Evaluate a webhook against a chat (chat_id) or mail message (message_id) with a trace; runs no trigger",
            scope: .admin, tag: "continuous", body: true
        ) { request, context in
            let id = try context.intParameter()
            let body = try await request.jsonObject(limit: environment.configuration.maxBodyBytes)
            let chatID = try Self.optionalID(body, "chat_id")
            let messageID = try Self.optionalID(body, "message_id")
            guard chatID != nil || messageID != nil else {
                throw APIError(
                    .unprocessableContent, code: "validation_failed", message: "send chat_id (a chat) or message_id (a mail message)",
                    field: "chat_id")
            }
            return JSONResponse.make(
                try await inspector.test(webhookID: id, chatID: chatID, messageID: messageID, now: environment.clock.now()))
        }
        // `mail_messages` as the state routes spell it; `mail-messages` stays as an alias.
        for (path, label) in [("chats", "chat"), ("mail_messages", "mail message"), ("mail-messages", "mail message")] {
            let isMail = path != "chats"
            @Sendable func load(_ id: Int) async throws -> JSONObject {
                let found = isMail ? try await inspector.mailMessage(id: id) : try await inspector.chat(id: id, now: environment.clock.now())
                guard let found else { throw APIError.notFound(label, id: id) }
                return found
            }
            table.add(
                .get, "/api/v1/\(path)/{id}/explore",
                "Every {args.chat.*} path of a \(label) with its value, derived attributes included (depth 1-4, default 2)",
                scope: .admin, tag: "continuous"
            ) { request, context in
                let id = try context.intParameter()
                var depth = 2
                if let text = request.uri.queryParameters["depth"] {
                    guard let value = Int(text), (1...4).contains(value) else {
                        throw APIError(.badRequest, code: "invalid_query", message: "depth must be an integer from 1 to 4", field: "depth")
                    }
                    depth = value
                }
                let attributes = WebhookInspector.explore(try await load(id), depth: depth).map { item in
                    JSONValue.object(JSONObject([("path", .string(item.path)), ("value", item.value)]))
                }
                return JSONResponse.make(.object(JSONObject([(isMail ? "message_id" : "chat_id", .int(id)), ("attributes", .array(attributes))])))
            }
            table.add(
                .get, "/api/v1/\(path)/{id}/extract", "The value of one pattern (path=args.chat.department.name) for a \(label)", scope: .admin,
                tag: "continuous"
            ) { request, context in
                let id = try context.intParameter()
                guard let pattern = request.uri.queryParameters["path"].map(String.init), !pattern.isEmpty else {
                    throw APIError(
                        .badRequest, code: "invalid_query", message: "path is required, for example path=args.chat.department.name", field: "path")
                }
                let value = WebhookInspector.extract(pattern, from: try await load(id), rootKind: isMail ? .argsWithMail : .argsWithChat)
                return JSONResponse.make(
                    .object(JSONObject([("path", .string(pattern)), ("found", .bool(value != nil)), ("value", value ?? .null)])))
            }
        }
        table.add(
            .get, "/api/v1/continuous/parked",
            "Chats and mail messages a process stopped on while a continuous pass had them in flight: suspected, or parked (skipped)",
            scope: .admin, tag: "continuous"
        ) { _, _ in
            let faults = try await environment.store.continuousFaults()
            return JSONResponse.make(
                .object(
                    JSONObject([
                        ("faults", .array(faults.map(\.json))), ("parked", .int(faults.filter { $0.parkedAt != nil }.count)),
                    ])))
        }
        for (path, subject) in [("chats", ContinuousSubject.chat), ("mail_messages", .mailMessage)] {
            let label = subject == .chat ? "chat" : "mail message"
            table.add(
                .post, "/api/v1/\(path)/{id}/resume", "Let continuous passes evaluate a parked \(label) again (its crash count starts over)",
                scope: .admin, tag: "continuous"
            ) { _, context in
                let id = try context.intParameter()
                guard try await environment.store.resumeContinuous(subject, id: id) else {
                    throw APIError(.notFound, code: "not_parked", message: "\(label) \(id) is neither parked nor suspected")
                }
                environment.logger.info("continuous.resumed", metadata: ["subject": "\(subject.rawValue)", "id": "\(id)"])
                return JSONResponse.make(
                    .object(JSONObject([("subject", .string(subject.rawValue)), ("id", .int(id)), ("status", .string("resumed"))])))
            }
        }
        let explainer = FiringExplainer(store: environment.store, defaultCalendarID: environment.configuration.defaultCalendarID)
        table.add(
            .get, "/api/v1/webhooks/{id}/chats/{chat_id}/why",
            "Why a webhook fires or not for a chat: its verdict now with the trace, and each thing that holds a firing back", scope: .admin,
            tag: "continuous"
        ) { _, context in
            let id = try context.intParameter()
            let chatID = try context.intParameter("chat_id")
            let now = environment.clock.now()
            let blocked = Set(environment.breakers.blockedHosts(now: now))
            return JSONResponse.make(
                .object(try await explainer.explain(webhookID: id, chatID: chatID, now: now, blockedHosts: blocked)))
        }
        table.add(
            .get, "/api/v1/webhooks/{id}/shadow_firings",
            "What a webhook in shadow mode would have fired (since, until: unix seconds, the last day by default), with counts per hour",
            scope: .admin, tag: "continuous"
        ) { request, context in
            let id = try context.intParameter()
            guard let document = try await environment.store.get(.webhook, id: id) else { throw APIError.notFound("webhook", id: id) }
            let parameters = request.uri.queryParameters
            let now = environment.clock.now()
            let until = try parameters.checkedInt("until", 0...Int(Int32.max) * 2) ?? now + 1
            let since = try parameters.checkedInt("since", 0...Int(Int32.max) * 2) ?? until - 86_400
            let limit = try parameters.checkedInt("limit", 1...1000) ?? 100
            let firings = try await environment.store.shadowFirings(webhookID: id, since: since, until: until, limit: limit)
            let hours = try await environment.store.shadowFiringsPerHour(webhookID: id, since: since, until: until)
            let subject = document["type"]?.looseInt == 2 ? "mail_message_id" : "chat_id"
            return JSONResponse.make(
                .object(
                    JSONObject([
                        ("webhook_id", .int(id)), ("mode", .string(Webhook(document: document).isShadow ? "shadow" : "live")),
                        ("since", .int(since)), ("until", .int(until)), ("total", .int(hours.reduce(0) { $0 + $1.count })),
                        (
                            "per_hour",
                            .array(hours.map { .object(JSONObject([("hour", .int($0.hour)), ("count", .int($0.count))])) })
                        ),
                        (
                            "firings",
                            .array(
                                firings.map { firing in
                                    .object(
                                        JSONObject([
                                            (subject, .int(firing.subjectID)), ("time", .int(firing.firedAt)), ("branch", .string(firing.branch)),
                                            ("trigger_id", .int(firing.triggerID)), ("source", .string(firing.source.rawValue)),
                                            ("trace", firing.trace),
                                        ]))
                                })
                        ),
                    ])))
        }
        table.add(
            .get, "/api/v1/webhooks/{id}/ledger", "A continuous webhook's ledger: fired chats (type 1) or processed mail messages (type 2)",
            scope: .admin, tag: "continuous"
        ) { _, context in
            let id = try context.intParameter()
            guard let webhook = try await environment.store.get(.webhook, id: id) else { throw APIError.notFound("webhook", id: id) }
            if webhook["type"]?.looseInt == 2 {
                let ids = try await environment.store.mailLedger(webhookID: id)
                return JSONResponse.make(
                    .object(
                        JSONObject([("webhook_id", .int(id)), ("processed_count", .int(ids.count)), ("message_ids", .array(ids.map(JSONValue.int)))]))
                )
            }
            let typed = Webhook(document: webhook)
            let rows = try await environment.store.firingLedger(webhookID: id).map { row in
                var object = JSONObject([
                    ("chat_id", .int(row.chatID)), ("branch", .string(row.branch.rawValue)), ("state", .string(row.state)),
                    ("last_fired_at", .int(row.lastFiredAt)),
                ])
                for (key, value) in EpisodeProgress.describe(row, webhook: typed) { object[key] = value }
                return JSONValue.object(object)
            }
            return JSONResponse.make(.object(JSONObject([("webhook_id", .int(id)), ("chats", .array(rows))])))
        }
        table.add(
            .delete, "/api/v1/webhooks/{id}/ledger", "Reset a webhook's ledger: matching chats and mail messages fire again", scope: .admin,
            tag: "continuous"
        ) { _, context in
            let id = try context.intParameter()
            guard try await environment.store.get(.webhook, id: id) != nil else { throw APIError.notFound("webhook", id: id) }
            let deleted = try await environment.store.resetLedger(webhookID: id)
            environment.logger.info("continuous.ledger_reset", metadata: ["webhook.id": "\(id)", "ledger.deleted": "\(deleted)"])
            return JSONResponse.make(.object(JSONObject([("deleted", .int(deleted))])))
        }
    }

    /// An optional positive integer member of a request body.
    static func optionalID(_ body: JSONObject, _ key: String) throws -> Int? {
        guard let value = body[key], !value.isNull else { return nil }
        guard case .int(let id) = value, id > 0 else {
            throw APIError(.unprocessableContent, code: "validation_failed", message: "\(key) must be a positive integer", field: key)
        }
        return id
    }
}

/// The continuous scheduler `serve` runs, when switched on.
func continuousServices(
    configuration: HookworkConfiguration, store: any Store, executor: TriggerExecutor, clock: any EngineClock, logger: Logger,
    attempter: DeliveryAttempter, background: BackgroundWork, operations: OperationalEvents
) -> [any Service] {
    guard configuration.continuousEnabled else { return [] }
    // What the previous process had in flight when it stopped; without the file, passes run unnoted.
    var sentinel: CrashSentinel?
    do {
        sentinel = try CrashSentinel(path: configuration.resolvedCrashSentinelPath)
    } catch {
        logger.warning("continuous.sentinel_unavailable", metadata: ["error": "\(error)"])
    }
    // A firing's calls are attempted at once, beside the pass (a slow receiver does not hold the next pass up); if
    // this process stops first, the delivery workers make them.
    let worker = "continuous-\(Int.random(in: 100_000...999_999))"
    let deliverNow: @Sendable ([Int]) -> Void = { ids in
        // Refused only while shutting down: the delivery workers then make the calls.
        _ = background.submit { _ = await attempter.attemptNow(ids: ids, worker: worker) }
    }
    return [
        ContinuousScheduler(
            store: store, executor: executor, clock: clock, logger: logger, options: configuration.continuousOptions, deliverNow: deliverNow,
            sentinel: sentinel, operations: operations
        )
    ]
}

extension HookworkConfiguration {
    /// The scheduler's options from the configuration.
    public var continuousOptions: ContinuousOptions {
        var options = ContinuousOptions()
        options.tickSeconds = continuousTick
        options.chatLimit = continuousChatLimit
        options.statsIntervalSeconds = statsInterval
        options.parkAfterCrashes = chatMaxCrashes
        options.crashOnChatID = debugCrashChatID
        options.historyDays = historyDays
        return options
    }
}
