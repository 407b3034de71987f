import Foundation
public import HookworkCore
public import HookworkStore

/// Why an inspection could not be made: a record that does not exist, or a request that does not fit the webhook.
public struct InspectionError: Error, Sendable, CustomStringConvertible {
    /// `not_found` or `validation_failed`.
    public var code: String
    /// The request member at fault, if one is.
    public var field: String?
    /// What is wrong and how to fix it.
    public var message: String

    /// An error.
    public init(code: String, field: String?, message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { message }
}

/// The reference's debugging tools (spec §5.5, §9.1): test one webhook against one chat or mail message without
/// running a trigger, list every `{args.chat.*}` path of a chat or mail message with its value, extract one path.
public struct WebhookInspector: Sendable {
    let store: any RecordStore & ContinuousStore
    let assembler: ChatAssembler
    let catalog: ConfigurationCatalog

    /// An inspector over `store`; `defaultCalendarID` is `HOOKWORK_DEFAULT_CALENDAR`, for business time.
    public init(store: any RecordStore & ConfigurationStore & ContinuousStore, defaultCalendarID: Int? = nil) {
        self.store = store
        self.assembler = ChatAssembler(store: store)
        self.catalog = ConfigurationCatalog(store: store, defaultCalendarID: defaultCalendarID)
    }

    /// Evaluates webhook `webhookID` against chat `chatID` (types 0 and 1) or mail message `messageID` (type 2),
    /// whatever the chat's status, tracing every group; runs nothing. The answer is
    /// `{"webhook_id","variant","valid","would_run","trigger_id","trace"}`.
    public func test(webhookID: Int, chatID: Int?, messageID: Int?, now: Int) async throws -> JSONValue {
        let configuration = try await catalog.snapshot()
        guard let compiled = configuration.webhooks[webhookID] else {
            throw InspectionError(code: "not_found", field: nil, message: "webhook \(webhookID) does not exist")
        }
        let webhook = compiled.webhook
        let type = webhook.kind.code
        let variant: ConditionVariant = webhook.kind == .continuousMail ? .continuousMail : webhook.kind == .continuousChat ? .continuousChat : .hook
        let list = compiled.conditions?.list
        let business = configuration.businessClocks(for: [compiled])
        var clocks: JSONValue?
        var outcome: ConditionOutcome?
        if webhook.kind == .continuousMail {
            guard let messageID else {
                throw InspectionError(
                    code: "validation_failed", field: "message_id",
                    message: "webhook \(webhookID) is a mail webhook (type 2); send message_id, the id of a mail message")
            }
            guard var mail = try await assembler.mailMessage(id: messageID) else {
                throw InspectionError(code: "not_found", field: "message_id", message: "mail message \(messageID) does not exist")
            }
            if let business {
                clocks = business.clocks(for: mail, now: now)
                mail = business.annotated(chat: mail, now: now)
            }
            var pass = list?.pass(now: now, variant: variant)
            outcome = pass?.evaluate(chat: .object(mail), trace: true)
        } else {
            guard let chatID else {
                throw InspectionError(
                    code: "validation_failed", field: "chat_id",
                    message: "webhook \(webhookID) is a chat webhook (type \(type)); send chat_id, the id of a chat")
            }
            guard let assembled = try await assembler.chat(id: chatID, now: now) else {
                throw InspectionError(code: "not_found", field: "chat_id", message: "chat \(chatID) does not exist")
            }
            let messages = CompiledConditions.conditionMessages(newestFirst: assembled.messages)
            var pass = list?.pass(now: now, variant: variant)
            if let business { clocks = business.clocks(for: assembled.chat, now: now) }
            if webhook.kind == .hook {
                var args = JSONObject([("chat", .object(assembled.chat))])
                if let business { args = business.annotated(args: args, now: now) }
                outcome = pass?.evaluate(args: .object(args), messages: messages, trace: true)
            } else {
                let chat = business.map { $0.annotated(chat: assembled.chat, now: now) } ?? assembled.chat
                outcome = pass?.evaluate(chat: .object(chat), messages: messages, trace: true)
            }
        }
        // A configuration that is not a list: "no conditions", which a hook passes and a continuous webhook never does.
        let valid = outcome?.valid ?? (webhook.kind == .hook)
        let primary = webhook.triggerID
        let alternative = webhook.kind == .continuousMail ? 0 : webhook.alternativeTriggerID
        let wouldRun = valid ? (primary > 0 ? "trigger" : "nothing") : (alternative > 0 ? "alternative" : "nothing")
        let triggerID: JSONValue = wouldRun == "trigger" ? .int(primary) : wouldRun == "alternative" ? .int(alternative) : .null
        var answer = JSONObject([
            ("webhook_id", .int(webhookID)), ("variant", .string(webhook.kind == .hook ? "hook" : variant.rawValue)), ("valid", .bool(valid)),
            ("would_run", .string(wouldRun)), ("trigger_id", triggerID), ("trace", outcome?.traceJSON ?? .array([])),
        ])
        if let error = outcome?.raisedError { answer["error"] = .string(error) }
        // Webhooks that read business time show both clocks, or why the chat has no calendar.
        if let clocks { answer["clocks"] = clocks }
        // Where the chat's episodes stand: "fired 2 of 3, next at T".
        if webhook.kind == .continuousChat, let chatID {
            let rows = try await store.firingLedger(webhookID: webhookID).filter { $0.chatID == chatID }
            if !rows.isEmpty {
                answer["episodes"] = .array(
                    rows.map { row in
                        var object = JSONObject([("branch", .string(row.branch.rawValue))])
                        for (key, value) in EpisodeProgress.describe(row, webhook: webhook) { object[key] = value }
                        return .object(object)
                    })
            }
        }
        return .object(answer)
    }

    /// The chat as conditions see it (derived attributes included), or nil.
    public func chat(id: Int, now: Int) async throws -> JSONObject? {
        try await assembler.chat(id: id, now: now)?.chat
    }

    /// The mail message as continuous-mail conditions see it, or nil.
    public func mailMessage(id: Int) async throws -> JSONObject? {
        try await assembler.mailMessage(id: id)
    }

    /// Every `args.chat.*` path of `object` down to `depth` levels (1 or 2, at most 4), each with its value: members
    /// that hold objects or lists are opened until the depth is reached, and shown whole there.
    public static func explore(_ object: JSONObject, depth: Int) -> [(path: String, value: JSONValue)] {
        var attributes: [(path: String, value: JSONValue)] = []
        func walk(_ value: JSONValue, path: String, level: Int) {
            switch value {
            case .object(let members) where level < depth && !members.isEmpty:
                for (key, member) in members { walk(member, path: path + "." + key, level: level + 1) }
            case .array(let items) where level < depth && !items.isEmpty:
                for (index, item) in items.enumerated() { walk(item, path: path + ".\(index)", level: level + 1) }
            default:
                attributes.append((path, value))
            }
        }
        for (key, member) in object { walk(member, path: "args.chat." + key, level: 1) }
        return attributes
    }

    /// The value of one pattern (`args.chat.department.name`, with or without braces) in `object`, resolved as
    /// conditions resolve placeholders (spec §4.5); nil when not found.
    public static func extract(_ pattern: String, from object: JSONObject, rootKind: NodeKind) -> JSONValue? {
        var path = pattern.trimmingCharacters(in: .whitespaces)
        if path.hasPrefix("{"), path.hasSuffix("}") { path = String(path.dropFirst().dropLast()) }
        if path.hasPrefix("args.") { path = String(path.dropFirst(5)) }
        return DotPath(path).resolve(in: .object(JSONObject([("chat", .object(object))])), rootKind: rootKind).value
    }
}
