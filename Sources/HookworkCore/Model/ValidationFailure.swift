/// Why a configuration record was refused at save time.
public struct ValidationFailure: Error, Sendable {
    /// A stable code: `validation_failed`, `invalid_conditions`, `unknown_reference`.
    public var code: String
    /// The member at fault (`delay`, `configuration[2].condition`, `actions[0].content.rest_api`).
    public var field: String
    /// What is wrong and how to fix it.
    public var message: String
    /// Every problem, when there are several (conditions).
    public var details: [JSONValue]

    /// A failure.
    public init(code: String = "validation_failed", field: String, message: String, details: [JSONValue] = []) {
        self.code = code
        self.field = field
        self.message = message
        self.details = details
    }
}
