import HookworkCore
import Logging

/// The way back from actions into hook dispatch: `chat.web_add_msg_admin` for a bot message a trigger wrote
/// (spec §1.6), `chat.bot.alert_icon`, `chat.genericbot_chat_command_dispatch_event`, and the Rest API's output
/// triggers all count one level of depth. At `maxDepth` nothing more is raised or run, and the outcome says where the
/// chain stopped (DESIGN §5 "Loop guard"; the reference throws at 50 nested calls in a web request).
public enum RaisedEvents {
    /// How deep events raised by triggers, and triggers run by triggers, may nest.
    public static let maxDepth = 10

    /// The current nesting depth of the running task.
    @TaskLocal static var depth = 0

    /// Whether one more level is allowed.
    static var canDescend: Bool { depth < maxDepth }

    /// The outcome of something the loop guard stopped.
    static func stopped(_ what: String) -> JSONValue {
        .object(JSONObject([("stopped", .string("loop_guard")), ("depth", .int(depth)), ("max_depth", .int(maxDepth)), ("what", .string(what))]))
    }

    /// Runs `body` one level deeper.
    static func descend<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        try await $depth.withValue(depth + 1) { try await body() }
    }

    /// Runs the hook webhooks of `event` with `args` now, one level deeper, with a dispatcher over `executor` (the same
    /// store, configuration and actions); the dispatch report, or where the loop guard stopped it.
    static func raise(event: String, args: JSONObject, now: Int, executor: TriggerExecutor, effects: Effects) async -> JSONValue {
        let logger = executor.logger
        guard Self.canDescend else {
            logger.notice("event.loop_guard", metadata: ["event.name": "\(event)", "depth": "\(Self.depth)"])
            var stopped = Self.stopped("event")
            if case .object(var object) = stopped {
                object["event"] = .string(event)
                stopped = .object(object)
            }
            return stopped
        }
        let dispatcher = Dispatcher(store: executor.store, executor: executor, logger: logger, metrics: executor.metrics)
        do {
            return try await Self.descend {
                let webhooks = try await dispatcher.webhooks(for: event)
                return try await dispatcher.run(event: event, args: args, webhooks: webhooks, now: now, queued: false, effects: effects).json
            }
        } catch {
            logger.warning("event.raise_failed", metadata: ["event.name": "\(event)", "error": "\(error)"])
            return .object(JSONObject([("event", .string(event)), ("error", .string(String(describing: error)))]))
        }
    }
}
