import HookworkCore
import Testing

@testable import HookworkStore

@Suite("Choosing a store from database.url")
struct StoreURLTests {
    @Test(
        "supported URLs name the right database",
        arguments: [
            ("sqlite://./hookwork.sqlite", StoreLocation.sqliteFile(path: "./hookwork.sqlite")),
            ("sqlite:///var/lib/hookwork/db.sqlite", .sqliteFile(path: "/var/lib/hookwork/db.sqlite")),
            ("sqlite://data/hookwork.sqlite", .sqliteFile(path: "data/hookwork.sqlite")),
            ("sqlite::memory:", .sqliteMemory),
            ("postgres://u:p@db:5432/hookwork", .postgres),
            ("postgresql://u@db/hookwork", .postgres),
        ]
    )
    func supported(url: String, location: StoreLocation) {
        #expect(StoreLocation(url: url) == location)
    }

    @Test("an unsupported URL is refused with a message that shows a valid one and hides the password")
    func unsupported() async {
        for url in ["mysql://root:secret@db/hookwork", "hookwork.sqlite", "sqlite://"] {
            let error = await #expect(throws: StoreError.self) { _ = try await makeStore(url: url, logger: .quiet) }
            #expect(error?.code == "invalid")
            #expect(error?.message.contains("sqlite://./hookwork.sqlite") == true)
            #expect(error?.message.contains("secret") == false)
        }
    }

    @Test("makeStore opens a working SQLite store")
    func opensSQLite() async throws {
        let store = try await makeStore(url: "sqlite::memory:", logger: .quiet)
        try await store.migrate()
        try await store.put(.chat, id: 1, document: object(["status": 1]))
        #expect(try await store.get(.chat, id: 1)?["status"] == 1)
        try await store.shutdown()
    }

    @Test("an unreachable PostgreSQL server is reported as unavailable, with what to check")
    func unreachablePostgres() async throws {
        let store = try await makeStore(url: "postgres://hookwork:secret@127.0.0.1:1/hookwork", logger: .quiet)
        let error = await #expect(throws: StoreError.self) { try await store.migrate() }
        #expect(error?.code == "unavailable")
        #expect(error?.message.contains("database.url") == true)
        try await store.shutdown()
    }
}
