import ArgumentParser
import HookworkCore
import HookworkEngine
import HookworkServer
import HookworkStore

/// `hookwork test-webhook`: the reference's webhook test (spec §5.5): evaluate one webhook against one chat or mail
/// message, print each group's trace and the verdict; no trigger runs.
struct TestWebhook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-webhook",
        abstract: "Evaluate a webhook against a chat (--chat) or a mail message (--message) and print the trace; runs no trigger."
    )

    @Option(help: "The webhook id.")
    var webhook: Int

    @Option(help: "A chat id (hook and continuous chat webhooks).")
    var chat: Int?

    @Option(help: "A mail message id (continuous mail webhooks).")
    var message: Int?

    @Flag(help: "Print the answer as one JSON document, as the API's POST /api/v1/webhooks/{id}/test does.")
    var json = false

    func validate() throws {
        guard (chat == nil) != (message == nil) else { throw ValidationError("give exactly one of --chat or --message") }
    }

    func run() async throws {
        let configuration = try HookworkConfiguration.fromEnvironment()
        let logger = configuration.makeLogger()
        try await withCommandStore(configuration, logger: logger) { store in
            let answer: JSONValue
            do {
                answer = try await WebhookInspector(store: store, defaultCalendarID: configuration.defaultCalendarID).test(
                    webhookID: webhook, chatID: chat, messageID: message, now: WallClock().now())
            } catch let error as InspectionError {
                throw CommandFailure(error.message)
            }
            if json {
                print(answer.jsonText())
                return
            }
            let target = chat.map { "chat \($0)" } ?? "mail message \(message ?? 0)"
            print("webhook \(webhook) (\(answer["variant"]?.stringValue ?? "")) against \(target): \(answer["valid"] == true ? "VALID" : "INVALID")")
            for group in answer["trace"]?.arrayValue ?? [] {
                print("group \(group["group"]?.intValue ?? 0): \(group["valid"] == true ? "VALID" : "INVALID")")
                for line in group["conditions"]?.arrayValue ?? [] {
                    var text = "  [\(line["index"]?.intValue ?? 0)] \(line["text"]?.stringValue ?? "")"
                    if let error = line["error"]?.stringValue { text += " (error: \(error))" }
                    print(text)
                }
            }
            let wouldRun = answer["would_run"]?.stringValue ?? "nothing"
            print(wouldRun == "nothing" ? "would run: nothing" : "would run: \(wouldRun) \(answer["trigger_id"]?.intValue ?? 0)")
        }
    }
}

/// `hookwork explore`: the reference's "Debug chat attributes" (spec §9.1): every `{args.chat.*}` path of a chat or
/// mail message with its value, or one pattern's value.
struct Explore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every {args.chat.*} attribute of a chat (--chat) or mail message (--message), or extract one (--path)."
    )

    @Option(help: "A chat id.")
    var chat: Int?

    @Option(help: "A mail message id.")
    var message: Int?

    @Option(help: "Print only this pattern's value, e.g. args.chat.department.name.")
    var path: String?

    @Option(help: "How many levels of objects to open (1-4).")
    var depth = 2

    func validate() throws {
        guard (chat == nil) != (message == nil) else { throw ValidationError("give exactly one of --chat or --message") }
        guard (1...4).contains(depth) else { throw ValidationError("--depth must be from 1 to 4") }
    }

    func run() async throws {
        let configuration = try HookworkConfiguration.fromEnvironment()
        let logger = configuration.makeLogger()
        try await withCommandStore(configuration, logger: logger) { store in
            let inspector = WebhookInspector(store: store, defaultCalendarID: configuration.defaultCalendarID)
            let object: JSONObject?
            if let chat {
                object = try await inspector.chat(id: chat, now: WallClock().now())
            } else {
                object = try await inspector.mailMessage(id: message ?? 0)
            }
            guard let object else {
                throw CommandFailure(chat.map { "chat \($0) does not exist" } ?? "mail message \(message ?? 0) does not exist")
            }
            if let path {
                guard let value = WebhookInspector.extract(path, from: object, rootKind: chat != nil ? .argsWithChat : .argsWithMail) else {
                    print("\(path): not found")
                    throw ExitCode(1)
                }
                print(value.jsonText())
                return
            }
            for item in WebhookInspector.explore(object, depth: depth) {
                print("{\(item.path)} = \(item.value.jsonText())")
            }
        }
    }
}

/// `hookwork ledger show|reset --webhook N`: a continuous webhook's ledger (spec §3.2, §6.1 "Reset events").
struct Ledger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or reset a continuous webhook's ledger.",
        subcommands: [LedgerShow.self, LedgerReset.self]
    )
}

/// `hookwork ledger show --webhook N`.
struct LedgerShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the processed mail message ids or the fired chats.")

    @Option(help: "The webhook id.")
    var webhook: Int

    func run() async throws {
        let configuration = try HookworkConfiguration.fromEnvironment()
        try await withCommandStore(configuration, logger: configuration.makeLogger()) { store in
            let mail = try await store.mailLedger(webhookID: webhook)
            let chats = try await store.firingLedger(webhookID: webhook).map { row in
                JSONValue.object([
                    "chat_id": .int(row.chatID), "branch": .string(row.branch.rawValue), "state": .string(row.state),
                    "last_fired_at": .int(row.lastFiredAt),
                ])
            }
            let answer: JSONValue = [
                "webhook_id": .int(webhook), "processed_count": .int(mail.count), "message_ids": .array(mail.map(JSONValue.int)),
                "chats": .array(chats),
            ]
            print(answer.jsonText())
        }
    }
}

/// `hookwork ledger reset --webhook N`: matching chats and mail messages fire again.
struct LedgerReset: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reset", abstract: "Delete a webhook's ledger rows; prints {\"deleted\":N}.")

    @Option(help: "The webhook id.")
    var webhook: Int

    func run() async throws {
        let configuration = try HookworkConfiguration.fromEnvironment()
        try await withCommandStore(configuration, logger: configuration.makeLogger()) { store in
            guard try await store.get(.webhook, id: webhook) != nil else { throw CommandFailure("webhook \(webhook) does not exist") }
            print(JSONValue.object(["deleted": .int(try await store.resetLedger(webhookID: webhook))]).jsonText())
        }
    }
}
