/// The `rest_output` conformance cases (conformance README, "rest_output"): one run of the Rest API action against a
/// recorded answer, and what the reference decides next: a trigger, a saved message or nothing.
///
/// The answers the reference makes up before any request (a failed Conditions tab, an empty `check_not_empty`
/// variable, a URL that fails validation) are reproduced here with the Rest API template dialect; the engine builds
/// them the same way in `RestAPIRequestBuilder`.
enum RestOutputConformance {
    static let host = "https://example.com"

    static func run(_ testCase: JSONValue) -> JSONValue {
        let method = testCase["method"]?.objectValue ?? JSONObject()
        let action = testCase["action"]?.objectValue ?? JSONObject()
        let args = testCase["args"] ?? ["chat": ["id": 1, "status": 5]]
        let response = testCase["response"]?.objectValue ?? JSONObject()
        let mapping = action["rest_api_method_output"]?.objectValue ?? JSONObject()
        let options = action["attr_options"]?.objectValue ?? JSONObject()

        let match: RestResponseMatch
        var requests = 0
        var httpCode: JSONValue
        if let madeUp = madeUp(method: method, args: args) {
            match = madeUp.match
            httpCode = madeUp.code
        } else {
            let status = integer(response["http_code"]) ?? 0
            let body = response["body"] ?? .string("")
            let checked = checkedRules(method["output"]?.arrayValue ?? [], mapping: mapping)
            let times = RestOutputConformance.polling(method) ?? 1
            var last: RestResponseMatch
            repeat {
                requests += 1
                last = RestResponseRules.evaluate(
                    rules: method["output"]?.arrayValue ?? [], checked: checked, status: status, response: body, strict: true)
                if let error = last.error { return ["error": .string(error)] }
            } while requests < times && (last.ruleID == nil || last.failed)
            match = last
            httpCode = .int(status)
        }

        var out = JSONObject()
        out["matched"] = match.ruleIDValue
        for (index, value) in match.contents.enumerated() { out["content_\(index + 1)"] = value }
        out["meta_msg"] = match.meta
        out["requests"] = .int(requests)

        func trigger(_ next: JSONValue, actionID: JSONValue, alt: JSONValue) {
            out["next"] = next
            out["trigger_action_id"] = actionID
            out["alt_trigger"] = alt
            var replace = JSONObject()
            for (index, value) in match.contents.enumerated() { replace["{content_\(index + 1)}"] = value }
            for (index, value) in match.contents.enumerated() { replace["{content_\(index + 1)_json}"] = .string(value.phpJSON()) }
            replace["{http_code}"] = httpCode
            out["replace"] = .object(replace)
        }
        let followUp = RestResponseRules.followUp(match, mapping: mapping)
        switch followUp {
        case .trigger(let next):
            trigger(next, actionID: .null, alt: .null)
        case .defaultTrigger(let next, let actionID, let alt):
            trigger(next, actionID: actionID ?? .null, alt: alt ?? .null)
        case .none:
            if RestResponseRules.savesContent(match), !(options["no_body"].map(PHPLoose.isTruthyValue) ?? false) {
                out["next"] = "save content"
                let system = options["as_system"].map(PHPLoose.isTruthyValue) ?? false
                out["saved"] = [
                    "user_id": .int(system ? -1 : -2), "msg": match.contents[0], "meta_msg": .string(RestResponseRules.savedMeta(match.meta)),
                ]
            } else {
                out["next"] = "nothing"
            }
        }
        return emptyMapsAsLists(.object(out))
    }

    /// The files write an empty map as `[]` (the reference cannot tell them apart).
    static func emptyMapsAsLists(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object) where object.isEmpty: return .array([])
        case .object(let object):
            var out = JSONObject()
            for (key, member) in object { out[key] = emptyMapsAsLists(member) }
            return .object(out)
        case .array(let items): return .array(items.map(emptyMapsAsLists))
        default: return value
        }
    }

    /// The `<id>_chk` flags of the method's rules that are set.
    static func checkedRules(_ rules: [JSONValue], mapping: JSONObject) -> Set<String> {
        Set(
            rules.compactMap { rule -> String? in
                guard let id = rule["id"].flatMap({ PHPText.scalarText($0) }), mapping["\(id)_chk"].map(PHPLoose.isTruthyValue) ?? false else {
                    return nil
                }
                return id
            })
    }

    /// `polling_n_times` when the method polls (both it and `polling_n_delay` between 1 and 10).
    static func polling(_ method: JSONObject) -> Int? {
        guard let times = integer(method["polling_n_times"]), (1...10).contains(times), let delay = integer(method["polling_n_delay"]),
            (1...10).contains(delay)
        else { return nil }
        return times
    }

    /// PHP's `(int)` of a number, a numeric text or a flag.
    static func integer(_ value: JSONValue?) -> Int? {
        switch value {
        case .int(let integer)?: return integer
        case .double(let double)? where double.isFinite && abs(double) < 9e15: return Int(double)
        case .bool(let flag)?: return flag ? 1 : 0
        case .string(let text)?: return PHPLoose.numericValue(text).flatMap { integer($0) }
        default: return nil
        }
    }

    /// The answers the reference makes up before a request (spec §8.3.1, §8.3.3): the match and its `{http_code}`.
    static func madeUp(method: JSONObject, args: JSONValue) -> (match: RestResponseMatch, code: JSONValue)? {
        let compiled = RestAPIMethod(document: method)
        let input = TemplateInput(args: args, now: TemplateConformance.now)
        func answer(_ text: String, id: JSONValue?, code: JSONValue, status: Int) -> (RestResponseMatch, JSONValue) {
            var contents: [JSONValue] = Array(repeating: .string(""), count: 6)
            contents[0] = .string(text)
            var match = RestResponseMatch(ruleID: id.flatMap { PHPText.scalarText($0) }, contents: contents, httpCode: status, raw: "", failed: false)
            match.ruleIDValue = id ?? .null
            match.meta = id == nil ? .array([]) : .string("")
            return (match, code)
        }
        if RestRequestChecks.failedCondition(compiled, input: input) != nil {
            return answer("Invalid conditions", id: .int(0), code: .int(404), status: 404)
        }
        if let empty = RestRequestChecks.emptyVariable(compiled, input: input) {
            return answer("Empty variable\(empty.detail["check_not_empty"]?.stringValue ?? "")", id: .int(0), code: .int(200), status: 200)
        }
        let suburl = compiled.template(method["suburl"]?.stringValue ?? "", context: .url)
        if case .failure(let error) = suburl.renderURL(host: host, query: "", input) {
            let text =
                error.code == .invalidURL
                ? "Invalid URL filter_var validation failed. \(error.rendered)" : "Only HTTP/HTTPS protocols are supported. \(error.rendered)"
            return answer(text, id: nil, code: .string("500"), status: 500)
        }
        return nil
    }
}
