import ArgumentParser
import Foundation
import HookworkCore

/// `hookwork-bench eval`: chat-webhook condition evaluations per second on one core.
struct EvalBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate every chat against every webhook repeatedly; print evaluations per second.",
        discussion: """
            Without --workload: 10,000 generated chats and the seed document's six continuous webhooks. \
            Each pass prepares every webhook once for its `now` (so `{time}` arithmetic is folded once per pass), \
            then evaluates every (chat, webhook) pair, as the continuous scanner does. Runs on one thread.
            """
    )

    @Option(help: "A workload JSON file: {\"now\":T,\"chats\":[{\"args\":{\"chat\":{…}},\"messages\":[…]}],\"webhooks\":[…]}.")
    var workload: String?

    @Option(help: "Generated chats when no workload file is given.")
    var chats = 10_000

    @Option(help: "Measure for at least this many seconds.")
    var seconds = 3.0

    func run() async throws {
        let load = try workload.map { try Workload(contentsOf: $0) } ?? Workload.generated(chats: chats, now: 1_732_450_000)
        let webhooks = try load.webhooks.enumerated().map { offset, webhook in
            guard let variant = ConditionVariant(rawValue: webhook.variant) else {
                throw ValidationError("webhooks[\(offset)].variant: expected hook, continuous_chat or continuous_mail, got '\(webhook.variant)'")
            }
            do {
                return (list: try ConditionList(configuration: webhook.conditions), variant: variant)
            } catch {
                throw ValidationError("webhooks[\(offset)].conditions: \(error)")
            }
        }
        // Parallel arrays, read by index: the loop then borrows each chat instead of copying it (and retaining its
        // storage) for every evaluation.
        let argsList = load.chats.map(\.args)
        let chatList = load.chats.map { $0.args["chat"] ?? [:] }
        let messageLists = load.chats.map { chat in
            chat.messages.map {
                ConditionMessage(id: $0["id"]?.intValue ?? 0, userID: $0["user_id"]?.intValue ?? 0, text: $0["msg"]?.stringValue ?? "")
            }
        }

        func onePass() -> Int {
            var matches = 0
            for webhook in webhooks {
                var pass = webhook.list.pass(now: load.now, variant: webhook.variant)
                for index in chatList.indices {
                    // Continuous webhooks see only `{chat}`; a hook webhook sees the whole event args.
                    let valid =
                        webhook.variant == .hook
                        ? pass.evaluate(args: argsList[index], messages: messageLists[index]).valid
                        : pass.evaluate(chat: chatList[index], messages: messageLists[index]).valid
                    if valid { matches += 1 }
                }
            }
            return matches
        }

        let matches = onePass()  // warm-up, and the match count of one pass
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = threadCPUSeconds()
        var passes = 0
        var elapsed = Duration.zero
        repeat {
            _ = onePass()
            passes += 1
            elapsed = clock.now - start
        } while elapsed < .milliseconds(Int(seconds * 1000)) || passes < 3
        let cpu = threadCPUSeconds() - cpuStart
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let evaluations = Double(passes * chatList.count * webhooks.count)
        // The rate is per CPU second of this one thread ("on one core"), so that other load on the machine does not
        // skew it; the wall-clock rate is printed beside it.
        let line: JSONValue = [
            "benchmark": "eval", "chats": .int(chatList.count), "webhooks": .int(webhooks.count), "matches": .int(matches),
            "evaluations_per_second": .int(Int(evaluations / cpu)), "wall_evaluations_per_second": .int(Int(evaluations / wall)),
            "passes": .int(passes),
        ]
        print(line.jsonText())
    }
}

/// CPU time consumed by the calling thread.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
