import Foundation
import HookworkStore
import Testing

@testable import HookworkEngine

@Suite("The crash sentinel")
struct CrashSentinelTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sentinel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("notes left in the file by a process that never cleared them are what the next one reads; cleared notes are not")
    func leftOver() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("hookwork.inflight").path
        do {
            let first = try CrashSentinel(path: path)
            #expect(first.leftOver.isEmpty, "a new file has no notes")
            first.note(slot: 0, .chat, .evaluating, id: 41, webhookID: 3)
            first.note(slot: 1, .chat, .evaluating, id: 42, webhookID: 3)
            first.clear(slot: 1)
            // A firing under way when the process stops, as a trap inside a trigger would leave it.
            await first.firing(.mailMessage, id: 9, webhookID: 5) {
                let second = try? CrashSentinel(path: path)
                #expect(second?.path == path + ".1", "a second process on the same path takes the next name")
                let stopped = Self.read(path)
                #expect(stopped.contains(ContinuousCrash(subject: .mailMessage, id: 9, webhookID: 5, phase: .firing)))
            }
            // Closed without clearing slot 0: what a process that died at once leaves behind.
        }
        let next = try CrashSentinel(path: path)
        #expect(next.path == path, "the lock went with the process that held it")
        #expect(next.leftOver == [ContinuousCrash(subject: .chat, id: 41, webhookID: 3, phase: .evaluating)], "the finished firing cleared its note")
        #expect(try CrashSentinel(path: path + ".x").leftOver.isEmpty)
        withExtendedLifetime(next) {}
        #expect(try CrashSentinel(path: path).leftOver.isEmpty, "reading the notes clears the file")
    }

    @Test("a file of another size or format is read as no notes, and rewritten")
    func foreignFile() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("hookwork.inflight").path
        try Data(repeating: 0xFF, count: 4_000).write(to: URL(fileURLWithPath: path))
        #expect(try CrashSentinel(path: path).leftOver.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == CrashSentinel.fileBytes)
    }

    @Test("a path that cannot be created is a clear error naming it")
    func unusable() {
        #expect {
            try CrashSentinel(path: "/nonexistent-folder/hookwork.inflight")
        } throws: { error in
            "\(error)".contains("/nonexistent-folder/hookwork.inflight")
        }
    }

    /// The notes in the file at `path` as another process would read them, without taking its lock.
    static func read(_ path: String) -> [ContinuousCrash] {
        guard var data = try? Data(contentsOf: URL(fileURLWithPath: path)) else { return [] }
        return data.withUnsafeMutableBytes { CrashSentinel.read($0.baseAddress!) }
    }
}
