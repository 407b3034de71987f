import Foundation
import HookworkCore
import HookworkEngine
import HookworkStore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HookworkServer

/// "Why didn't it fire for this chat?": each reason in its own test, on a real store after real passes.
@Suite("Why a webhook fires or not for a chat")
struct WhyNotTests {
    let t0 = continuousStart
    let activeNotOnHold = "[" + compare("{args.chat.status}", "eq", "1") + "," + compare("{args.chat.status_sub}", "neq", "8") + "]"

    func why(_ h: ContinuousHarness, webhook: Int = 1, chat: Int = 7, at time: Int, blocked: Set<String> = []) async throws -> JSONObject {
        try await FiringExplainer(store: h.store).explain(webhookID: webhook, chatID: chat, now: time, blockedHosts: blocked)
    }

    func codes(_ answer: JSONObject) -> [String] {
        (answer["reasons"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue }
    }

    func reason(_ answer: JSONObject, _ code: String) -> JSONValue? {
        answer["reasons"]?.arrayValue?.first { $0["code"]?.stringValue == code }
    }

    @Test("nothing holds it back: the verdict is valid and the next pass fires (and then it does)")
    func due() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(continuousWebhook(activeNotOnHold))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            let answer = try await why(h, at: t0)
            #expect(codes(answer) == ["due"])
            #expect(answer["fires"] == true && answer["valid"] == true)
            #expect(answer["verdict"]?["trace"]?.arrayValue?.isEmpty == false, "the verdict carries its trace")
            #expect(try await h.pass(at: t0) == ["/closed/7"], "and the pass fires as said")
        }
    }

    @Test("the trigger's own trigger_condition skips its only action: the answer says a firing would do nothing, and why")
    func triggerSkipsActions() async throws {
        try await ContinuousHarness.with { h in
            let conditions = #"{"is_sales":[{"type":"3","attr":"{args.chat.department.name}","condition":"eq","value":"Sales"}]}"#
            let trigger =
                #"{"name":"Sales only","conditions":\#(conditions),"actions":[{"type":"restapi","content":{"rest_api":1,"rest_api_method":"close","trigger_condition":"is_sales"}}]}"#
            try await h.store.put(.trigger, id: 1, document: try object(trigger))
            try await h.webhook(continuousWebhook(activeNotOnHold))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            let answer = try await why(h, at: t0)
            #expect(codes(answer) == ["trigger_skips_actions"])
            #expect(answer["fires"] == false && answer["valid"] == true)
            let actions = answer["trigger_actions"]?.arrayValue ?? []
            #expect(actions.map { $0["runs"] } == [false])
            #expect(actions.first?["code"] == "trigger_condition")
            #expect(actions.first?["conditions"]?["is_sales"] == false, "the named condition's value is shown")

            try await h.store.put(.department, id: 3, document: ["name": "Sales"])
            try await h.store.put(.chat, id: 7, document: ["status": 1, "dep_id": 3])
            let sales = try await why(h, at: t0)
            #expect(codes(sales) == ["due"], "a Sales chat runs the action: \(codes(sales))")
            #expect(sales["trigger_actions"]?.arrayValue?.map { $0["runs"] } == [true])
            #expect(try await h.pass(at: t0) == ["/closed/7"], "and the pass runs it, as said")
        }
    }

    @Test("the webhook names a trigger that does not exist")
    func triggerMissing() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(continuousWebhook(activeNotOnHold))
            #expect(try await h.store.delete(.trigger, id: 1), "deleted behind the webhook's back")
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            #expect(codes(try await why(h, at: t0)) == ["trigger_missing"])
        }
    }

    @Test("the conditions fail: the failing condition is named, numbered from 1 as the form numbers it")
    func conditionsNotMet() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(continuousWebhook(activeNotOnHold))
            try await h.store.put(.chat, id: 7, document: ["status": 1, "status_sub": 8])
            let answer = try await why(h, at: t0)
            #expect(codes(answer) == ["conditions_not_met"])
            #expect(answer["fires"] == false && answer["valid"] == false)
            let failing = reason(answer, "conditions_not_met")?["failing"]?.arrayValue ?? []
            #expect(failing.map { $0["condition"] } == [2])
            #expect(answer["summary"]?.stringValue?.contains("condition 2 is false") == true)
            #expect(try await h.pass(at: t0) == [], "and the pass does not fire")
        }
    }

    @Test("once per episode: it fired in this episode at T and waits for the conditions to stop holding")
    func onceFired() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(continuousWebhook(activeNotOnHold, firing: #"{"policy":"once"}"#))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            #expect(try await h.pass(at: t0) == ["/closed/7"])
            let answer = try await why(h, at: t0 + 30)
            #expect(codes(answer) == ["once_fired"])
            #expect(reason(answer, "once_fired")?["fired_at"] == .int(t0))
            #expect(try await h.pass(at: t0 + 30) == [])
        }
    }

    @Test("every N seconds: it fired at T and the next firing is at T + N")
    func everyWaits() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(continuousWebhook(activeNotOnHold))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            #expect(try await h.pass(at: t0) == ["/closed/7"])
            let waiting = try await why(h, at: t0 + 5)
            #expect(codes(waiting) == ["every_waits"])
            #expect(reason(waiting, "every_waits")?["next_at"] == .int(t0 + 20))
            #expect(codes(try await why(h, at: t0 + 20)) == ["due"], "at the next time nothing holds it back")
            #expect(try await h.pass(at: t0 + 20) == ["/closed/7"])
        }
    }

    @Test("max_firings: it fired N of N times in this episode")
    func maxFirings() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(continuousWebhook(activeNotOnHold, firing: #"{"policy":"every","every_seconds":5,"max_firings":2}"#))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            #expect(try await h.pass(at: t0) == ["/closed/7"])
            #expect(try await h.pass(at: t0 + 5) == ["/closed/7"])
            let answer = try await why(h, at: t0 + 10)
            #expect(codes(answer) == ["max_firings"])
            #expect(reason(answer, "max_firings")?["fired"] == 2 && reason(answer, "max_firings")?["max_firings"] == 2)
            #expect(try await h.pass(at: t0 + 10) == [])
        }
    }

    @Test("the chat is not open: continuous passes do not look at it")
    func chatNotOpen() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(continuousWebhook("[" + compare("{args.chat.dep_id}", "eq", "3") + "]"))
            try await h.store.put(.chat, id: 7, document: ["status": 2, "dep_id": 3])
            let answer = try await why(h, at: t0)
            #expect(codes(answer) == ["chat_not_open"])
            #expect(reason(answer, "chat_not_open")?["status"] == 2)
            #expect(answer["valid"] == true && answer["fires"] == false)
            #expect(try await h.pass(at: t0) == [])
        }
    }

    @Test("the webhook is switched off")
    func disabled() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(#"{"name":"off","type":1,"disabled":1,"trigger_id":1,"configuration":\#(activeNotOnHold)}"#)
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            let answer = try await why(h, at: t0)
            #expect(codes(answer) == ["disabled"])
            #expect(try await h.pass(at: t0) == [])
        }
    }

    @Test("the webhook is in shadow mode: it records its firings and runs no trigger")
    func shadow() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(#"{"name":"trial","type":1,"mode":"shadow","trigger_id":1,"configuration":\#(activeNotOnHold)}"#)
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            let answer = try await why(h, at: t0)
            #expect(codes(answer) == ["shadow"])
            #expect(try await h.pass(at: t0) == [], "nothing is sent")
            #expect(try await h.store.shadowFirings(webhookID: 1, since: 0, until: t0 + 1, limit: 10).count == 1, "the firing is recorded")
        }
    }

    @Test("the chat is parked after crashes, with the way to resume it")
    func parked() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(continuousWebhook(activeNotOnHold))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            _ = try await h.store.recordContinuousCrashes(
                [ContinuousCrash(subject: .chat, id: 7, webhookID: 1, phase: .evaluating)], parkAfter: 1, now: t0 - 10)
            let answer = try await why(h, at: t0)
            #expect(codes(answer) == ["parked"])
            #expect(reason(answer, "parked")?["message"]?.stringValue?.contains("/api/v1/chats/7/resume") == true)
            #expect(try await h.pass(at: t0) == [])
        }
    }

    @Test("a hook webhook waits for its event; the answer says which and what would run")
    func hookWaitsForEvent() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(#"{"name":"on close","type":0,"event":"chat.close","trigger_id":1,"configuration":[]}"#)
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            let answer = try await why(h, at: t0)
            #expect(codes(answer) == ["hook_waits_for_event"])
            #expect(reason(answer, "hook_waits_for_event")?["event"] == "chat.close")
        }
    }

    /// Runs a pass without attempting its calls: the delivery stays pending, as it does while a breaker holds it.
    func passWithoutAttempt(_ h: ContinuousHarness, at time: Int) async throws -> DeliveryRecord {
        try await h.scheduler.runPass(now: time)
        _ = h.decided.take()
        return try #require(try await h.store.deliveries(DeliveryQuery(webhookID: 1, chatID: 7, limit: 1)).first)
    }

    /// Fails the pending delivery's attempt as `status`.
    func fail(_ h: ContinuousHarness, _ delivery: DeliveryRecord, as status: DeliveryStatus, at time: Int) async throws {
        let claimed = try await h.store.claimDeliveries(DeliveryClaim(limit: 1, now: time, worker: "test", leaseSeconds: 30, ids: [delivery.id]))
        let attempt = try #require(claimed.first)
        let record = DeliveryAttemptRecord(
            number: attempt.attempts, startedAt: time, durationMilliseconds: 3, request: .null, response: nil, error: "HTTP 503")
        let finish = AttemptFinish(
            deliveryID: delivery.id, attempt: record, status: status, nextAttemptAt: status == .failed ? time + 60 : nil, statusCode: 503,
            error: "HTTP 503", now: time)
        #expect(try await h.store.finishAttempt(finish, followUp: UnitOfWork()))
    }

    @Test("its call waits behind the open circuit breaker of its host")
    func breakerOpen() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(continuousWebhook(activeNotOnHold))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            let delivery = try await passWithoutAttempt(h, at: t0)
            let answer = try await why(h, at: t0 + 1, blocked: [delivery.host])
            #expect(codes(answer) == ["every_waits", "breaker_open"])
            #expect(reason(answer, "breaker_open")?["delivery_id"] == .int(delivery.id))
            #expect(answer["last_delivery"]?["status"] == "pending")
            #expect(codes(try await why(h, at: t0 + 1)) == ["every_waits"], "no open breaker, nothing said of it")
        }
    }

    @Test("its call failed and is retried at a known time")
    func deliveryRetrying() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(continuousWebhook(activeNotOnHold))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            let delivery = try await passWithoutAttempt(h, at: t0)
            try await fail(h, delivery, as: .failed, at: t0 + 1)
            let answer = try await why(h, at: t0 + 2)
            #expect(codes(answer) == ["every_waits", "delivery_retrying"])
            #expect(reason(answer, "delivery_retrying")?["next_attempt_at"] == .int(t0 + 61))
            #expect(reason(answer, "delivery_retrying")?["message"]?.stringValue?.contains("HTTP 503") == true)
        }
    }

    @Test("its call gave up (exhausted), with the replay route")
    func deliveryExhausted() async throws {
        try await ContinuousHarness.with { h in
            try await h.webhook(continuousWebhook(activeNotOnHold))
            try await h.store.put(.chat, id: 7, document: ["status": 1])
            let delivery = try await passWithoutAttempt(h, at: t0)
            try await fail(h, delivery, as: .exhausted, at: t0 + 1)
            let answer = try await why(h, at: t0 + 30)
            #expect(codes(answer) == ["delivery_exhausted"])
            #expect(reason(answer, "delivery_exhausted")?["message"]?.stringValue?.contains("/api/v1/deliveries/\(delivery.id)/replay") == true)
        }
    }

    @Test("over HTTP: the answer for a stored chat; an unknown chat or webhook is 404, a mail webhook 422")
    func overHTTP() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let app = try await makeApp(testConfiguration(databaseURL: database.url))
        try await app.test(.router) { client in
            #expect(try await client.call(.post, "/api/v1/triggers", json: #"{"name":"Nudge","actions":[]}"#).status == 201)
            let conditions = "[" + compare("{args.chat.status}", "eq", "1") + "]"
            #expect(try await client.call(.post, "/api/v1/webhooks", json: continuousWebhook(conditions)).status == 201)
            #expect(try await client.call(.post, "/api/v1/webhooks", json: continuousWebhook(conditions, type: 2)).status == 201)
            #expect(try await client.call(.put, "/api/v1/chats/7", token: ingestToken, json: #"{"status":2}"#).status == 200)
            let answer = try await client.call(.get, "/api/v1/webhooks/1/chats/7/why")
            #expect(answer.status == 200)
            #expect(answer.body["reasons"]?.arrayValue?.compactMap { $0["code"]?.stringValue } == ["chat_not_open", "conditions_not_met"])
            #expect(try await client.call(.get, "/api/v1/webhooks/1/chats/8/why").status == 404)
            #expect(try await client.call(.get, "/api/v1/webhooks/9/chats/7/why").status == 404)
            let mail = try await client.call(.get, "/api/v1/webhooks/2/chats/7/why")
            #expect(mail.status == 422 && mail.body["error"]?["field"] == "id")
            #expect(try await client.call(.get, "/api/v1/webhooks/1/chats/7/why", token: ingestToken).status == 403)
        }
    }
}
