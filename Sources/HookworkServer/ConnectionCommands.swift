import HookworkChatwoot
import HookworkCore
import HookworkEngine
import HookworkStore

/// Applies a platform command with the adapter of the connection it names, read when the attempt is made (so that
/// a token rotated with `PUT /api/v1/connections/{id}` reaches queued retries).
struct ConnectionCommands: PlatformCommandApplier {
    let store: any Store
    let sender: any HTTPSender

    func apply(_ command: PlatformCommand, messageID: String, attempt: Int) async -> PlatformCommandOutcome {
        let document: JSONObject?
        do { document = try await store.get(.connection, id: command.connectionID) } catch {
            return PlatformCommandOutcome(result: .retry, statusCode: nil, error: "connection \(command.connectionID) could not be read: \(error)")
        }
        guard let document else {
            return PlatformCommandOutcome(
                result: .refused, statusCode: nil, error: "connection \(command.connectionID) no longer exists, so the command cannot be applied")
        }
        let connection: ChatwootConnection
        do throws(PlatformRefusal) { connection = try ChatwootConnection(document: document) } catch {
            return PlatformCommandOutcome(
                result: .refused, statusCode: nil, error: "connection \(command.connectionID) cannot be used: \(error.message)")
        }
        return await ChatwootAdapter(connection: connection).apply(
            command.command, messageID: messageID, attempt: attempt, sender: sender, state: StoreStateReader(store: store))
    }
}
