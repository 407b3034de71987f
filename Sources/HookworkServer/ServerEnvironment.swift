import HookworkCore
import HookworkDelivery
import HookworkEngine
import HookworkStore
import Logging

/// What the controllers share; built once by `buildApplication`.
struct ServerEnvironment: Sendable {
    let configuration: HookworkConfiguration
    let store: any Store
    let clock: any EngineClock
    let intake: EventIntake
    let runner: EventRunner
    let validator: ConfigurationValidator
    let assembler: ChatAssembler
    let metrics: ServerMetrics
    let logger: Logger
    /// Makes the `http` worker's first attempts and replays' bookkeeping.
    let attempter: DeliveryAttempter
    /// This process's circuit breakers.
    let breakers: BreakerRegistry
    /// The name under which this process holds the deliveries it attempts inline.
    let inlineWorker: String
    /// Where first attempts that outlive their request run.
    let background: BackgroundWork
    /// Outbound HTTP (a platform's API, for reconciliation).
    let sender: any HTTPSender

    /// The `http` worker's path for a stored event.
    var inline: InlineEventDelivery {
        InlineEventDelivery(
            store: store, runner: runner, attempter: attempter, breakers: breakers, background: background, clock: clock, logger: logger,
            worker: inlineWorker, waitMilliseconds: configuration.httpWorkerWaitMilliseconds)
    }
}
