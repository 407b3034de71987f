/// The `rest_output` conformance cases: one Rest API action run against a recorded response (placeholder until the
/// rules are implemented).
enum RestOutputConformance {
    static func run(_ testCase: JSONValue) -> JSONValue {
        ["error": "not implemented"]
    }
}
