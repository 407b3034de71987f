import HookworkServer
import Logging

extension HookworkConfiguration {
    /// The process logger at the configured level, shared by `serve` and `worker`.
    func makeLogger() -> Logger {
        var logger = Logger(label: "hookwork")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }
}
