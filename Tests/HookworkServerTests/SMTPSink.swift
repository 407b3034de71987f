import Foundation
import HookworkCore
import Testing

/// A real SMTP server on loopback: `Tests/Scripts/smtp_sink.py` (Python's aiosmtpd), started per test.
final class SMTPSink: @unchecked Sendable {
    let process: Process
    let input: Pipe
    let folder: URL
    let port: Int

    /// The messages the server accepted so far, in order, each as the script recorded it.
    var messages: [JSONValue] {
        guard let text = try? String(contentsOf: folder.appendingPathComponent("received.jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
    }

    private init(arguments: [String]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("hookwork-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts/smtp_sink.py")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--out", folder.appendingPathComponent("received.jsonl").path] + arguments
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The script prints "PORT n" once it listens (or exits, when aiosmtpd is missing: `.ci/run` installs it).
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw SinkError(reason: "smtp_sink.py did not start (is aiosmtpd installed? pip install aiosmtpd): '\(text)'")
        }
        self.port = port
    }

    struct SinkError: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs `body` with a server started with `arguments` (`--auth u:p`, `--refuse a@b`, `--cert c --key k`).
    static func with<T: Sendable>(_ arguments: [String] = [], _ body: (SMTPSink) async throws -> T) async throws -> T {
        let sink = try SMTPSink(arguments: arguments)
        defer { sink.stop() }
        return try await body(sink)
    }

    /// A self-signed certificate and key for `localhost`, made with openssl in a fresh folder.
    static func selfSignedCertificate() throws -> (cert: String, key: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hookwork-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let cert = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw SinkError(reason: "openssl could not make a certificate") }
        return (cert, key)
    }
}
