import ArgumentParser
import HookworkCore
import HookworkStore

/// `hookwork breakers ...`: the hosts a 410 Gone disabled, on the database of `HOOKWORK_DATABASE_URL`.
struct Breakers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List and enable hosts disabled by a 410 Gone (the database of HOOKWORK_DATABASE_URL).", subcommands: [Disabled.self, Enable.self]
    )

    struct Disabled: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hosts no call goes to since they answered 410 Gone, one JSON line each.")

        func run() async throws {
            for host in try await Deliveries.withStore({ try await $0.disabledHosts() }) {
                print(
                    JSONValue.object(
                        JSONObject([("host", .string(host.host)), ("disabled_at", .int(host.disabledAt)), ("reason", .string(host.reason))])
                    ).jsonText())
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let calls go to a disabled host again (a running server notices within a second).")
        @Argument(help: "The host as listed, host:port.") var host: String

        func run() async throws {
            guard try await Deliveries.withStore({ try await $0.enableHost(host) }) else {
                throw CommandFailure("\(host) is not disabled; `hookwork breakers disabled` lists the disabled hosts")
            }
            print(JSONValue.object(JSONObject([("host", .string(host)), ("enabled", .bool(true))])).jsonText())
        }
    }
}
