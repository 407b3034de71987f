import Foundation
import HookworkCore
import SQLKit
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

    @Test("a damaged document is left out of lists (and logged) instead of failing every list and continuous pass")
    func damagedRow() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hw-damaged-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try await SQLiteStore.open(path: folder.appendingPathComponent("hookwork.sqlite").path, logger: .quiet)
        try await store.migrate()
        for id in 1...3 { try await store.put(.chat, id: id, document: JSONObject([("id", .int(id)), ("status", .int(1))])) }
        try await store.put(.message, id: 10, document: JSONObject([("id", .int(10)), ("chat_id", .int(1)), ("msg", "hi")]))
        // What a disk fault or a hand edit leaves: text that is not a JSON object.
        _ = try await store.engine.write { db in
            try await db.raw("UPDATE hw_records SET document = '{\"id\": 2, \"status\"' WHERE kind = 'chat' AND id = 2").run()
        }
        let listed = try await store.list(.chat, query: EntityQuery(statuses: [1]))
        #expect(listed.compactMap { $0["id"]?.intValue } == [1, 3])
        let byID = try await store.records(.chat, ids: [1, 2, 3])
        #expect(byID.keys.sorted() == [1, 3])
        // Reading the damaged record itself still fails loudly.
        await #expect(throws: StoreError.self) { _ = try await store.get(.chat, id: 2) }
        try await store.shutdown()
    }
}

@Suite("Indexed columns read loose integers as the engine does")
struct IndexedColumnsLooseTests {
    @Test("a chat whose status is \"2.0\" is closed to the status filter, as it is to the chat actions")
    func looseStatus() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hw-loose-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try await SQLiteStore.open(path: folder.appendingPathComponent("hookwork.sqlite").path, logger: .quiet)
        try await store.migrate()
        try await store.put(.chat, id: 1, document: ["status": "2.0"])
        try await store.put(.chat, id: 2, document: ["status": " 1 "])
        #expect(try await store.list(.chat, query: EntityQuery(statuses: [2])).compactMap { $0["id"]?.intValue } == [1])
        #expect(try await store.list(.chat, query: EntityQuery(statuses: [0, 1, 5])).compactMap { $0["id"]?.intValue } == [2])
        #expect(JSONValue.string("2.0").looseInt == 2)
        try await store.shutdown()
    }

    @Test("writes batched with a caller that is cancelled still commit, and so does the cancelled caller's own; a cancelled store still closes")
    func cancelledWriters() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hw-cancel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try await SQLiteStore.open(path: folder.appendingPathComponent("hookwork.sqlite").path, logger: .quiet)
        try await store.migrate()
        for round in 0..<5 {
            let writers = (1...60).map { index in
                Task { try await store.put(.chat, id: round * 100 + index, document: JSONObject([("status", .int(1))])) }
            }
            // Every third caller gives up at once: whichever of them leads a batch runs it for the others all the same.
            for (index, writer) in writers.enumerated() where index % 3 == 0 { writer.cancel() }
            for writer in writers { try await writer.value }
        }
        #expect(try await store.list(.chat, query: EntityQuery()).count == 300)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.shutdown() }
            group.cancelAll()
            try await group.waitForAll()
        }
    }
}
