import Foundation
public import HookworkCore
public import HookworkStore

/// Checks webhooks, triggers and Rest API definitions when they are saved and returns them normalised
/// (STYLE habit 2: a configuration that cannot run is refused when it is written, not when an event arrives).
public struct ConfigurationValidator: Sendable {
    let store: any RecordStore

    /// A validator that checks references against `store`.
    public init(store: any RecordStore) {
        self.store = store
    }

    /// The action types of the reference (spec §8.2); `runnableActionTypes` are those Hookwork runs.
    public static let knownActionTypes: Set<String> = [
        "text", "buttons", "list", "generic", "collectable", "command", "predefined", "typing", "progress", "video", "attribute",
        "actions", "intent", "intentcheck", "conditions", "match_actions", "event_type", "execute_js", "iframe", "laction", "mail",
        "pausebot", "repeat_restrict", "restapi", "survey", "tbody", "text_conditional", "alert_icon",
    ]

    /// A webhook (spec §3.1) normalised: `type` 0-2, `delay` 0-60, an existing `trigger_id`, conditions that compile.
    public func webhook(_ input: JSONObject) async throws -> JSONObject {
        let name = try string(input, "name", required: false, maxLength: 50)
        let type = try integer(input, "type", default: 0)
        guard (0...2).contains(type) else {
            throw ValidationFailure(field: "type", message: "type must be 0 (hook event), 1 (continuous chat) or 2 (continuous mail); got \(type)")
        }
        let event = try string(input, "event", required: type == 0, maxLength: 50)
        let delay = try integer(input, "delay", default: 0)
        guard (0...60).contains(delay) else {
            throw ValidationFailure(field: "delay", message: "delay must be a whole number of seconds from 0 to 60; got \(delay)")
        }
        let triggerID = try integer(input, "trigger_id", default: 0)
        // A ladder (`steps`, continuous chat webhooks) takes the place of trigger_id.
        if input["steps"] != nil, input["steps"] != .null, type != 1 {
            throw ValidationFailure(field: "steps", message: "steps (an escalation ladder) are for continuous chat webhooks (type 1)")
        }
        let steps = try Webhook.steps(input["steps"])
        for (index, step) in steps.enumerated() where try await store.get(.trigger, id: step.triggerID) == nil {
            throw ValidationFailure(
                code: "unknown_reference", field: "steps[\(index)].trigger_id", message: "trigger \(step.triggerID) does not exist; create it first")
        }
        guard triggerID >= 1 || (!steps.isEmpty && triggerID == 0) else {
            throw ValidationFailure(field: "trigger_id", message: "choose a trigger: trigger_id must be the id of an existing trigger")
        }
        let triggerExists = triggerID == 0 ? false : try await store.get(.trigger, id: triggerID) != nil
        guard triggerExists || (!steps.isEmpty && triggerID == 0) else {
            throw ValidationFailure(code: "unknown_reference", field: "trigger_id", message: "trigger \(triggerID) does not exist; create it first")
        }
        let alternative = try integer(input, "trigger_id_alt", default: 0)
        if alternative < 0 {
            throw ValidationFailure(field: "trigger_id_alt", message: "trigger_id_alt must be 0 (none) or the id of an existing trigger")
        }
        if alternative > 0, try await store.get(.trigger, id: alternative) == nil {
            throw ValidationFailure(
                code: "unknown_reference", field: "trigger_id_alt", message: "trigger \(alternative) does not exist; create it first or use 0")
        }
        let disabled: Bool
        switch input["disabled"] {
        case nil, .null?: disabled = false
        case .bool(let flag)?: disabled = flag
        case .int(let value)? where value == 0 || value == 1: disabled = value == 1
        default: throw ValidationFailure(field: "disabled", message: "disabled must be true or false")
        }

        var configuration: JSONValue
        switch input["configuration"] {
        case nil, .null?: configuration = .array([])
        case .string(let text)?:
            // The reference keeps the conditions as JSON text; an empty text means no conditions (spec §3.1).
            if text.trimmingCharacters(in: .whitespaces).isEmpty {
                configuration = .array([])
            } else if let parsed = try? JSONValue(parsing: text) {
                configuration = parsed
            } else {
                throw ValidationFailure(code: "invalid_conditions", field: "configuration", message: "configuration is text that is not valid JSON")
            }
        case let value?: configuration = value
        }
        let compiled: CompiledConditions
        do {
            // `{business_time}` and `{in_business_hours}` are checked as the chat members they read.
            compiled = try CompiledConditions(configuration: BusinessTime.rewritten(conditions: configuration))
        } catch {
            throw ValidationFailure(code: "invalid_conditions", field: "configuration", message: error.reason)
        }
        // Core lists what the reference would silently never match or abort on; none of it is saved (STYLE habit 2).
        let allIssues = compiled.validate()
        let issues = allIssues.filter { $0.severity == .error }
        let warnings = allIssues.filter { $0.severity == .warning }
        if let first = issues.first {
            let details: [JSONValue] = issues.map { issue in
                .object(
                    JSONObject([
                        ("index", .int(issue.index)), ("field", .string("conditions[\(issue.index)].\(issue.field)")),
                        ("reason", .string(issue.reason)),
                    ]))
            }
            let more =
                issues.count > 1 ? " (and \(issues.count - 1) more: " + issues.dropFirst().map(\.description).joined(separator: "; ") + ")" : ""
            throw ValidationFailure(
                code: "invalid_conditions", field: "conditions[\(first.index)].\(first.field)",
                message: "condition \(first.index), \(first.field): \(first.reason)\(more)", details: details
            )
        }

        var output = JSONObject()
        output["name"] = .string(name ?? "")
        output["event"] = .string(event ?? "")
        output["type"] = .int(type)
        output["delay"] = .int(delay)
        output["bot_id"] = .int(try integer(input, "bot_id", default: 0))
        output["trigger_id"] = .int(triggerID)
        output["bot_id_alt"] = .int(try integer(input, "bot_id_alt", default: 0))
        output["trigger_id_alt"] = .int(alternative)
        // Reference-compatible but suspicious (an empty pattern, `"logic":"OR"`): saved, and shown with the webhook.
        var shown: [JSONValue] = warnings.map {
            .object(JSONObject([("field", .string("conditions[\($0.index)].\($0.field)")), ("reason", .string($0.reason))]))
        }
        func warn(_ field: String, _ reason: String) { shown.append(.object(JSONObject([("field", .string(field)), ("reason", .string(reason))]))) }
        let hasConditions = compiled.list.testCount > 0
        if type == 1, !hasConditions {
            warn(
                "configuration",
                alternative > 0
                    ? "a continuous webhook with no conditions is true for every open chat: its trigger runs for each of them and trigger_id_alt never runs"
                    : "a continuous webhook with no conditions is true for every open chat: its trigger runs for each of them (as its firing policy allows)"
            )
        }
        if type == 2, !hasConditions {
            warn("configuration", "a continuous mail webhook with no conditions runs its trigger once for every new mail message")
        }
        if type == 2, alternative > 0 {
            warn("trigger_id_alt", "continuous mail webhooks run only trigger_id (spec §6.1); the alternative trigger never runs")
        }
        for (member, reason) in Self.statisticsWarnings(configuration) { warn(member, reason) }
        if !shown.isEmpty { output["warnings"] = .array(shown) }
        output["disabled"] = .bool(disabled)
        // `mode` is Hookwork's own (the reference has no shadow mode): kept only when it is given.
        switch input["mode"] {
        case nil, .null?: break
        case .string(let mode)? where mode == "live" || mode == Webhook.shadowMode: output["mode"] = .string(mode)
        default:
            throw ValidationFailure(
                field: "mode", message: "mode must be \"live\" (triggers run) or \"shadow\" (firings are recorded, no trigger runs)")
        }
        output["configuration"] = configuration
        if type == 1 {
            // Continuous chat webhooks: when their triggers fire while the verdict stays the same (DESIGN §5).
            for (key, member) in [("firing", "firing"), ("alternative_firing", "alternative_firing")] {
                let policy = try FiringPolicy.parse(input[key], field: member)
                if policy.thenTriggerID > 0, try await store.get(.trigger, id: policy.thenTriggerID) == nil {
                    throw ValidationFailure(
                        code: "unknown_reference", field: "\(key).then_trigger_id",
                        message: "trigger \(policy.thenTriggerID) does not exist; create it first")
                }
                output[key] = policy.json
            }
            if !steps.isEmpty {
                output["steps"] = .array(
                    steps.map { step in
                        .object(
                            JSONObject([
                                ("after_seconds", .int(step.afterSeconds)), ("trigger_id", .int(step.triggerID)),
                                ("clock", .string(step.business ? "business" : "wall")),
                            ]))
                    })
            }
        }
        return output
    }

    /// A trigger: a name and an ordered list of actions, each `{type, content}`; a `restapi` action must name an
    /// existing Rest API and one of its methods.
    public func trigger(_ input: JSONObject) async throws -> JSONObject {
        let name = try string(input, "name", required: true, maxLength: 100) ?? ""
        guard case .array(let actions)? = input["actions"] ?? .array([]) else {
            throw ValidationFailure(field: "actions", message: "actions must be a list of {\"type\": ..., \"content\": {...}}")
        }
        let conditionNames = try triggerConditions(input["conditions"])
        var warnings: [JSONValue] = []
        for (index, action) in actions.enumerated() {
            guard case .object(let object) = action else {
                throw ValidationFailure(field: "actions[\(index)]", message: "each action must be an object with type and content")
            }
            warnings += try executorRules(index: index, action: object, conditionNames: conditionNames)
            guard let type = object["type"]?.stringValue, Self.knownActionTypes.contains(type) else {
                throw ValidationFailure(
                    field: "actions[\(index)].type",
                    message:
                        "unknown action type \(object["type"]?.jsonText() ?? "(missing)"); Hookwork runs restapi, mail, alert_icon, command and text"
                )
            }
            if let content = object["content"], content.objectValue == nil {
                throw ValidationFailure(field: "actions[\(index)].content", message: "content must be an object")
            }
            if type == "restapi" {
                let content = object["content"]?.objectValue ?? JSONObject()
                guard let apiID = content["rest_api"]?.looseInt, let api = try await store.get(.restAPI, id: apiID) else {
                    throw ValidationFailure(
                        code: "unknown_reference", field: "actions[\(index)].content.rest_api",
                        message: "rest_api must be the id of an existing Rest API"
                    )
                }
                let wanted = content["rest_api_method"].flatMap { PHPText.scalarText($0) } ?? ""
                guard RestAPI(document: api).method(id: wanted) != nil else {
                    throw ValidationFailure(
                        code: "unknown_reference", field: "actions[\(index)].content.rest_api_method",
                        message: "Rest API \(apiID) has no method with id '\(wanted)'"
                    )
                }
            }
            warnings += try await actionWarnings(index: index, type: type, content: object["content"]?.objectValue ?? JSONObject())
        }
        var output = input
        output["name"] = .string(name)
        output["actions"] = .array(actions)
        output["warnings"] = warnings.isEmpty ? nil : .array(warnings)
        return output
    }

    /// A Rest API definition (spec §8.3): a name and a configuration with `host` and a list of methods.
    public func restAPI(_ input: JSONObject) async throws -> JSONObject {
        let name = try string(input, "name", required: true, maxLength: 100) ?? ""
        var configuration: JSONObject
        switch input["configuration"] {
        case .object(let object)?: configuration = object
        case .string(let text)?:
            guard let object = (try? JSONValue(parsing: text))?.objectValue else {
                throw ValidationFailure(field: "configuration", message: "configuration text is not a JSON object")
            }
            configuration = object
        default:
            throw ValidationFailure(field: "configuration", message: "configuration must be an object with host and parameters")
        }
        guard let host = configuration["host"]?.stringValue, host.hasPrefix("http://") || host.hasPrefix("https://") else {
            throw ValidationFailure(field: "configuration.host", message: "host must be an http:// or https:// URL")
        }
        let authority = Self.urlHost(host)
        guard !authority.isEmpty, !authority.hasPrefix(":"), !host.contains(where: { $0.isWhitespace }) else {
            throw ValidationFailure(field: "configuration.host", message: "host must name a server, such as https://api.example.com")
        }
        try checkFlag(configuration["verify_tls"], field: "configuration.verify_tls")
        try checkFlag(configuration["follow_redirects"], field: "configuration.follow_redirects")
        guard case .array(let methods)? = configuration["parameters"] ?? .array([]) else {
            throw ValidationFailure(field: "configuration.parameters", message: "parameters must be a list of methods")
        }
        var seen: Set<String> = []
        for (index, method) in methods.enumerated() {
            guard case .object(let object) = method else {
                throw ValidationFailure(field: "configuration.parameters[\(index)]", message: "each method must be an object")
            }
            guard let id = object["id"].flatMap({ PHPText.scalarText($0) }), !id.isEmpty else {
                throw ValidationFailure(field: "configuration.parameters[\(index)].id", message: "each method needs an id")
            }
            guard seen.insert(id).inserted else {
                throw ValidationFailure(field: "configuration.parameters[\(index)].id", message: "method id '\(id)' is used twice")
            }
            try checkRestMethodTypes(object, prefix: "configuration.parameters[\(index)]")
            let verb = (object["method"]?.stringValue ?? "GET").uppercased()
            guard ["GET", "POST", "PUT", "DELETE", "PATCH"].contains(verb) else {
                throw ValidationFailure(field: "configuration.parameters[\(index)].method", message: "method must be GET, POST, PUT, DELETE or PATCH")
            }
            if let limit = object["max_execution_time"], limit.looseInt.map({ !(1...360).contains($0) }) ?? (limit.stringValue != "") {
                throw ValidationFailure(
                    field: "configuration.parameters[\(index)].max_execution_time", message: "max_execution_time must be 1 to 360 seconds"
                )
            }
            try validatePolling(object, prefix: "configuration.parameters[\(index)]")
        }
        try validateDeliverySettings(configuration)
        configuration["parameters"] = .array(methods)
        var output = input
        output["name"] = .string(name)
        output["configuration"] = .object(configuration)
        return output
    }

    func string(_ input: JSONObject, _ key: String, required: Bool, maxLength: Int) throws -> String? {
        switch input[key] {
        case nil, .null?:
            if required { throw ValidationFailure(field: key, message: "\(key) is required") }
            return nil
        case .string(let text)?:
            if required, text.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationFailure(field: key, message: "\(key) must not be empty")
            }
            guard text.count <= maxLength else { throw ValidationFailure(field: key, message: "\(key) is longer than \(maxLength) characters") }
            return text
        default:
            throw ValidationFailure(field: key, message: "\(key) must be a string")
        }
    }

    /// An integer member; the reference's forms send numbers as strings ("1"), which are accepted.
    func integer(_ input: JSONObject, _ key: String, default value: Int) throws -> Int {
        switch input[key] {
        case nil, .null?: return value
        case .int(let number)?: return number
        case .string(let text)? where Int(text) != nil: return Int(text)!
        case .double(let number)? where number.rounded() == number && abs(number) < 1e15: return Int(number)
        default: throw ValidationFailure(field: key, message: "\(key) must be an integer")
        }
    }
}

extension ConfigurationValidator {
    /// Conditions that read a department average with nothing that checks it exists: a department without closed
    /// chats has none, which conditions read as 0 (spec §9.2), so "longer than 1.5 x the average" holds for every
    /// chat there. The guard is a condition `{args.chat.department.stats.stats_array.avg_…} gt 0`.
    static func statisticsWarnings(_ configuration: JSONValue) -> [(String, String)] {
        guard case .array(let items) = configuration else { return [] }
        var warnings: [(String, String)] = []
        for average in ["avg_chat_duration", "avg_wait_time"] {
            let path = "{args.chat.department.stats.stats_array.\(average)}"
            let readers = items.indices.filter { index in
                ["attr", "value"].contains { items[index][$0]?.stringValue?.contains(path) == true }
            }
            guard let first = readers.first else { continue }
            let guarded = items.contains { item in
                item["attr"]?.stringValue == path && ["gt", "neq"].contains(item["condition"]?.stringValue ?? "")
                    && (item["value"]?.stringValue ?? "").trimmingCharacters(in: .whitespaces) == "0"
            }
            if !guarded {
                warnings.append(
                    (
                        "conditions[\(first)]",
                        "\(path) is not there for a department without closed chats, and conditions read it as 0; add the condition "
                            + "\(path) gt 0 so that such departments do not match"
                    ))
            }
        }
        return warnings
    }
}
