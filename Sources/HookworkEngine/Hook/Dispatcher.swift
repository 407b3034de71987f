public import HookworkCore
public import HookworkStore
public import Logging

/// Runs hook webhooks (type 0) for an event (spec §1.3, §1.4): every enabled one whose event matches, by id
/// descending, once each (DESIGN §5 deviation 3); valid -> trigger, not valid -> alternative trigger.
public struct Dispatcher: Sendable {
    let store: any Store
    let assembler: ChatAssembler
    let executor: TriggerExecutor
    let logger: Logger
    let metrics: any EngineMetrics
    let catalog: ConfigurationCatalog

    /// A dispatcher over `store`, running triggers with `executor` and reading the webhooks from the executor's catalog.
    public init(store: any Store, executor: TriggerExecutor, logger: Logger, metrics: any EngineMetrics = NoEngineMetrics()) {
        self.store = store
        self.assembler = ChatAssembler(store: store)
        self.executor = executor
        self.logger = logger
        self.metrics = metrics
        self.catalog = executor.catalog
    }

    /// Enabled hook webhooks (type 0) listening to `event`, id descending.
    public func webhooks(for event: String) async throws -> [CompiledWebhook] {
        try await catalog.snapshot().hookWebhooks(for: event)
    }

    /// What one event did.
    public struct Report: Sendable {
        /// The event name.
        public var event: String
        /// One entry per webhook evaluated.
        public var webhooks: [JSONValue]
        /// Why nothing ran, when nothing could (`chat_gone`).
        public var skipped: String?

        /// The report as JSON.
        public var json: JSONValue {
            var object = JSONObject([("event", .string(event)), ("webhooks", .array(webhooks))])
            if let skipped { object["skipped"] = .string(skipped) }
            return .object(object)
        }
    }

    /// Evaluates `webhooks` against the event and runs their triggers. `args` are the event's arguments; the chat
    /// (or mail message) is read from the store now, so a queued event sees the current state (spec §1.4 step 7); a chat
    /// also shows the changes `effects` holds and has not committed yet (an event raised inline by a chat-changing action).
    /// The triggers' calls are added to `effects`, for the caller to commit.
    public func run(event: String, args: JSONObject, webhooks: [CompiledWebhook], now: Int, queued: Bool, effects: Effects) async throws -> Report {
        guard !webhooks.isEmpty else { return Report(event: event, webhooks: []) }
        var args = args
        var rootKind = NodeKind.argsWithChat
        var messages: [JSONObject] = []
        if case .object(let mail)? = args["mail"] {
            // A `mail` argument becomes `args.chat` (spec §2.2, "Mail mapping rule").
            let id = mail["id"]?.looseInt ?? 0
            var found: JSONObject?
            if id > 0 { found = try await assembler.mailMessage(id: id) }
            let assembled: JSONObject
            if let found { assembled = found } else { assembled = try await assembler.assemble(mail: mail) }
            args["chat"] = .object(assembled)
            // The hook evaluator reads `args.mail` as the chat; give it the assembled message too.
            args["mail"] = .object(assembled)
            if let conversationID = assembled["conversation_id"]?.looseInt, let conversation = try await assembler.conversation(id: conversationID) {
                args["conversation"] = .object(conversation)
            }
            rootKind = .argsWithMail
        } else if case .object(let chat)? = args["chat"] {
            let id = chat["id"]?.looseInt ?? 0
            var assembled: ChatAssembler.AssembledChat
            if id > 0 {
                guard let stored = try await assembler.chat(id: id, now: now, pending: effects) else {
                    logger.info("dispatch.chat_gone", metadata: ["chat.id": "\(id)", "event.name": "\(event)"])
                    return Report(event: event, webhooks: [], skipped: "chat_gone")
                }
                assembled = stored
            } else {
                assembled = try await assembler.assemble(chat: chat, now: now)
            }
            if queued, let message = args["msg"], case .object = message {
                assembled.chat["last_message"] = message
            }
            args["chat"] = .object(assembled.chat)
            messages = assembled.messages
        } else {
            args["chat"] = .object(try await assembler.assemble(chat: ChatAssembler.placeholderChat, now: now).chat)
        }
        args["lhc_event"] = .string(event)
        // Webhooks that read business time see the chat's calendar's clock (`BusinessTime`).
        let configuration = try await catalog.snapshot()
        let business = configuration.businessClocks(for: webhooks) ?? configuration.triggerClocks
        let clocks = business.flatMap { business in args["chat"]?.objectValue.map { business.clocks(for: $0, now: now) } }
        if let business { args = business.annotated(args: args, now: now) }

        var entries: [JSONValue] = []
        for compiled in webhooks {
            let webhook = compiled.webhook
            let webhookID = webhook.id
            var entry = JSONObject([("id", .int(webhookID)), ("name", webhook.document["name"] ?? .string(""))])
            // Conditions that are not a list count as "no conditions", as the reference's empty configuration does
            // (spec §3.1); saving refuses them, so only a webhook stored by other means has them.
            let outcome = compiled.conditions?.evaluate(args: .object(args), messages: messages, now: now)
            let valid = outcome?.valid ?? true
            metrics.webhookEvaluated(valid: valid)
            entry["valid"] = .bool(valid)
            if let error = outcome?.raisedError {
                // DESIGN §5 deviation 1: the reference aborts the event here; Hookwork counts that condition false.
                entry["error"] = .string(error)
                logger.info("webhook.condition_error", metadata: ["webhook.id": "\(webhookID)", "event.name": "\(event)", "error": "\(error)"])
            }
            entry["trace"] = outcome?.traceJSON ?? .array([])
            if compiled.readsBusinessTime, let clocks { entry["clocks"] = clocks }
            let chosen = webhook.trigger(valid: valid)
            logger.debug(
                "webhook.evaluated",
                metadata: ["webhook.id": "\(webhookID)", "webhook.valid": "\(valid)", "event.name": "\(event)"]
            )
            if chosen > 0, webhook.isShadow {
                // Shadow mode: the firing is recorded, with its trace, and no trigger runs.
                let chatID = args["chat"]?["id"]?.looseInt ?? 0
                effects.shadowFired(
                    ShadowFiring(
                        source: .hook, webhookID: webhookID, subjectID: chatID, firedAt: now, branch: valid ? "trigger" : "alternative",
                        triggerID: chosen, trace: entry["trace"] ?? .array([])))
                entry["branch"] = .string(valid ? "trigger" : "alternative")
                entry["trigger"] = .null
                entry["shadow"] = .bool(true)
            } else if chosen > 0 {
                var triggerArgs = args
                triggerArgs["webhook_id"] = .int(webhookID)
                triggerArgs["override_gbot_id"] = webhook.botID
                let report = try await executor.run(triggerID: chosen, args: .object(triggerArgs), rootKind: rootKind, now: now, effects: effects)
                effects.fired(
                    FiringLogEntry(
                        source: .hook, webhookID: webhookID, triggerID: chosen, firedAt: now, effective: report.changedSomething,
                        chatID: args["chat"]?["id"]?.looseInt))
                entry["branch"] = .string(valid ? "trigger" : "alternative")
                entry["trigger"] = report.json
            } else {
                entry["branch"] = .string("none")
                entry["trigger"] = .null
            }
            entries.append(.object(entry))
        }
        return Report(event: event, webhooks: entries)
    }
}
