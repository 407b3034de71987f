import ArgumentParser
import Foundation
import HookworkCore

/// `hookwork-bench fuzz`: seeded random and hostile inputs for every parser and evaluator that sees outside input.
/// A crash or a hang is the failure (the process dies or the run does not finish); every input must end in a value or
/// a typed rejection. Prints one JSON line with the counts per target.
struct FuzzBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Feed seeded random and hostile inputs to the parsers and evaluators; print counts as one JSON line.",
        discussion: """
            Targets: the JSON parser, arithmetic, the path resolver, the condition compiler and evaluator (with text \
            patterns and regular expressions), bot-text templates and Rest API templates. Inputs mix random text over \
            the dialects' own symbols with deep nesting, long chains and long paths, at the limits and past them. \
            The same seed gives the same inputs.
            """
    )

    @Option(help: "Inputs in all (spread over the targets).") var inputs = 1_000_000
    @Option(help: "The generator's seed.") var seed: UInt64 = 1

    func run() async throws {
        var fuzzer = Fuzzer(seed: seed)
        var counts: [String: (accepted: Int, rejected: Int)] = [:]
        let targets = Fuzzer.Target.allCases
        let started = ContinuousClock.now
        var slowest = (target: "", milliseconds: 0.0)
        for index in 0..<inputs {
            let target = targets[index % targets.count]
            let before = ContinuousClock.now
            let accepted = fuzzer.run(target)
            let elapsed = ContinuousClock.now - before
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            if milliseconds > slowest.milliseconds { slowest = (target.rawValue, milliseconds) }
            counts[target.rawValue, default: (0, 0)].accepted += accepted ? 1 : 0
            counts[target.rawValue, default: (0, 0)].rejected += accepted ? 0 : 1
        }
        let seconds = ContinuousClock.now - started
        var perTarget = JSONObject()
        for target in targets {
            let count = counts[target.rawValue] ?? (0, 0)
            perTarget[target.rawValue] = .object(JSONObject([("accepted", .int(count.accepted)), ("rejected", .int(count.rejected))]))
        }
        let line: JSONValue = .object(
            JSONObject([
                ("bench", "fuzz"), ("seed", .int(Int(truncatingIfNeeded: seed))), ("inputs", .int(inputs)), ("crashes", .int(0)),
                ("seconds", .double(Double(seconds.components.seconds) + Double(seconds.components.attoseconds) / 1e18)),
                ("slowest_input_ms", .double((slowest.milliseconds * 1000).rounded() / 1000)), ("slowest_target", .string(slowest.target)),
                ("targets", .object(perTarget)),
            ]))
        print(line.jsonText())
    }
}

/// The generator: random text over each dialect's symbols, plus hostile shapes (deep nesting, long chains, long
/// paths, huge numbers, catastrophic regular expressions).
struct Fuzzer {
    enum Target: String, CaseIterable {
        case json, arithmetic, path, conditions, botText = "bot_text", restTemplate = "rest_template"
    }

    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// One input for `target`; whether it was accepted (parsed or rendered) rather than rejected.
    mutating func run(_ target: Target) -> Bool {
        switch target {
        case .json: return (try? JSONValue(parsing: jsonText())) != nil
        case .arithmetic:
            guard let expression = try? ArithmeticExpression(parsing: arithmeticText()) else { return false }
            return (try? expression.evaluate { $0 &* 3 }) != nil
        case .path:
            let path = DotPath(pathText())
            _ = path.resolve(in: args())
            return true
        case .conditions:
            guard let list = try? ConditionList(configuration: conditions()) else { return false }
            let outcome = list.evaluate(
                ConditionInput(args: args(), messages: [ConditionMessage(id: 1, userID: 0, text: text(40))], now: 1_732_450_000),
                variant: pick(ConditionVariant.allCases), trace: random.next(4) == 0)
            _ = outcome
            return true
        case .botText:
            _ = BotTextTemplate(templateText(), jsonMode: random.next(2) == 0).render(args: args(), now: 1_732_450_000)
            return true
        case .restTemplate:
            let context = pick(["raw_body", "url", "header"])
            if case .success = TemplateConformance.run(context: context, template: templateText(), args: args()) { return true }
            return false
        }
    }

    mutating func pick<T>(_ items: [T]) -> T { items[random.next(items.count)] }

    /// Random text over `alphabet`, usually short, sometimes long.
    mutating func text(_ typical: Int, alphabet: [String] = Fuzzer.symbols) -> String {
        let length = random.next(20) == 0 ? random.next(4096) : random.next(typical + 1)
        var text = ""
        for _ in 0..<length { text += pick(alphabet) }
        return text
    }

    static let symbols = [
        "a", "b", "z", "0", "1", "9", " ", "{", "}", "(", ")", "[", "]", "+", "-", "*", "/", ".", ",", ":", "\"", "'", "\\", "_",
        "|", "=", "<", ">", "!", "\n", "é", "😀", "\u{0}", "args", "chat", "msg", "time", "__or__", "__datef__", "lhc.var.", "{{", "}}",
    ]

    /// Hostile shapes repeated `count` times around `inner`: the nesting and chains that crashed recursive parsers.
    mutating func hostile(open: String, inner: String, close: String) -> String {
        let depth = pick([10, 100, 1_000, 10_000, 100_000])
        return String(repeating: open, count: depth) + inner + String(repeating: close, count: random.next(3) == 0 ? depth / 2 : depth)
    }

    mutating func jsonText() -> String {
        switch random.next(6) {
        case 0: return hostile(open: "[", inner: "1", close: "]")
        case 1: return hostile(open: "{\"a\":", inner: "1", close: "}")
        case 2: return pick(["1e999999", "-0", "\"\\ud800\"", "\"\\u12\"", "[1,]", "{\"a\" 1}", "0x10", "NaN", "\"\u{1}\""])
        default:
            return text(60, alphabet: ["{", "}", "[", "]", ":", ",", "\"a\"", "\"\\n\"", "1", "-2.5e3", "true", "null", " ", "\"", "\\"])
        }
    }

    mutating func arithmeticText() -> String {
        switch random.next(5) {
        case 0: return hostile(open: "(", inner: "1", close: ")")
        case 1: return (0..<pick([100, 10_000, 60_000])).map { _ in String(random.next(1000)) }.joined(separator: pick(["+", "*", "-", "/"]))
        default: return text(40, alphabet: ["1", "2", "9", "0.5", "(", ")", "+", "-", "*", "/", " ", "{time}", "{args.chat.id}", "a", "1e308"])
        }
    }

    mutating func pathText() -> String {
        switch random.next(4) {
        case 0: return "args." + (0..<pick([10, 64, 65, 1_000, 100_000])).map { _ in "a" }.joined(separator: ".")
        default: return text(30, alphabet: ["args", "chat", ".", "a", "0", "msg", "last_msg", "[", "]", "_", "-1", "99999999999999999999"])
        }
    }

    mutating func templateText() -> String {
        switch random.next(5) {
        case 0: return hostile(open: "{", inner: "args.chat.nick", close: "}")
        case 1: return hostile(open: "{{", inner: "args.chat.nick", close: "}}")
        default: return text(60)
        }
    }

    /// A chat with the members conditions read, values random and hostile.
    mutating func args() -> JSONValue {
        let value: JSONValue
        switch random.next(5) {
        case 0: value = .string(hostile(open: "(", inner: "1", close: ")"))
        case 1: value = .string(String(repeating: "a", count: pick([30, 1_000])) + "!")
        case 2: value = .int(pick([0, -1, Int.max, Int.min]))
        default: value = .string(text(30))
        }
        return .object(
            JSONObject([
                ("chat", .object(JSONObject([("id", .int(7)), ("status", .int(random.next(6))), ("nick", value), ("dep_id", .int(1))])))
            ]))
    }

    /// A condition configuration: a few conditions, each of a random type, with random and hostile members.
    mutating func conditions() -> JSONValue {
        if random.next(10) == 0 { return .string(text(20)) }
        let count = random.next(6)
        var list: [JSONValue] = []
        for _ in 0..<count {
            let attr = pick(["{args.chat.nick}", "{args.chat.status}", "{args.chat.id}+1", "{time}-60", text(20)])
            let condition = pick(["eq", "neq", "lt", "lte", "gt", "gte", "like", "notlike", "contains", "in_list", "not_in_list", text(5)])
            let value: String
            switch random.next(6) {
            case 0: value = pick(["/^(a+)+$/", "/(a|aa)*$/", "/[/", "/a{99999}/"])
            case 1: value = hostile(open: "(", inner: "1", close: ")")
            default: value = text(30)
            }
            var object = JSONObject([
                ("type", .string(pick(["1", "2", "3", "4", "5", "6", "7", text(2)]))), ("attr", .string(attr)), ("condition", .string(condition)),
                ("value", .string(value)), ("logic", .string(pick(["and", "or", text(3)]))),
            ])
            if random.next(3) == 0 { object["message_contains"] = .string(text(20)) }
            if random.next(8) == 0 { object["value"] = .int(random.next(100)) }
            list.append(.object(object))
        }
        return .array(list)
    }
}
