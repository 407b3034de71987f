public import HookworkCore
import HookworkStore
import Logging

/// The `restapi` action (spec §8.3): builds the call of one Rest API method and records it for delivery. It performs
/// no I/O itself: the call is committed with the decision and made by the delivery path (retried, signed, logged);
/// what follows the response (the method's output rules) runs in `RestAPIOutputRules` when the attempt is over.
struct RestAPIAction: Sendable {
    let catalog: ConfigurationCatalog
    let logger: Logger

    func run(
        _ call: RestAPICallContent, args: JSONValue, rootKind: NodeKind = .argsWithChat, now: Int, index: Int, triggerID: Int, effects: Effects
    ) async -> TriggerExecutor.ActionReport {
        do {
            let built = try await RestAPIRequestBuilder(catalog: catalog).prepare(
                call, input: TemplateInput(args: args, now: now, rootKind: rootKind))
            let request = built.request
            let apiID = built.api.id
            let settings = RestAPIDeliverySettings(configuration: built.api.configuration)
            let webhookID = effects.webhookID(args: args)
            var origin = CallOrigin()
            origin.webhookID = webhookID
            origin.triggerID = triggerID
            origin.actionIndex = index
            origin.chatID = args["chat"]?["id"]?.looseInt
            origin.restAPIID = apiID
            origin.restAPIMethod = call.methodID
            origin.actionContent = call.content
            origin.rootKind = rootKind
            origin.args = args
            origin.depth = RaisedEvents.depth
            origin.httpData = Self.httpData(request)
            var outbound = OutboundCall(
                kind: .restapi, payload: .http(request), origin: origin, retry: settings.retry, retryOn: settings.retryOn,
                signingSecrets: settings.signingSecrets,
                messageID: effects.messageID("w\(webhookID ?? 0)_t\(triggerID)_a\(index)_d\(RaisedEvents.depth)")
            )
            // The outbox refers to the Rest API's secrets instead of copying them (rotation reaches queued retries).
            if apiID > 0 { outbound.signingSource = .restAPI(id: apiID) }
            outbound.notBefore = RestAPIPolling.firstRequestNotBefore(built.method, now: now)
            effects.call(outbound)
            logger.debug("restapi.recorded", metadata: ["restapi.method": "\(request.method)", "delivery.message_id": "\(outbound.messageID)"])
            let detail = JSONObject([
                ("method", .string(request.method)), ("url", .string(SecretMask.maskURL(request.url))), ("message_id", .string(outbound.messageID)),
            ])
            return .init(index: index, type: "restapi", status: "queued", detail: detail)
        } catch let failure as RestAPIRequestBuilder.Failure {
            var detail = JSONObject([("error", .string(failure.reason))])
            if let code = failure.code { detail["code"] = .string(code) }
            if let url = failure.url { detail["url"] = .string(SecretMask.maskURL(url)) }
            for (key, value) in failure.detail { detail[key] = value }
            if failure.skipped { return .init(index: index, type: "restapi", status: "skipped", detail: detail) }
            logger.warning("restapi.not_sent", metadata: ["error.code": "\(failure.code ?? "restapi_failed")"])
            return .init(index: index, type: "restapi", status: "failed", detail: detail)
        } catch {
            return .init(index: index, type: "restapi", status: "failed", detail: JSONObject([("error", .string(String(describing: error)))]))
        }
    }
}

extension RestAPIAction {
    /// `{http_data}` (spec §8.3.3): the request as JSON text, `{"headers":["Name: value",...],"url":"...","body":"..."}`,
    /// the body only when there is one. Unlike the reference, credentials in headers (`Authorization`, API keys, tokens)
    /// are masked, as in the delivery log: the text is meant for messages and logs.
    static func httpData(_ request: OutboundRequest) -> String {
        var object = JSONObject()
        object["headers"] = .array(request.headers.map { .string("\($0.name): \(SecretMask.isSecretName($0.name) ? "********" : $0.value)") })
        object["url"] = .string(SecretMask.maskURL(request.url))
        if let body = request.body { object["body"] = .string(String(decoding: body, as: UTF8.self)) }
        return JSONValue.object(object).jsonText()
    }

}

/// A Rest API's delivery settings (`configuration.retry`, `retry_on`, `signing_secrets`), read leniently when a call
/// is made (saving validates them strictly).
public struct RestAPIDeliverySettings: Sendable, Equatable {
    /// The schedule; nil: the server's default.
    public var retry: RetrySchedule?
    /// Extra 4xx codes to retry.
    public var retryOn: [Int]
    /// Standard Webhooks secrets.
    public var signingSecrets: [String]

    /// The settings of a Rest API configuration.
    public init(configuration: JSONObject) {
        retry = configuration["retry"].flatMap { $0.isNull ? nil : try? RetrySchedule(json: $0) }
        retryOn = (configuration["retry_on"]?.arrayValue ?? []).compactMap(\.looseInt)
        signingSecrets = (configuration["signing_secrets"]?.arrayValue ?? []).compactMap(\.stringValue)
    }
}
