import Foundation
import HookworkCore
import HookworkStore
import Logging

/// The `mail` action (spec §8.2): `mail_options.recipient`, `from_email`, `from_name`, `reply_to`, `subject` and the
/// body `text`, each rendered in the bot-text dialect (`{args.chat.department.email}` works), recorded as a `mail`
/// delivery that the delivery path sends through the configured `MailSender` (retried and logged like every call).
struct MailAction: Sendable {
    /// The sender address used when the action sets no `from_email` (`HOOKWORK_MAIL_FROM`).
    let defaultFrom: String?
    let logger: Logger

    /// The e-mail `mail` describes, rendered against `args`.
    static func envelope(_ mail: MailContent, args: JSONValue, rootKind: NodeKind, now: Int, defaultFrom: String?) -> (MailEnvelope?, String?) {
        func render(_ text: String?) -> String {
            guard let text else { return "" }
            return TriggerVariables.botText(text, args: args, rootKind: rootKind, now: now).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let recipient = render(mail.recipient)
        guard !recipient.isEmpty else {
            return (nil, "the recipient (mail_options.recipient) rendered empty; is the value it names set (a department without an email)?")
        }
        var from = render(mail.fromEmail)
        if from.isEmpty { from = defaultFrom ?? "" }
        guard !from.isEmpty else {
            return (nil, "no sender: set mail_options.from_email on the action or HOOKWORK_MAIL_FROM on the server")
        }
        let fromName = render(mail.fromName)
        let replyTo = render(mail.replyTo)
        var body = mail.body.map { TriggerVariables.botText($0, args: args, rootKind: rootKind, now: now) } ?? ""
        if mail.convertsBBCode { body = BBCodeText.plain(body) }
        let envelope = MailEnvelope(
            from: from, fromName: fromName.isEmpty ? nil : fromName, to: [recipient], replyTo: replyTo.isEmpty ? nil : replyTo,
            subject: render(mail.subject), body: body
        )
        return (envelope, nil)
    }

    func run(
        _ mail: MailContent, args: JSONValue, rootKind: NodeKind, now: Int, triggerID: Int, index: Int, effects: Effects
    ) -> TriggerExecutor.ActionReport {
        let (built, problem) = Self.envelope(mail, args: args, rootKind: rootKind, now: now, defaultFrom: defaultFrom)
        guard let envelope = built else {
            logger.warning("mail.not_sent", metadata: ["error": "\(problem ?? "")"])
            return .init(
                index: 0, type: "mail", status: "failed", detail: JSONObject([("error", .string(problem ?? "the e-mail could not be built"))]))
        }
        let webhookID = effects.webhookID(args: args)
        var origin = CallOrigin()
        origin.webhookID = webhookID
        origin.triggerID = triggerID
        origin.actionIndex = index
        origin.chatID = args["chat"]?["id"]?.looseInt
        let call = OutboundCall(
            kind: .mail, payload: .mail(envelope), origin: origin,
            messageID: effects.messageID("w\(webhookID ?? 0)_t\(triggerID)_a\(index)_d\(RaisedEvents.depth)_mail")
        )
        effects.call(call)
        return .init(
            index: 0, type: "mail", status: "queued",
            detail: JSONObject([
                ("to", .array(envelope.to.map(JSONValue.string))), ("from", .string(envelope.from)), ("subject", .string(envelope.subject)),
                ("message_id", .string(call.messageID)),
            ])
        )
    }
}
