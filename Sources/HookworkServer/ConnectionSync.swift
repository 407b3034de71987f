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
        var closed = 0
        var error: String?
        var seen: Set<Int> = []
        var complete = false
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
                seen.formUnion(result.listedIDs)
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
                if result.last {
                    complete = true
                    break
                }
                page += 1
            }
            // A stored open chat of this connection that the whole list no longer has was resolved (or deleted) while a
            // webhook was missed: read it on its own, a bounded number per sync.
            if complete, error == nil {
                let open = ((try? await state.openChats(limit: Self.openChatScan)) ?? []).filter {
                    $0["connection_id"]?.looseInt == connectionID && !seen.contains($0["id"]?.looseInt ?? 0)
                }
                for chat in open.prefix(Self.lookupsPerSync) {
                    guard let id = chat["id"]?.looseInt else { continue }
                    let intake: PlatformIntake?
                    do throws(PlatformRefusal) { intake = try await lookUp(adapter, id, state: state) } catch let failure {
                        error = failure.message
                        continue
                    }
                    guard let intake else { continue }
                    do {
                        try await ConnectionsController.applyState(
                            intake, connectionID: connectionID, now: environment.clock.now(), environment: environment)
                        closed += 1
                    } catch let failure {
                        error = "conversation \(id) could not be stored: \(failure)"
                    }
                }
            }
        } catch {
            report["error"] = .string("the connection cannot be used: \(error.message)")
            return report
        }
        report["pages"] = .int(pages)
        report["conversations"] = .int(listed)
        report["updated"] = .int(updated)
        report["looked_up"] = .int(closed)
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

    /// At most this many open chats are compared with the list, and this many looked up one by one, per sync.
    static let openChatScan = 5_000
    static let lookupsPerSync = 100

    /// One conversation read on its own; a store failure is reported as a refusal.
    func lookUp(_ adapter: ChatwootAdapter, _ id: Int, state: StoreStateReader) async throws(PlatformRefusal) -> PlatformIntake? {
        do { return try await adapter.syncConversation(id, sender: environment.sender, state: state) } catch let refusal as PlatformRefusal {
            throw refusal
        } catch {
            throw PlatformRefusal.invalid("conversation \(id) could not be stored: \(error)")
        }
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
