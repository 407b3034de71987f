import ArgumentParser

/// The one Hookwork executable: the server, its workers, cron passes and the tools around them.
@main
struct Hookwork: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hookwork",
        abstract: "A webhook and continuous-automation engine for live chat and mail support.",
        subcommands: [
            Serve.self, Worker.self, EvalCases.self, Deliveries.self, Events.self, Tokens.self, Breakers.self, Cron.self, TestWebhook.self,
            Explore.self, Ledger.self, Calendars.self, Chats.self, Versions.self, BacktestCommand.self,
        ]
    )
}

/// A command that could not do what was asked (a record that does not exist, a state that refuses the change): printed
/// as `Error: …` and exit status 1, without the usage text that a usage error (`ValidationError`, status 64) prints.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
