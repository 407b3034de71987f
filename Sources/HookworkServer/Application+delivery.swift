import HookworkCore
public import HookworkDelivery
public import HookworkEngine
public import HookworkStore
public import Logging
import ServiceLifecycle

/// The delivery path of one process: its breakers, the attempter shared by the `http` worker and the delivery
/// workers, and the services that run in the background.
struct DeliveryParts {
    let breakers: BreakerRegistry
    let attempter: DeliveryAttempter
    /// First attempts made beside an answer or a pass; a service of its own, run even without workers.
    let background: BackgroundWork
    let services: [any Service]
}

func makeDeliveryParts(
    configuration: HookworkConfiguration, dependencies: ServerDependencies, store: any Store, sender: any HTTPSender, metrics: ServerMetrics,
    executor: TriggerExecutor
) -> DeliveryParts {
    let logger = dependencies.logger
    let mailSender = dependencies.mailSender ?? configuration.smtp.map { SMTPMailSender(configuration: $0, logger: logger) }
    var completion: [any DeliveryCompletionHandler] = [
        RestAPIOutputRules(store: store, executor: executor, clock: dependencies.clock), PlatformMessageLinks(store: store),
    ]
    if let extra = dependencies.deliveryCompletion { completion.append(extra) }
    let breakers = BreakerRegistry(threshold: configuration.breakerThreshold, cooldownSeconds: configuration.breakerCooldownSeconds)
    let settings = DeliverySettings(defaultSchedule: configuration.retrySchedule, leaseSeconds: configuration.deliveryLeaseSeconds)
    let attempter = DeliveryAttempter(
        store: store, sender: sender, mailSender: mailSender, clock: dependencies.clock, breakers: breakers,
        completion: CompletionChain(handlers: completion), metrics: metrics, settings: settings, logger: logger,
        jitter: dependencies.jitter ?? { Double.random(in: -1...1) },
        signingSecrets: ConfiguredSigningSecrets(
            store: store, callbackSecrets: configuration.callbackSecrets, operationsSecrets: configuration.operationsSecrets),
        operations: operationalEvents(configuration, metrics: metrics),
        platformCommands: ConnectionCommands(store: store, sender: sender)
    )
    let background = BackgroundWork()
    var services: [any Service] = [
        DeliveryWorker(
            store: store, attempter: attempter, clock: dependencies.clock, breakers: breakers, logger: logger,
            concurrency: configuration.deliveryConcurrency, pollInterval: .milliseconds(configuration.deliveryPollMilliseconds),
            name: "delivery-\(Int.random(in: 100_000...999_999))"
        )
    ]
    if configuration.deliveryRetentionDays > 0 || configuration.versionRetentionDays > 0 {
        services.append(
            DeliveryRetention(
                store: store, clock: dependencies.clock, logger: logger, days: configuration.deliveryRetentionDays,
                deletedVersionDays: configuration.versionRetentionDays, firingDays: max(2, configuration.historyDays)))
    }
    return DeliveryParts(breakers: breakers, attempter: attempter, background: background, services: services)
}

/// Operational events as configured: counted in `metrics`, sent to `HOOKWORK_OPERATIONS_URL` when it is set.
func operationalEvents(_ configuration: HookworkConfiguration, metrics: ServerMetrics) -> OperationalEvents {
    OperationalEvents(target: configuration.operationsURL.map(OperationsTarget.init(url:)), metrics: metrics)
}

/// Tells each handler in turn about an attempt's outcome; their effects commit together.
struct CompletionChain: DeliveryCompletionHandler {
    let handlers: [any DeliveryCompletionHandler]

    func deliveryFinished(_ completion: DeliveryCompletion, effects: Effects) async throws {
        for handler in handlers { try await handler.deliveryFinished(completion, effects: effects) }
    }
}

/// The trigger executor and delivery attempter of a one-shot command (`hookwork cron webhooks`), wired as `serve`
/// wires them: the same actions, callback, mail sender, retry settings and Rest API output rules.
public struct CommandEngine: Sendable {
    /// Runs triggers.
    public let executor: TriggerExecutor
    /// Makes delivery attempts.
    public let attempter: DeliveryAttempter
}

/// The command engine over `store`, sending through `sender`.
public func makeCommandEngine(configuration: HookworkConfiguration, store: any Store, sender: any HTTPSender, logger: Logger) -> CommandEngine {
    let dependencies = ServerDependencies(store: store, sender: sender, logger: logger)
    let metrics = ServerMetrics()
    let actionServices = ActionServices(mailFrom: configuration.mailFrom, raisesEvents: true)
    let callback = configuration.callbackURL.map { CallbackTarget(url: $0, secrets: configuration.callbackSecrets) }
    let executor = TriggerExecutor(
        store: store, logger: logger, metrics: metrics, callback: callback, services: actionServices,
        catalog: ConfigurationCatalog(store: store, defaultCalendarID: configuration.defaultCalendarID))
    let delivery = makeDeliveryParts(
        configuration: configuration, dependencies: dependencies, store: store, sender: sender, metrics: metrics, executor: executor
    )
    return CommandEngine(executor: executor, attempter: delivery.attempter)
}

/// The secrets configured now: a Rest API's `signing_secrets` from the store, the callback's from the configuration.
struct ConfiguredSigningSecrets: SigningSecretResolver {
    let store: any Store
    let callbackSecrets: [String]
    var operationsSecrets: [String] = []

    func secrets(for source: SigningSource) async throws -> [String] {
        switch source {
        case .callback:
            return callbackSecrets
        case .operations:
            return operationsSecrets
        case .restAPI(let id):
            let document = try await store.get(.restAPI, id: id)
            return (document?["configuration"]?["signing_secrets"]?.arrayValue ?? []).compactMap(\.stringValue)
        }
    }
}
