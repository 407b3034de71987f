import HookworkCore
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
}
