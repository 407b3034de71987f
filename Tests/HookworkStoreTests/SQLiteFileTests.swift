import Foundation
import HookworkCore
import Testing

@testable import HookworkStore

@Suite("SQLite: a database file deleted or replaced in use")
struct SQLiteFileTests {
    @Test("writes and reads fail loudly once the file is gone, and a start refuses to replace it with an empty one")
    func deletedFile() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hw-deleted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("hookwork.sqlite").path
        let store = try await SQLiteStore.open(path: path, logger: .quiet)
        try await store.migrate()
        try await store.put(.chat, id: 1, document: JSONObject([("status", .int(1))]))
        try FileManager.default.removeItem(atPath: path)

        let write = await #expect(throws: StoreError.self) { try await store.put(.chat, id: 2, document: JSONObject()) }
        #expect(write?.code == "unavailable")
        #expect(write?.message.contains("deleted or replaced") == true)
        let read = await #expect(throws: StoreError.self) { _ = try await store.get(.chat, id: 1) }
        #expect(read?.code == "unavailable")
        try await store.shutdown()

        // A process killed after the deletion leaves the write-ahead log behind; a clean close may have removed it.
        if !FileManager.default.fileExists(atPath: path + "-wal") {
            #expect(FileManager.default.createFile(atPath: path + "-wal", contents: Data("left by a killed process".utf8)))
        }
        let reopen = await #expect(throws: StoreError.self) { _ = try await SQLiteStore.open(path: path, logger: .quiet) }
        #expect(reopen?.message.contains("deleted while in use") == true)
        #expect(!FileManager.default.fileExists(atPath: path), "nothing was created in its place")
    }
}
