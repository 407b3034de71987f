public import HookworkCore
public import HookworkStore

/// Where an episode of a continuous chat webhook stands, for the ledger and the test box: "fired 2 of 3, next at T".
public enum EpisodeProgress {
    /// `row`'s progress under `webhook`'s policy or ladder: `fired`, `of` (when bounded), `next_at` (when another
    /// firing is due at a known wall time), and `then_trigger` (pending, done) or `step` for a ladder.
    public static func describe(_ row: FiringLedgerRow, webhook: Webhook) -> JSONObject {
        var object = JSONObject([("fired", .int(row.firings)), ("started_at", .int(row.startedAt))])
        if row.branch == .trigger, !webhook.steps.isEmpty {
            let steps = webhook.steps
            object["of"] = .int(steps.count)
            if row.firings < steps.count {
                let step = steps[row.firings]
                object["next_step"] = .object(
                    JSONObject([
                        ("index", .int(row.firings)), ("trigger_id", .int(step.triggerID)), ("after_seconds", .int(step.afterSeconds)),
                        ("clock", .string(step.business ? "business" : "wall")),
                    ]))
                // A business-time step's wall time depends on the opening hours still to come.
                object["next_at"] = step.business ? .null : .int(row.startedAt + step.afterSeconds)
            } else {
                object["next_at"] = .null
            }
            return object
        }
        let policy = webhook.policy(alternative: row.branch == .alternative)
        guard policy.kind == .every else {
            object["next_at"] = .null
            return object
        }
        let next = row.lastFiredAt + policy.everySeconds
        guard let most = policy.maxFirings else {
            object["next_at"] = .int(next)
            return object
        }
        object["of"] = .int(most)
        if row.firings < most {
            object["next_at"] = .int(next)
        } else if policy.thenTriggerID > 0 {
            let done = row.firings > most
            object["then_trigger"] = .object(
                JSONObject([("trigger_id", .int(policy.thenTriggerID)), ("status", .string(done ? "done" : "pending"))]))
            object["fired"] = .int(min(row.firings, most))
            object["next_at"] = done ? .null : .int(next)
        } else {
            object["next_at"] = .null
        }
        return object
    }
}
