import Foundation
import HTTPTypes
import HookworkCore
import HummingbirdTesting
import Testing

@testable import HookworkServer

/// The HTTP API against its own OpenAPI document, with schemathesis (PyPI; `scripts/test` installs it): generated and
/// boundary requests for every operation, then stateful sequences. Fails on any 5xx, an undocumented status, a wrong
/// content type or an answer that does not match its documented schema.
@Suite("The OpenAPI document, checked by schemathesis")
struct SchemathesisTests {
    @Test("schemathesis finds no server error and no answer outside its documented schema (bounded examples, fixed seed)")
    func documentHolds() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        var configuration = testConfiguration(databaseURL: database.url)
        configuration.host = "127.0.0.1"
        configuration.maxBodyBytes = 1 << 20
        // The test's own client connection waits idle while schemathesis runs.
        configuration.idleTimeoutSeconds = 1_800
        let app = try await makeApp(configuration)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            // Something to find, so that reads and updates of existing records are exercised too.
            #expect(try await client.call(.post, "/api/v1/rest_apis", json: DeliveryFixture.restAPI(port: 9)).status == 201)
            #expect(try await client.call(.post, "/api/v1/triggers", json: Fixture.trigger).status == 201)
            #expect(try await client.call(.post, "/api/v1/webhooks", json: Fixture.webhook()).status == 201)
            #expect(try await client.call(.put, "/api/v1/chats/1", token: ingestToken, json: #"{"nick":"Ann","status":1}"#).status == 200)

            let output = database.folder.appendingPathComponent("schemathesis.txt")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            let handle = try FileHandle(forWritingTo: output)
            defer { try? handle.close() }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "st", "run", "http://127.0.0.1:\(port)/api/v1/openapi.json", "--header", "Authorization: Bearer \(adminToken)",
                "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                "--max-examples", "20", "--seed", "1", "--generation-with-security-parameters", "false", "--no-color",
            ]
            process.environment = ProcessInfo.processInfo.environment.merging(["SCHEMATHESIS_TELEMETRY": "false"]) { $1 }
            // Its example cache goes to the test's temporary folder, not into the package.
            process.currentDirectoryURL = database.folder
            process.standardOutput = handle
            process.standardError = handle
            let status: Int32 = try await withCheckedThrowingContinuation { continuation in
                process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
                do { try process.run() } catch {
                    process.terminationHandler = nil
                    continuation.resume(throwing: error)
                }
            }
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            #expect(status == 0, "schemathesis exited with \(status):\n\(text.suffix(6000))")
            let tested = text.components(separatedBy: "\n").first { $0.contains("generated,") } ?? ""
            #expect(tested.contains("passed"), "\(text.suffix(2000))")
            // The server is still there and well.
            #expect(try await client.call(.get, "/health", token: nil).status == 200)
        }
    }
}
