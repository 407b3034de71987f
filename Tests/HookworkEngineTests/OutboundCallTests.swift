import HookworkCore
import HookworkStore
import Testing

@testable import HookworkEngine

@Suite("Outbound calls as the outbox keeps them")
struct OutboundCallTests {
    /// The record a store would return for `delivery`.
    static func record(_ delivery: NewDelivery) -> DeliveryRecord {
        DeliveryRecord(
            id: 1, messageID: delivery.messageID, kind: delivery.kind, status: .pending, method: delivery.method, url: delivery.url,
            host: delivery.host,
            payload: delivery.payload, context: delivery.context, webhookID: delivery.webhookID, triggerID: delivery.triggerID,
            chatID: delivery.chatID,
            restAPIID: delivery.restAPIID, attempts: 0, nextAttemptAt: 0, createdAt: 0, updatedAt: 0, lastStatusCode: nil, lastError: nil,
            oneShot: false
        )
    }

    @Test("an HTTP call reads back exactly, binary body, headers, settings and context included")
    func httpRoundTrip() throws {
        let request = OutboundRequest(
            method: "PUT", url: "https://api.example.com/v1/x?a=1", headers: [("X-A", "1"), ("X-A", "2")], body: [0, 255, 10, 34], timeoutSeconds: 7,
            verifyTLS: false
        )
        let call = OutboundCall(
            kind: .restapi, payload: .http(request),
            origin: CallOrigin(json: JSONObject([("webhook_id", 3), ("trigger_id", 1), ("chat_id", 7), ("rest_api_id", 2)])),
            retry: .custom([5, 60]), retryOn: [409], signingSecrets: ["whsec_abc"], messageID: "msg_e1_w3_t1_a0"
        )
        let delivery = call.newDelivery(heldBy: "inline-1", heldUntil: 99)
        #expect(delivery.host == "api.example.com:443")
        #expect(delivery.webhookID == 3 && delivery.chatID == 7 && delivery.restAPIID == 2 && delivery.triggerID == 1)
        #expect(delivery.heldBy == "inline-1")
        #expect(OutboundCall(record: Self.record(delivery)) == call)
    }

    @Test("a mail call reads back exactly and shows as SMTP to mailto:")
    func mailRoundTrip() throws {
        let envelope = MailEnvelope(
            from: "bot@example.com", fromName: "Bot", to: ["a@example.com", "b@example.com"], replyTo: "r@example.com", subject: "Hi", body: "Text",
            headers: [("X-Tag", "1")]
        )
        let call = OutboundCall(kind: .mail, payload: .mail(envelope), retry: RetrySchedule.none, messageID: "msg_m")
        let delivery = call.newDelivery()
        #expect(delivery.method == "SMTP")
        #expect(delivery.url == "mailto:a@example.com,b@example.com")
        #expect(OutboundCall(record: Self.record(delivery)) == call)
    }

    @Test("message ids derive from the decision, so a decision made twice names its calls the same")
    func stableMessageIDs() {
        #expect(Effects(keyPrefix: "e12").messageID("w3_t1_a0") == Effects(keyPrefix: "e12").messageID("w3_t1_a0"))
        #expect(Effects(keyPrefix: "e12").messageID("w3_t1_a0") == "msg_e12_w3_t1_a0")
        #expect(Effects().messageID("x") != Effects().messageID("x"), "without a key, ids are random")
        #expect(!Effects(keyPrefix: "e12").messageID("w3_t1_a0").contains("."), "Standard Webhooks ids contain no dot")
    }

    @Test(
        "hosts are keyed as host:port with the scheme's default port",
        arguments: [
            ("http://127.0.0.1:9000/x", "127.0.0.1:9000"), ("https://Example.COM/a", "example.com:443"), ("http://example.com", "example.com:80"),
            ("not a url", "unknown"),
        ])
    func hostKeys(url: String, key: String) {
        #expect(OutboundCall.hostKey(of: url) == key)
    }

    @Test("a callback command is a signed JSON POST naming the chat and the webhook")
    func callback() throws {
        let target = CallbackTarget(url: "https://platform.example.com/hookwork", secrets: ["whsec_one"])
        let call = target.call(command: JSONObject([("command", "close_chat")]), chatID: 7, webhookID: 3, messageID: "msg_cb")
        #expect(call.kind == .callback)
        // Signed with the callback secrets configured when each attempt is made: the outbox row holds no copy.
        #expect(call.signingSource == .callback)
        let row = call.newDelivery()
        #expect(!row.payload.jsonText().contains("whsec_one"))
        #expect(OutboundCall(record: Self.record(row))?.signingSource == .callback)
        #expect(call.origin.chatID == 7)
        guard case .http(let request) = call.payload else {
            Issue.record("a callback is an HTTP call")
            return
        }
        #expect(request.method == "POST")
        #expect(String(decoding: request.body ?? [], as: UTF8.self) == #"{"command":"close_chat","chat_id":7,"webhook_id":3}"#)
    }
}
