import HookworkCore
public import HookworkStore
import Logging

/// Decides what follows a Rest API response (spec §8.3.2, §8.3.3): the method's `output` rules pick a rule; the
/// action's `rest_api_method_output` maps it to a trigger, or `default_trigger` applies when no rule matched. The
/// follow-up trigger receives `{content_1..6}`, `{content_N_json}`, `{http_code}`, `{content_raw}`, `{http_error}` and
/// `{http_data}` as `replace_array` variables.
struct RestAPIResponseHandler: Sendable {
    /// Which output rule `status` and `body` match (spec §8.3.2), under the action's `rest_api_method_output`
    /// (a rule is tried only when the action checked it, `<id>_chk`).
    static func match(method: RestAPIMethod, call: RestAPICallContent, status: Int, body: [UInt8]) -> RestResponseMatch {
        RestResponseRules.evaluate(
            rules: method.outputRules, checked: call.checkedRules, status: status, body: String(decoding: body, as: UTF8.self))
    }

    /// The triggers that follow `match`, as the reference decides them (`RestResponseRules.followUp`): the matched
    /// rule's own trigger, or else `default_trigger` (only its `default_trigger_action_id` action when that is set)
    /// and `default_trigger_alt`. Each is the report key, the trigger and the one action to run.
    static func followingTriggers(_ match: RestResponseMatch, call: RestAPICallContent) -> [(key: String, id: Int, actionID: String?)] {
        func positive(_ value: JSONValue?) -> Int? { value?.looseInt.flatMap { $0 > 0 ? $0 : nil } }
        switch RestResponseRules.followUp(match, mapping: call.outputMapping) {
        case .trigger(let id):
            return positive(id).map { [("output_trigger", $0, nil)] } ?? []
        case .defaultTrigger(let id, let actionID, let alt):
            var runs: [(key: String, id: Int, actionID: String?)] = []
            if let id = positive(id) { runs.append(("default_trigger", id, actionID.flatMap { PHPText.scalarText($0) })) }
            if let alt = positive(alt) { runs.append(("default_trigger_alt", alt, nil)) }
            return runs
        case .none:
            return []
        }
    }
}

extension RestAPIResponseHandler {
    /// Applies the response rules and runs what follows: the output trigger (one level deeper, under the loop guard)
    /// and, only when the action asks with `attr_options.save_response`, a chat message with the content (DESIGN §5
    /// deviation 4). The members to add to the action's report.
    static func follow(
        _ response: OutboundResponse, method: RestAPIMethod, call: RestAPICallContent, args: JSONValue, rootKind: NodeKind, now: Int,
        executor: TriggerExecutor, effects: Effects, extraVariables: JSONObject = JSONObject()
    ) async -> JSONObject {
        let match = match(method: method, call: call, status: response.status, body: response.body)
        let runs = followingTriggers(match, call: call)
        var detail = JSONObject()
        detail["output_rule"] = match.ruleID.map(JSONValue.string) ?? .null
        if match.ruleID != nil { detail["content_1"] = .string(match.texts[0]) }
        if match.failed { detail["as_failed_request"] = .bool(true) }
        var followArgs = args
        if case .object(var object) = followArgs {
            var variables = args[TriggerVariables.key]?.objectValue ?? JSONObject()
            for (key, value) in match.variables { variables[key] = value }
            for (key, value) in extraVariables { variables[key] = value }
            object[TriggerVariables.key] = .object(variables)
            followArgs = .object(object)
        }
        for (key, id, actionID) in runs {
            guard RaisedEvents.canDescend else {
                detail[key] = RaisedEvents.stopped("trigger \(id)")
                continue
            }
            do {
                let report = try await RaisedEvents.descend {
                    try await executor.run(triggerID: id, args: followArgs, rootKind: rootKind, now: now, effects: effects, actionID: actionID)
                }
                detail[key] = report.json
            } catch {
                detail[key + "_error"] = .string(String(describing: error))
            }
        }
        if call.savesResponse, !runs.contains(where: { $0.key != "default_trigger_alt" }), !match.texts[0].isEmpty {
            var saveArgs = followArgs
            // The content arrives through the `{content_1}` variable, as an output trigger's text would use it.
            let text = TextContent(text: "{content_1}", asSystem: call.asSystem.map(PHPLoose.isTruthyValue) ?? false)
            let report = await ChatActionRunner(executor: executor).run(
                .text(text), args: &saveArgs, rootKind: rootKind, triggerID: 0, index: 0, now: now, effects: effects)
            detail["saved_message"] = report.json
        }
        return detail
    }
}

/// Runs what follows a Rest API response once its delivery is over (spec §8.3.2-8.3.3): the method's output rules on
/// the final answer (delivered, or exhausted with a status), then the chosen trigger, whose own calls are committed
/// with the attempt's outcome. An attempt that will be retried runs nothing yet; an attempt with no answer at all
/// (connection error, timeout) runs nothing.
public struct RestAPIOutputRules: DeliveryCompletionHandler {
    let store: any Store
    let executor: TriggerExecutor
    let clock: any EngineClock

    /// Output rules reading Rest APIs from `store` and running follow-up triggers with `executor`.
    public init(store: any Store, executor: TriggerExecutor, clock: any EngineClock) {
        self.store = store
        self.executor = executor
        self.clock = clock
    }

    /// Applies the output rules of the call's Rest API method to the attempt's answer. A call exhausted without any
    /// answer is read as the reference reads a transport error: HTTP code 0, an empty body and `{http_error}` saying
    /// what failed.
    public func deliveryFinished(_ completion: DeliveryCompletion, effects: Effects) async throws {
        guard completion.kind == .restapi, completion.status == .delivered || completion.status == .exhausted else { return }
        let status = completion.statusCode ?? 0
        let httpError = completion.statusCode == nil ? (completion.error ?? "no answer") : ""
        let origin = completion.origin
        guard let apiID = origin.restAPIID, let api = try await executor.catalog.snapshot().restAPIs[apiID] else { return }
        guard let method = api.method(id: origin.restAPIMethod ?? "") else { return }
        let call = RestAPICallContent(origin.actionContent)
        let args = origin.args
        let rootKind = origin.rootKind
        let response = OutboundResponse(status: status, headers: completion.responseHeaders, body: completion.responseBody)
        if let polling = try await poll(completion, method: method, call: call, response: response, effects: effects) {
            effects.note("polling", polling)
            executor.logger.info("restapi.polling", metadata: ["delivery.id": "\(completion.deliveryID)", "polling": "\(polling.jsonText())"])
            return
        }
        let extra = JSONObject([
            ("{http_error}", .string(httpError)), ("{http_data}", .string(origin.httpData)),
        ])
        let detail = await RaisedEvents.$depth.withValue(origin.depth) {
            await RestAPIResponseHandler.follow(
                response, method: method, call: call, args: args, rootKind: rootKind, now: clock.now(), executor: executor, effects: effects,
                extraVariables: extra
            )
        }
        for (key, value) in detail { effects.note(key, value) }
        executor.logger.info(
            "restapi.output_rules",
            metadata: ["delivery.id": "\(completion.deliveryID)", "restapi.status": "\(status)", "outcome": "\(JSONValue.object(detail).jsonText())"]
        )
    }
}

extension RestAPIOutputRules {
    /// The method's polling (spec §8.3 `polling_n_times`, `polling_n_delay`, both set): while no output rule matches, or
    /// the matching one is marked `as_failed_request`, the same request is made again, `polling_n_delay` seconds later,
    /// until it has been made `polling_n_times` times in all; only the last answer (or the first that matches) goes on
    /// to the output rules' triggers. Returns what was scheduled, or nil when the answer is final.
    func poll(_ completion: DeliveryCompletion, method: RestAPIMethod, call: RestAPICallContent, response: OutboundResponse, effects: Effects)
        async throws
        -> JSONValue?
    {
        guard let polling = method.polling else { return nil }
        let (times, delay) = (polling.times, polling.delay)
        let made = completion.origin.poll
        guard made < times else { return nil }
        let match = RestAPIResponseHandler.match(method: method, call: call, status: response.status, body: response.body)
        guard match.ruleID == nil || match.failed else { return nil }
        guard let record = try await store.delivery(id: completion.deliveryID), var again = OutboundCall(record: record) else { return nil }
        let first = completion.origin.pollOf ?? completion.messageID
        again.origin.poll = made + 1
        again.origin.pollOf = first
        again.messageID = "\(first)_poll\(made + 1)"
        again.notBefore = clock.now() + delay
        effects.call(again)
        return .object(
            JSONObject([
                ("request", .int(made + 1)), ("of", .int(times)), ("message_id", .string(again.messageID)),
                ("not_before", .int(again.notBefore ?? 0)),
                ("reason", .string(match.ruleID == nil ? "no output rule matched" : "output rule \(match.ruleID ?? "") is marked as_failed_request")),
            ]))
    }
}

/// A Rest API method's polling (spec §8.3).
enum RestAPIPolling {
    /// When the first request of a polling method may be made: the reference waits `polling_n_delay` before every
    /// request, the first included, unless `polling_no_delay_first` is set. Nil: at once.
    static func firstRequestNotBefore(_ method: RestAPIMethod, now: Int) -> Int? {
        guard let polling = method.polling, !polling.firstAtOnce else { return nil }
        return now + polling.delay
    }
}
