import Foundation
import HookworkCore

/// A benchmark workload: chats with their messages, webhooks with their variant, and the time `{time}` takes.
///
/// The file form is the conformance case shapes:
/// `{"now":T,"chats":[{"args":{"chat":{…}},"messages":[…]}],"webhooks":[{"name":"…","variant":"continuous_chat","conditions":[…]}]}`.
struct Workload {
    struct Chat {
        var args: JSONValue
        var messages: [JSONValue]
    }

    struct Webhook {
        var name: String
        var variant: String
        var conditions: JSONValue
    }

    var now: Int
    var chats: [Chat]
    var webhooks: [Webhook]

    init(now: Int, chats: [Chat], webhooks: [Webhook]) {
        self.now = now
        self.chats = chats
        self.webhooks = webhooks
    }

    /// Reads a workload file.
    init(contentsOf path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let root = try JSONValue(parsing: [UInt8](data))
        guard let now = root["now"]?.intValue, let chats = root["chats"]?.arrayValue, let webhooks = root["webhooks"]?.arrayValue else {
            throw WorkloadError(message: "\(path): a workload needs \"now\" (integer), \"chats\" (list) and \"webhooks\" (list)")
        }
        self.now = now
        self.chats = chats.map { Chat(args: $0["args"] ?? ["chat": [:]], messages: $0["messages"]?.arrayValue ?? []) }
        self.webhooks = try webhooks.enumerated().map { offset, webhook in
            guard let conditions = webhook["conditions"], conditions.arrayValue != nil else {
                throw WorkloadError(message: "\(path): webhooks[\(offset)].conditions must be a list")
            }
            return Webhook(
                name: webhook["name"]?.stringValue ?? "webhook \(offset)",
                variant: webhook["variant"]?.stringValue ?? "continuous_chat",
                conditions: conditions
            )
        }
    }

    /// The seed document's six continuous examples, written as Live Helper Chat stores them.
    static let seedWebhooks: [Webhook] = [
        Webhook(
            name: "bot not responding for 60 s", variant: "continuous_chat",
            conditions: [
                condition("{args.chat.status}", "eq", "5"),
                condition("{args.chat.last_user_msg_time}", "lt", "{time}-60", logic: "or"),
                condition("{args.chat.last_msg.time}", "lt", "{time}-60"),
                condition("{args.chat.status_sub}", "neq", "3"),
                condition("{args.chat.lsync}", "gt", "{time}-120"),
                condition("{args.chat.last_msg.user_id}", "eq", "0"),
            ]),
        Webhook(
            name: "visitor not responding to the bot for 60 s", variant: "continuous_chat",
            conditions: [
                condition("{args.chat.status}", "eq", "5"),
                condition("{args.chat.last_msg.time}", "lt", "{time}-60"),
                condition("{args.chat.status_sub}", "neq", "3"),
                condition("{args.chat.last_msg.user_id}", "eq", "-2"),
            ]),
        Webhook(
            name: "chat longer than 1.5 x the department average", variant: "continuous_chat",
            conditions: [
                condition("{args.chat.status}", "eq", "1"),
                condition("{args.chat.status_sub}", "neq", "3"),
                condition(
                    "{time}-({args.chat.pnd_time}+{args.chat.wait_time})", "gt",
                    "1.5*{args.chat.department.stats.stats_array.avg_chat_duration}"),
            ]),
        Webhook(
            name: "hello / are you there / hi with no reply in 25 s", variant: "continuous_chat",
            conditions: [
                contains("hello,are you there,hi"),
                condition("{args.chat.last_user_msg_time}", "lt", "{time}-25"),
            ]),
        Webhook(
            name: "hello or are you there twice in a row", variant: "continuous_chat",
            conditions: [
                contains("hello,are you there"),
                contains("hello,are you there"),
            ]),
        Webhook(
            name: "mail pending or active for 6 to 7 hours", variant: "continuous_mail",
            conditions: [
                condition("{args.chat.udate}", "lt", "{time} - 21600"),
                condition("{args.chat.udate}", "gt", "{time} - 25200"),
                condition("{args.chat.status}", "neq", "2"),
            ]),
    ]

    static func condition(_ attr: String, _ op: String, _ value: String, logic: String = "and") -> JSONValue {
        ["type": "3", "attr": .string(attr), "condition": .string(op), "value": .string(value), "logic": .string(logic)]
    }

    static func contains(_ pattern: String) -> JSONValue {
        ["type": "1", "message_contains": .string(pattern), "logic": "and"]
    }

    /// `count` chats in varied states around `now`, each with a few messages, reproducible from `seed`.
    static func generated(chats count: Int, now: Int, seed: UInt64 = 42) -> Workload {
        var random = SplitMix64(seed: seed)
        let texts = ["hello", "are you there?", "hi", "Hello there", "I need a refund", "price of car", "ok thanks", "hallo", "bye"]
        var chats: [Chat] = []
        chats.reserveCapacity(count)
        for id in 1...count {
            let status = [0, 1, 5][random.next(3)]
            var messages: [JSONValue] = []
            var time = now - 600 + random.next(300)
            for messageID in 0..<random.next(6) {
                let userID = [0, 0, 0, -2, -1, 7][random.next(6)]
                messages.append([
                    "id": .int(id * 10 + messageID), "chat_id": .int(id), "user_id": .int(userID),
                    "msg": .string(texts[random.next(texts.count)]), "time": .int(time),
                ])
                time += random.next(200)
            }
            let last = messages.last
            let chat: JSONValue = [
                "id": .int(id), "status": .int(status), "status_sub": .int(random.next(4) == 0 ? 3 : 0),
                "dep_id": .int(1 + random.next(5)), "user_id": .int(status == 1 ? 7 : 0),
                "time": .int(now - 3600 + random.next(3000)), "pnd_time": .int(now - 3000 + random.next(2000)),
                "wait_time": .int(random.next(120)), "lsync": .int(now - random.next(240)),
                "last_user_msg_time": .int(now - random.next(400)), "last_op_msg_time": 0,
                "udate": .int(now - 20000 - random.next(8000)), "nick": "Visitor",
                "last_msg": last ?? false,
                "department": ["id": 1, "name": "Sales", "stats": ["stats_array": ["avg_chat_duration": .int(600 + random.next(1200))]]],
            ]
            chats.append(Chat(args: ["chat": chat], messages: messages))
        }
        return Workload(now: now, chats: chats, webhooks: seedWebhooks)
    }
}

struct WorkloadError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A small, fast, reproducible random number generator.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(bound))
    }
}
