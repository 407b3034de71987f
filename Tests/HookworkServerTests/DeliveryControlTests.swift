import Foundation
import HTTPTypes
import HookworkCore
import HookworkStore
import HummingbirdTesting
import Testing

@testable import HookworkServer

@Suite("Cancelling deliveries and replaying one an attempt holds (API and CLI)")
struct DeliveryControlTests {
    /// A delivery to a host nothing listens on, recorded with `heldBy` if given.
    static func delivery(_ messageID: String, heldBy: String? = nil, heldUntil: Int? = nil) -> NewDelivery {
        NewDelivery(
            messageID: messageID, kind: .restapi, method: "POST", url: "http://127.0.0.1:9/x", host: "127.0.0.1:9",
            payload: .object(JSONObject([("request", .object(JSONObject([("url", .string("http://127.0.0.1:9/x"))])))])), context: JSONObject(),
            chatID: 7, heldBy: heldBy, heldUntil: heldUntil)
    }

    @Test("POST /deliveries/{id}/cancel and `deliveries cancel` stop a pending delivery; other states answer 409 naming the status or the attempt")
    func cancel() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let path = String(database.url.dropFirst("sqlite://".count))
        // Recorded as due far in the future, so that no worker attempts them while the test runs.
        let later = 4_000_000_000
        let app = try await makeDeliveryApp(testConfiguration(worker: .http, databaseURL: database.url))
        try await app.test(.router) { client in
            let other = try await SQLiteStore.open(path: path, logger: testLogger)
            let ids: [Int]
            do {
                try await other.migrate()
                ids = try await other.commit(
                    UnitOfWork(deliveries: [
                        Self.delivery("msg_a"), Self.delivery("msg_b", heldBy: "elsewhere", heldUntil: later + 300), Self.delivery("msg_c"),
                        Self.delivery("msg_d"),
                    ]), now: later)
                _ = try await other.claimDeliveries(DeliveryClaim(limit: 1, now: later, worker: "w", leaseSeconds: 30, ids: [ids[3]]))
                let attempt = DeliveryAttemptRecord(
                    number: 1, startedAt: later, durationMilliseconds: 1, request: .object(JSONObject()), response: nil, error: nil)
                _ = try await other.finishAttempt(
                    AttemptFinish(
                        deliveryID: ids[3], attempt: attempt, status: .delivered, nextAttemptAt: nil, statusCode: 200, error: nil, now: later),
                    followUp: UnitOfWork())
                try await other.shutdown()
            } catch {
                try? await other.shutdown()
                throw error
            }

            let cancelled = try await client.call(.post, "/api/v1/deliveries/\(ids[0])/cancel")
            #expect(cancelled.status == 200)
            #expect(cancelled.body["delivery"]?["status"] == "cancelled")
            #expect(try await client.call(.get, "/api/v1/deliveries?status=cancelled").body["deliveries"]?.arrayValue?.count == 1)
            let again = try await client.call(.post, "/api/v1/deliveries/\(ids[0])/cancel")
            #expect(again.status == 409)
            #expect(again.body["error"]?["message"]?.stringValue?.contains("is cancelled") == true)
            let delivered = try await client.call(.post, "/api/v1/deliveries/\(ids[3])/cancel")
            #expect(delivered.status == 409)
            #expect(delivered.body["error"]?["message"]?.stringValue?.contains("is delivered") == true)
            // An attempt holds msg_b: neither cancel nor replay may race with its outcome.
            let held = try await client.call(.post, "/api/v1/deliveries/\(ids[1])/cancel")
            #expect(held.status == 409)
            #expect(held.body["error"]?["code"] == "attempt_in_flight")
            let replay = try await client.call(.post, "/api/v1/deliveries/\(ids[1])/replay")
            #expect(replay.status == 409)
            #expect(replay.body["error"]?["code"] == "attempt_in_flight")
            #expect(try await client.call(.get, "/api/v1/deliveries/\(ids[1])").body["status"] == "pending")
            #expect(try await client.call(.post, "/api/v1/deliveries/999999/cancel").status == 404)
            #expect(try await client.call(.post, "/api/v1/deliveries/\(ids[2])/cancel", token: ingestToken).status == 403)
            let document = try await client.call(.get, "/api/v1/openapi.json", token: nil).body
            #expect(document["paths"]?["/api/v1/deliveries/{id}/cancel"]?["post"] != nil)

            let cli = try runHookwork(["deliveries", "cancel", "\(ids[2])"], databasePath: path)
            #expect(cli.status == 0, "\(cli.stderr)")
            #expect(try JSONValue(parsing: cli.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["status"] == "cancelled")
            let refused = try runHookwork(["deliveries", "cancel", "\(ids[2])"], databasePath: path)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("delivery \(ids[2]) is cancelled"))
            let missing = try runHookwork(["deliveries", "cancel", "999999"], databasePath: path)
            #expect(missing.stderr.contains("does not exist"))
        }
    }
}
