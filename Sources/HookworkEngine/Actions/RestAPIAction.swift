import Foundation
import HookworkCore
import HookworkStore
import Logging

/// The `restapi` action (spec §8.3): builds the call of one Rest API method and sends it.
struct RestAPIAction: Sendable {
    let store: any Store
    let sender: any HTTPSender
    let logger: Logger
    /// Runs the output trigger a response rule chooses (spec §8.3.3).
    let executor: TriggerExecutor

    func run(content: JSONObject, args: JSONValue, rootKind: NodeKind = .argsWithChat, now: Int) async -> TriggerExecutor.ActionReport {
        do {
            let built = try await RestAPIRequestBuilder(store: store).prepare(content: content, input: TemplateInput(args: args, now: now, rootKind: rootKind))
            let request = built.request
            var detail = JSONObject([("method", .string(request.method)), ("url", .string(request.url))])
            let started = ContinuousClock.now
            do {
                let response = try await sender.send(request)
                let elapsed = ContinuousClock.now - started
                detail["http_code"] = .int(response.status)
                detail["duration_ms"] = .int(Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000))
                detail["response"] = .string(String(decoding: response.body.prefix(1000), as: UTF8.self))
                logger.info(
                    "restapi.sent",
                    metadata: ["restapi.method": "\(request.method)", "restapi.status": "\(response.status)"]
                )
                let followUp = await RestAPIResponseHandler.follow(
                    response, method: built.method, content: content, args: args, rootKind: rootKind, now: now, executor: executor
                )
                for (key, value) in followUp { detail[key] = value }
                return .init(index: 0, type: "restapi", status: response.status < 400 ? "sent" : "failed", detail: detail)
            } catch {
                detail["error"] = .string(String(describing: error))
                logger.warning("restapi.failed", metadata: ["restapi.method": "\(request.method)", "error": "\(error)"])
                return .init(index: 0, type: "restapi", status: "failed", detail: detail)
            }
        } catch let failure as RestAPIRequestBuilder.Failure {
            var detail = JSONObject([("error", .string(failure.reason))])
            if let code = failure.code { detail["code"] = .string(code) }
            if let url = failure.url { detail["url"] = .string(url) }
            for (key, value) in failure.detail { detail[key] = value }
            if failure.skipped { return .init(index: 0, type: "restapi", status: "skipped", detail: detail) }
            logger.warning("restapi.not_sent", metadata: ["error.code": "\(failure.code ?? "restapi_failed")"])
            return .init(index: 0, type: "restapi", status: "failed", detail: detail)
        } catch {
            return .init(index: 0, type: "restapi", status: "failed", detail: JSONObject([("error", .string(String(describing: error)))]))
        }
    }

}
