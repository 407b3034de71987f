import HookworkCore

extension ConfigurationValidator {
    /// A method's polling settings (spec §8.3): `polling_n_times` 1-10 requests in all, `polling_n_delay` 1-10 seconds
    /// between them, `polling_no_delay_first` a flag; empty values mean "not set", as the reference's form sends them.
    func validatePolling(_ method: JSONObject, prefix: String) throws {
        for key in ["polling_n_times", "polling_n_delay"] {
            guard let value = method[key], value != .null, value != .string("") else { continue }
            guard let number = value.looseInt, (1...10).contains(number) else {
                let what = key == "polling_n_times" ? "the number of requests in all, 1 to 10" : "the seconds between requests, 1 to 10"
                throw ValidationFailure(field: "\(prefix).\(key)", message: "\(prefix).\(key) must be \(what)")
            }
        }
        switch method["polling_no_delay_first"] {
        case nil, .null?, .bool?, .int?: break
        case .string(let text)? where ["", "0", "1", "true", "false"].contains(text): break
        default:
            throw ValidationFailure(field: "\(prefix).polling_no_delay_first", message: "\(prefix).polling_no_delay_first must be true or false")
        }
    }
}
