import Foundation

/// A trigger (spec §8.1) as the engine runs it: a name, its ordered actions and the named conditions their
/// `trigger_condition` expressions refer to, all read once from the stored document.
public struct Trigger: Sendable {
    /// The record id.
    public let id: Int
    /// The administrator's name for it, when it has one.
    public let name: String?
    /// The actions, in the order they run.
    public let actions: [TriggerAction]
    /// The named conditions (`conditions`), compiled; a list that does not compile is left out (saving refuses it).
    public let conditions: TriggerConditions
    /// The whole stored document.
    public let document: JSONObject

    /// The trigger a stored document describes.
    public init(document: JSONObject) {
        self.document = document
        id = document["id"]?.looseInt ?? 0
        name = document["name"]?.stringValue
        actions = (document["actions"]?.arrayValue ?? []).enumerated().map { TriggerAction(index: $0.offset, document: $0.element) }
        conditions = TriggerConditions(trigger: .object(document))
    }
}

/// One action of a trigger.
public struct TriggerAction: Sendable {
    /// The action's `trigger_condition`, parsed once.
    public enum Condition: Sendable {
        /// None: the action always runs.
        case none
        /// An expression over the trigger's named conditions.
        case expression(String, TriggerCondition)
        /// An expression that does not parse; the action is skipped (saving refuses it).
        case unparsable(String)
    }

    /// The action's position in the trigger, from 0.
    public let index: Int
    /// What it does, with its typed content.
    public let body: Body
    /// Its `_id`, as text (what `trigger_action_id` names; empty when it has none).
    public let actionID: String
    /// Whether it is marked `skip_resp` (on the action or in its content).
    public let skipsResponse: Bool
    /// Its `content.trigger_condition`.
    public let condition: Condition

    /// The action a stored item of `actions` describes.
    public init(index: Int, document: JSONValue) {
        self.index = index
        let content = document["content"]?.objectValue ?? JSONObject()
        body = Body(type: document["type"]?.stringValue ?? "", content: content)
        actionID = document["_id"].flatMap { PHPText.scalarText($0) } ?? ""
        skipsResponse = (document["skip_resp"] ?? content["skip_resp"]).map(PHPLoose.isTruthyValue) ?? false
        let expression = content["trigger_condition"].flatMap { PHPText.scalarText($0) }?.trimmingCharacters(in: .whitespaces) ?? ""
        if expression.isEmpty {
            condition = .none
        } else if let parsed = try? TriggerCondition(expression) {
            condition = .expression(expression, parsed)
        } else {
            condition = .unparsable(expression)
        }
    }
}
