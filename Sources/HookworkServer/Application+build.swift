import Foundation
import HookworkCore
import HookworkDelivery
public import HookworkEngine
public import HookworkStore
public import Hummingbird
public import Logging
public import ServiceLifecycle
import UnixSignals

/// What the server is built from besides its configuration (STYLE habit 5); tests pass their own.
public struct ServerDependencies: Sendable {
    /// The store; nil opens `configuration.databaseURL`.
    public var store: (any Store)?
    /// The outbound HTTP sender; nil uses AsyncHTTPClient.
    public var sender: (any HTTPSender)?
    /// The clock.
    public var clock: any EngineClock
    /// The logger every part logs to.
    public var logger: Logger
    /// Shows the admin token created on the first start (once; never logged).
    public var announceAdminToken: @Sendable (String) -> Void
    /// Sends the `mail` deliveries; nil uses SMTP when `HOOKWORK_SMTP_URL` is set, else they are exhausted with an error
    /// that says so.
    public var mailSender: (any MailSender)?
    /// Also told about every delivery attempt's outcome, after the Rest API output rules; nil: nobody else is.
    public var deliveryCompletion: (any DeliveryCompletionHandler)?
    /// Retry jitter, a number in -1...1; nil: random.
    public var jitter: (@Sendable () -> Double)?

    /// Dependencies; the defaults are the production ones.
    public init(
        store: (any Store)? = nil, sender: (any HTTPSender)? = nil, clock: any EngineClock = WallClock(), logger: Logger,
        announceAdminToken: @escaping @Sendable (String) -> Void = ServerDependencies.printToken, mailSender: (any MailSender)? = nil,
        deliveryCompletion: (any DeliveryCompletionHandler)? = nil, jitter: (@Sendable () -> Double)? = nil
    ) {
        self.store = store
        self.sender = sender
        self.clock = clock
        self.logger = logger
        self.announceAdminToken = announceAdminToken
        self.mailSender = mailSender
        self.deliveryCompletion = deliveryCompletion
        self.jitter = jitter
    }

    /// Prints the token to standard output.
    @Sendable public static func printToken(_ secret: String) {
        print("Hookwork created an admin API token. It is shown only this once; keep it:\n\n    \(secret)\n")
        // Standard output is block-buffered when it is a file or a pipe; the token must show now, not at exit (nil flushes every stream).
        fflush(nil)
    }
}

/// The parts of a built server, for the application and for tests.
struct ServerParts {
    let router: Router<HookworkRequestContext>
    let services: [any Service]
    let environment: ServerEnvironment
}

/// The composition root (STYLE habit 4): the Hummingbird application with its store, engine, workers and routes, as
/// `hookwork serve` runs it and the tests drive it.
public func buildApplication(configuration: HookworkConfiguration, dependencies: ServerDependencies) async throws -> some ApplicationProtocol {
    let parts = try await buildServerParts(configuration: configuration, dependencies: dependencies, withWorkers: configuration.runQueueWorkers)
    return Application(
        router: parts.router,
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Hookwork"),
        services: parts.services,
        logger: dependencies.logger
    )
}

/// Only the queue workers (`hookwork worker`), as one ServiceGroup.
public func buildWorkerGroup(configuration: HookworkConfiguration, dependencies: ServerDependencies) async throws -> ServiceGroup {
    let parts = try await buildServerParts(configuration: configuration, dependencies: dependencies, withWorkers: true)
    return ServiceGroup(
        configuration: .init(
            services: parts.services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: dependencies.logger)
    )
}

func buildServerParts(configuration: HookworkConfiguration, dependencies: ServerDependencies, withWorkers: Bool) async throws -> ServerParts {
    let logger = dependencies.logger
    TextPattern.setRegexTimeLimit(milliseconds: configuration.regexTimeLimitMilliseconds)
    let store: any Store
    if let given = dependencies.store {
        store = given
    } else {
        store = try await makeStore(url: configuration.databaseURL, logger: logger)
    }
    try await store.migrate()
    var services: [any Service] = [StoreService(store: store)]

    let sender: any HTTPSender
    if let given = dependencies.sender {
        sender = given
    } else {
        let client = AsyncHTTPSender(logger: logger, addressPolicy: configuration.addressPolicy)
        services.append(client)
        sender = client
    }
    let metrics = ServerMetrics()
    let actionServices = ActionServices(mailFrom: configuration.mailFrom, raisesEvents: true)
    let callback = configuration.callbackURL.map { CallbackTarget(url: $0, secrets: configuration.callbackSecrets) }
    let executor = TriggerExecutor(
        store: store, logger: logger, metrics: metrics, callback: callback, services: actionServices,
        catalog: ConfigurationCatalog(store: store, defaultCalendarID: configuration.defaultCalendarID))
    let delivery = makeDeliveryParts(
        configuration: configuration, dependencies: dependencies, store: store, sender: sender, metrics: metrics, executor: executor
    )
    let dispatcher = Dispatcher(store: store, executor: executor, logger: logger, metrics: metrics)
    let runner = EventRunner(store: store, dispatcher: dispatcher, logger: logger)
    let environment = ServerEnvironment(
        configuration: configuration, store: store, clock: dependencies.clock, intake: EventIntake(store: store), runner: runner,
        validator: ConfigurationValidator(store: store), assembler: ChatAssembler(store: store), metrics: metrics, logger: logger,
        attempter: delivery.attempter, breakers: delivery.breakers, inlineWorker: "inline-\(Int.random(in: 100_000...999_999))",
        background: delivery.background, sender: sender
    )
    if withWorkers && configuration.webhooksEnabled {
        services.append(
            QueueWorker(
                store: store, runner: runner, clock: dependencies.clock, logger: logger, metrics: metrics,
                concurrency: configuration.workerConcurrency, pollInterval: .milliseconds(configuration.queuePollMilliseconds),
                leaseSeconds: configuration.queueLeaseSeconds, name: "worker-\(Int.random(in: 100_000...999_999))",
                maxAttempts: configuration.eventMaxAttempts, operations: operationalEvents(configuration, metrics: metrics)
            )
        )
    }

    services.append(delivery.background)
    if withWorkers { services += delivery.services }
    if withWorkers, configuration.platformSyncSeconds > 0 {
        services.append(ConnectionSyncService(sync: ConnectionSync(environment: environment), intervalSeconds: configuration.platformSyncSeconds))
    }
    services += continuousServices(
        configuration: configuration, store: store, executor: executor, clock: dependencies.clock, logger: logger, attempter: delivery.attempter,
        background: delivery.background, operations: operationalEvents(configuration, metrics: metrics)
    )

    let auth = TokenAuthenticator(
        store: store, clock: dependencies.clock, adminToken: configuration.adminToken, ingestToken: configuration.ingestToken,
        failureLimit: configuration.authFailureLimit
    )
    if let secret = try await auth.bootstrapAdminToken() {
        logger.notice("auth.admin_token_created", metadata: ["token.scope": "admin"])
        dependencies.announceAdminToken(secret)
    }

    let router = Router(context: HookworkRequestContext.self)
    router.middlewares.add(ErrorMiddleware(metrics: metrics))
    let table = RouteTable(
        router: router, auth: auth, deadlineSeconds: configuration.requestTimeoutSeconds, perClientLimit: configuration.maxConcurrentPerClient)
    OperationsController(environment: environment).register(on: table)
    EventsController(environment: environment).register(on: table)
    TokensController(environment: environment, auth: auth).register(on: table)
    StateController(environment: environment).register(on: table)
    ConfigurationController(environment: environment).register(on: table)
    ConnectionsController(environment: environment).register(on: table)
    AdminPageController().register(on: table)
    DeliveriesController(environment: environment).register(on: table)
    DeliveryControlController(environment: environment).register(on: table)
    ContinuousController(environment: environment).register(on: table)
    BacktestController(environment: environment, jobs: BacktestJobs()).register(on: table)
    OperationsController(environment: environment).registerOpenAPI(on: table)
    return ServerParts(router: router, services: services, environment: environment)
}

/// Keeps the store open while the other services run and closes it after them (services stop in reverse order).
struct StoreService: Service {
    let store: any Store

    func run() async throws {
        try? await gracefulShutdown()
        try await store.shutdown()
    }
}
