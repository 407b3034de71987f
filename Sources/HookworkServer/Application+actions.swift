import HookworkDelivery
import HookworkEngine
import Logging

/// The services of the `mail` action and of the actions that change a chat, from the configuration.
func makeActionServices(configuration: HookworkConfiguration, dependencies: ServerDependencies, sender: any HTTPSender, logger: Logger)
    -> ActionServices
{
    var services = ActionServices(mailFrom: configuration.mailFrom, events: RaisedEvents())
    if let mailer = dependencies.mailSender {
        services.mailSender = mailer
    } else if let smtp = configuration.smtp {
        services.mailSender = SMTPMailSender(configuration: smtp, logger: logger)
    }
    if let url = configuration.callbackURL {
        services.commandSink = HTTPChatCommandSink(url: url, secret: configuration.callbackSecret, sender: sender, clock: dependencies.clock)
    }
    return services
}
