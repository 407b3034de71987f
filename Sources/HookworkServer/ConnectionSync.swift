import HookworkChatwoot
import HookworkCore
import HookworkEngine
import HookworkStore
import Logging
import ServiceLifecycle

/// Reconciliation and health of platform connections (README, "Chatwoot", "Reconciliation and health").
struct ConnectionSync: Sendable {
    let environment: ServerEnvironment

    /// Reads the connection's open conversations, page by page up to `HOOKWORK_PLATFORM_SYNC_MAX_PAGES`, stores each
    /// newer one as state (no events), and records the outcome in the connection's health.
    func sync(connectionID: Int, document: JSONObject) async throws -> JSONObject {
        let store = environment.store
        let started = environment.clock.now()
        var report = JSONObject([("connection_id", .int(connectionID)), ("started_at", .int(started))])
        var pages = 0
        var listed = 0
        var updated = 0
        var error: String?
        do throws(PlatformRefusal) {
            let adapter = ChatwootAdapter(connection: try ChatwootConnection(document: document))
            let state = StoreStateReader(store: store)
            var page = 1
            while page <= environment.configuration.platformSyncMaxPages {
                let result: PlatformSyncPage
                do { result = try await adapter.syncPage(page, sender: environment.sender, state: state) } catch let failure {
                    error = "page \(page) could not be stored: \(failure)"
                    break
                }
                pages += 1
                listed += result.listed
                if let failure = result.error {
                    error = failure
                    break
                }
                for intake in result.intakes {
                    do {
                        try await ConnectionsController.applyState(
                            intake, connectionID: connectionID, now: environment.clock.now(), environment: environment)
                        updated += 1
                    } catch let failure {
                        error = "a conversation could not be stored: \(failure)"
                    }
                }
                if result.last { break }
                page += 1
            }
        } catch {
            report["error"] = .string("the connection cannot be used: \(error.message)")
            return report
        }
        report["pages"] = .int(pages)
        report["conversations"] = .int(listed)
        report["updated"] = .int(updated)
        report["error"] = error.map(JSONValue.string) ?? .null
        report["finished_at"] = .int(environment.clock.now())
        var health = try await store.get(.connectionHealth, id: connectionID) ?? JSONObject()
        health["last_sync_at"] = .int(started)
        health["last_sync"] = .object(report)
        try await store.put(.connectionHealth, id: connectionID, document: health)
        environment.logger.log(
            level: error == nil ? .info : .warning, "connection.synced",
            metadata: [
                "connection.id": "\(connectionID)", "sync.pages": "\(pages)", "sync.updated": "\(updated)", "sync.error": "\(error ?? "none")",
            ])
        return report
    }

    /// The connection's last webhook and last sync, and its commands that are failing (being retried) or ended
    /// (exhausted) in the last 24 hours.
    func health(connectionID: Int) async throws -> JSONObject {
        let store = environment.store
        var health = JSONObject([("connection_id", .int(connectionID))])
        let stored = try await store.get(.connectionHealth, id: connectionID) ?? JSONObject()
        for key in ["last_webhook_at", "last_webhook_event", "webhooks_taken", "last_sync_at", "last_sync"] { health[key] = stored[key] ?? .null }
        let host = PlatformCommand(connectionID: connectionID, command: JSONObject()).host
        let since = environment.clock.now() - 86_400
        for (name, status) in [("commands_failing", DeliveryStatus.failed), ("commands_exhausted_24h", .exhausted)] {
            var query = DeliveryQuery(status: status, since: status == .exhausted ? since : nil, limit: 1000)
            query.kind = .callback
            let records = try await store.deliveries(query).filter { $0.host == host }
            var entry = JSONObject([("count", .int(records.count))])
            if let last = records.first {
                entry["last"] = .object(
                    JSONObject([
                        ("delivery_id", .int(last.id)), ("url", .string(last.url)), ("chat_id", last.chatID.map(JSONValue.int) ?? .null),
                        ("last_error", last.lastError.map(JSONValue.string) ?? .null), ("updated_at", .int(last.updatedAt)),
                    ]))
            }
            health[name] = .object(entry)
        }
        return health
    }

    /// Every connection, one after another.
    func syncAll() async {
        do {
            for document in try await environment.store.list(.connection, query: EntityQuery()) {
                guard let id = document["id"]?.intValue else { continue }
                _ = try await sync(connectionID: id, document: document)
            }
        } catch {
            environment.logger.error("connection.sync_failed", metadata: ["error": "\(error)"])
        }
    }
}

/// Reconciles every connection every `HOOKWORK_PLATFORM_SYNC_SECONDS`, the first time shortly after the start.
struct ConnectionSyncService: Service {
    let sync: ConnectionSync
    let intervalSeconds: Int
    /// The pause before the first reconciliation, so that a start is not slowed down.
    static let firstDelaySeconds = 5

    func run() async throws {
        var wait = Self.firstDelaySeconds
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let pause = wait
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(pause)) }
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            await sync.syncAll()
            wait = intervalSeconds
        }
    }
}
