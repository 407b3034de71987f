import Foundation
import HTTPTypes
import HookworkCore
import HookworkEngine
import HookworkStore
import HummingbirdTesting
import Testing

@testable import HookworkServer

@Suite("Business hours: calendars, {business_time}, {in_business_hours} and __business")
struct BusinessHoursTests {
    /// Monday to Friday 09:00-13:00 and 14:00-18:00 in Vilnius, closed on Thursday 2023-12-21. (The firings' calls are
    /// made by the real clock, so the manual clock stays in the past.)
    static let office = """
        {"name":"Office","time_zone":"Europe/Vilnius",
         "weekly":{"mon":[["09:00","13:00"],["14:00","18:00"]],"tue":[["09:00","13:00"],["14:00","18:00"]],
                   "wed":[["09:00","13:00"],["14:00","18:00"]],"thu":[["09:00","13:00"],["14:00","18:00"]],
                   "fri":[["09:00","13:00"],["14:00","18:00"]]},
         "exceptions":{"2023-12-21":[]}}
        """

    /// Unix seconds of a wall time in Vilnius in December 2023 (EET, UTC+2).
    static func vilnius(_ day: Int, _ hour: Int, _ minute: Int, _ second: Int = 0) -> Int {
        1_701_388_800 + (day - 1) * 86_400 + (hour - 2) * 3600 + minute * 60 + second
    }

    @Test("a continuous rule over opening hours fires when the visitor has waited 30 business minutes, across the closing time and a holiday")
    func waitsInBusinessTime() async throws {
        try await ContinuousHarness.with { h in
            try await h.store.put(.calendar, id: 1, document: try object(Self.office))
            try await h.store.put(.department, id: 3, document: ["name": "Sales", "calendar_id": 1])
            let waited = "[" + compare("{args.chat.last_user_msg_time__business}", "lt", "{business_time}-1800") + "]"
            try await h.webhook(continuousWebhook(waited, firing: #"{"policy":"once"}"#))
            // The visitor wrote on Wednesday at 17:50; the office closes at 18:00 and stays closed on Thursday.
            try await h.store.put(.chat, id: 7, document: ["status": 1, "dep_id": 3, "last_user_msg_time": .int(Self.vilnius(20, 17, 50))])
            #expect(try await h.pass(at: Self.vilnius(20, 23, 0)) == [], "ten business minutes")
            #expect(try await h.pass(at: Self.vilnius(21, 15, 0)) == [], "the holiday adds nothing")
            #expect(try await h.pass(at: Self.vilnius(22, 9, 19, 59)) == [], "1,799 business seconds")
            #expect(try await h.pass(at: Self.vilnius(22, 9, 20, 1)) == ["/closed/7"], "past 1,800")
            #expect(try await h.pass(at: Self.vilnius(22, 10, 0)) == [], "once per episode")
        }
    }

    @Test("a ladder step on the business clock waits for opening time: started on Wednesday at 17:50, its 30-minute step fires on Friday at 09:20")
    func businessLadder() async throws {
        try await ContinuousHarness.with { h in
            try await h.store.put(.calendar, id: 1, document: try object(Self.office))
            try await h.store.put(.department, id: 3, document: ["name": "Sales", "calendar_id": 1])
            let steps = #"[{"after_seconds":1800,"trigger_id":1,"clock":"business"}]"#
            let conditions = "[" + compare("{args.chat.status}", "eq", "1") + "]"
            try await h.webhook(#"{"name":"ladder","type":1,"trigger_id":0,"configuration":\#(conditions),"steps":\#(steps)}"#)
            try await h.store.put(.chat, id: 7, document: ["status": 1, "dep_id": 3])
            #expect(try await h.pass(at: Self.vilnius(20, 17, 50)) == [], "the episode starts")
            #expect(try await h.pass(at: Self.vilnius(21, 12, 0)) == [], "ten business minutes, then the holiday")
            #expect(try await h.pass(at: Self.vilnius(22, 9, 19, 59)) == [])
            #expect(try await h.pass(at: Self.vilnius(22, 9, 20)) == ["/closed/7"])
        }
    }

    @Test("{in_business_hours} flips at the opening edges in the calendar's time zone")
    func inBusinessHours() async throws {
        try await ContinuousHarness.with { h in
            try await h.store.put(.calendar, id: 1, document: try object(Self.office))
            try await h.store.put(.department, id: 3, document: ["name": "Sales", "calendar_id": 1])
            try await h.webhook(continuousWebhook("[" + compare("{in_business_hours}", "eq", "1") + "]", firing: #"{"policy":"once"}"#))
            try await h.store.put(.chat, id: 7, document: ["status": 1, "dep_id": 3])
            #expect(try await h.pass(at: Self.vilnius(22, 8, 59, 59)) == [])
            #expect(try await h.pass(at: Self.vilnius(22, 9, 0)) == ["/closed/7"])
            #expect(try await h.pass(at: Self.vilnius(22, 13, 0)) == [], "lunch: the episode ends")
            #expect(try await h.pass(at: Self.vilnius(22, 14, 0)) == ["/closed/7"], "open again: a new episode")
        }
    }

    @Test("over HTTP: calendars are validated; the test box shows both clocks; open now is valid, closed now is not, no calendar is a reason")
    func testBoxInRealTime() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        var configuration = testConfiguration(databaseURL: database.url)
        configuration.continuousEnabled = false
        let app = try await makeApp(configuration)
        try await app.test(.router) { client in
            let bad = try await client.call(.put, "/api/v1/calendars/1", json: #"{"time_zone":"Mars/Base","weekly":{}}"#)
            #expect(bad.status == 422)
            #expect(bad.body["error"]?["field"] == "time_zone")
            let overlap = try await client.call(
                .put, "/api/v1/calendars/1", json: #"{"time_zone":"UTC","weekly":{"mon":[["09:00","12:00"],["11:00","13:00"]]}}"#)
            #expect(overlap.body["error"]?["field"] == "weekly.mon")
            #expect(try await client.call(.get, "/api/v1/calendars/1").status == 404, "nothing was stored")
            let always = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map { #""\#($0)":[["00:00","24:00"]]"# }.joined(separator: ",")
            let open = try await client.call(.put, "/api/v1/calendars/1", json: #"{"name":"Always","time_zone":"UTC","weekly":{\#(always)}}"#)
            #expect(open.status == 200)
            #expect(try await client.call(.put, "/api/v1/calendars/2", json: #"{"name":"Never","time_zone":"UTC","weekly":{}}"#).status == 200)
            #expect(try await client.call(.get, "/api/v1/calendars").body["items"]?.arrayValue?.count == 2)

            #expect(
                try await client.call(.put, "/api/v1/departments/3", token: ingestToken, json: #"{"name":"Sales","calendar_id":1}"#).status == 200)
            #expect(try await client.call(.put, "/api/v1/chats/7", token: ingestToken, json: #"{"status":1,"dep_id":3}"#).status == 200)
            let trigger = try #require(try await client.call(.post, "/api/v1/triggers", json: #"{"name":"noted","actions":[]}"#).body["id"]?.intValue)
            let conditions = "[" + compare("{in_business_hours}", "eq", "1") + "]"
            let webhook = try await client.call(
                .post, "/api/v1/webhooks",
                json: #"{"name":"hours","type":0,"event":"chat.close","trigger_id":\#(trigger),"configuration":\#(conditions)}"#)
            #expect(webhook.status == 201, "the placeholder is not refused as unknown")
            let id = try #require(webhook.body["id"]?.intValue)
            let openNow = try await client.call(.post, "/api/v1/webhooks/\(id)/test", json: #"{"chat_id":7}"#)
            #expect(openNow.body["valid"] == true)
            #expect(openNow.body["clocks"]?["in_business_hours"] == 1)
            #expect(openNow.body["clocks"]?["calendar_id"] == 1)
            #expect(openNow.body["clocks"]?["business_time"]?.intValue != nil)
            #expect(openNow.body["clocks"]?["time"]?.intValue != nil)

            #expect(try await client.call(.patch, "/api/v1/departments/3", token: ingestToken, json: #"{"calendar_id":2}"#).status == 200)
            let closedNow = try await client.call(.post, "/api/v1/webhooks/\(id)/test", json: #"{"chat_id":7}"#)
            #expect(closedNow.body["valid"] == false)
            #expect(closedNow.body["clocks"]?["in_business_hours"] == 0)

            #expect(try await client.call(.delete, "/api/v1/calendars/2").status == 409, "department 3 uses it")
            #expect(try await client.call(.patch, "/api/v1/departments/3", token: ingestToken, json: #"{"calendar_id":9}"#).status == 200)
            let missing = try await client.call(.post, "/api/v1/webhooks/\(id)/test", json: #"{"chat_id":7}"#)
            #expect(missing.body["valid"] == false)
            #expect(missing.body["clocks"]?["error"]?.stringValue?.contains("calendar 9, which does not exist") == true)
            #expect(try await client.call(.delete, "/api/v1/calendars/2").status == 204)
        }
    }

    @Test("hookwork calendars: put validates as the API does, show gives the clock now, delete refuses a calendar in use")
    func commandLine() async throws {
        let database = temporaryDatabaseURL()
        defer { try? FileManager.default.removeItem(at: database.folder) }
        let path = String(database.url.dropFirst("sqlite://".count))
        let file = database.folder.appendingPathComponent("office.json")
        try Data(Self.office.utf8).write(to: file)
        let put = try runHookwork(["calendars", "put", "1", file.path], databasePath: path)
        #expect(put.status == 0, "\(put.stderr)")
        let bad = database.folder.appendingPathComponent("bad.json")
        try Data(#"{"time_zone":"UTC","weekly":{"mon":[["12:00","11:00"]]}}"#.utf8).write(to: bad)
        let refused = try runHookwork(["calendars", "put", "2", bad.path], databasePath: path)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("weekly.mon[0]"), "\(refused.stderr)")
        let shown = try JSONValue(parsing: try runHookwork(["calendars", "show", "1"], databasePath: path).stdout)
        #expect(shown["time_zone"] == "Europe/Vilnius")
        #expect(shown["now"]?["in_business_hours"]?.intValue != nil)
        #expect(try runHookwork(["calendars", "list"], databasePath: path).stdout.split(separator: "\n").count == 1)
        let store = try await SQLiteStore.open(path: path, logger: testLogger)
        try await store.put(.department, id: 3, document: ["name": "Sales", "calendar_id": 1])
        try await store.shutdown()
        let inUse = try runHookwork(["calendars", "delete", "1"], databasePath: path)
        #expect(inUse.status != 0)
        #expect(inUse.stderr.contains("department 3"), "\(inUse.stderr)")
    }
}
