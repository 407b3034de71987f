import Foundation
import HookworkCore
import Testing

@Suite("Business calendars and the business clock")
struct BusinessCalendarTests {
    static func calendar(_ json: String) throws -> BusinessCalendar {
        let document = try #require(try JSONValue(parsing: json).objectValue)
        return try BusinessCalendar(document: document, id: 1)
    }

    /// Unix seconds of a local wall time in `zone`.
    static func time(_ zone: String, _ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int = 0) throws -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: zone))
        let date = try #require(
            calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)))
        return Int(date.timeIntervalSince1970)
    }

    static let office = """
        {"name":"Office","time_zone":"Europe/Vilnius",
         "weekly":{"mon":[["09:00","13:00"],["14:00","18:00"]],"tue":[["09:00","13:00"],["14:00","18:00"]],
                   "wed":[["09:00","13:00"],["14:00","18:00"]],"thu":[["09:00","13:00"],["14:00","18:00"]],
                   "fri":[["09:00","13:00"],["14:00","18:00"]]},
         "exceptions":{"2026-12-24":[]}}
        """

    @Test("a visitor waiting from Wednesday 17:50 across the closing time and Thursday's holiday has waited 30 business minutes at Friday 09:20")
    func acrossClosingAndHoliday() throws {
        let office = try Self.calendar(Self.office)
        let since = office.businessSeconds(at: try Self.time("Europe/Vilnius", 2026, 12, 23, 17, 50))
        func waited(_ day: Int, _ hour: Int, _ minute: Int, _ second: Int = 0) throws -> Int {
            office.businessSeconds(at: try Self.time("Europe/Vilnius", 2026, 12, day, hour, minute, second)) - since
        }
        #expect(try waited(23, 18, 0) == 600, "ten minutes before closing")
        #expect(try waited(24, 12, 0) == 600, "the holiday counts nothing")
        #expect(try waited(25, 9, 0) == 600)
        #expect(try waited(25, 9, 19, 59) == 1799)
        #expect(try waited(25, 9, 20) == 1800)
        #expect(try waited(25, 13, 30) == 600 + 4 * 3600, "the lunch break counts nothing")
        #expect(!office.isOpen(at: try Self.time("Europe/Vilnius", 2026, 12, 24, 10, 0)))
        #expect(!office.isOpen(at: try Self.time("Europe/Vilnius", 2026, 12, 25, 8, 59, 59)))
        #expect(office.isOpen(at: try Self.time("Europe/Vilnius", 2026, 12, 25, 9, 0)))
        #expect(!office.isOpen(at: try Self.time("Europe/Vilnius", 2026, 12, 25, 13, 0)))
        #expect(!office.isOpen(at: try Self.time("Europe/Vilnius", 2026, 12, 26, 10, 0)), "Saturday")
    }

    @Test("opening flips at 09:00 local on both sides of the end of daylight saving (EEST +3, then EET +2)")
    func daylightSaving() throws {
        let office = try Self.calendar(Self.office)
        // Friday 2026-10-23, summer time: 09:00 local is 06:00 UTC.
        let friday = 1_792_735_200  // 2026-10-23T06:00:00Z
        #expect(try Self.time("Europe/Vilnius", 2026, 10, 23, 9, 0) == friday)
        #expect(!office.isOpen(at: friday - 1))
        #expect(office.isOpen(at: friday))
        // Monday 2026-10-26, after the change on Sunday the 25th: 09:00 local is 07:00 UTC.
        let monday = 1_792_998_000  // 2026-10-26T07:00:00Z
        #expect(try Self.time("Europe/Vilnius", 2026, 10, 26, 9, 0) == monday)
        #expect(!office.isOpen(at: monday - 3600), "06:00 UTC is 08:00 local now")
        #expect(!office.isOpen(at: monday - 1))
        #expect(office.isOpen(at: monday))
        // Friday 17:00 to Monday 10:00 local: one hour on Friday, one on Monday.
        let since = office.businessSeconds(at: try Self.time("Europe/Vilnius", 2026, 10, 23, 17, 0))
        #expect(office.businessSeconds(at: try Self.time("Europe/Vilnius", 2026, 10, 26, 10, 0)) - since == 7200)
    }

    @Test("a timestamp of any size reads without overflowing: the clock stops at its ends")
    func hostileTimestamps() throws {
        let office = try Self.calendar(Self.office)
        for time in [Int.max, Int.min, Int.max - 1, 1 << 62, -(1 << 62)] {
            _ = office.isOpen(at: time)
            #expect(office.businessSeconds(at: time) == office.businessSeconds(at: time > 0 ? 1 << 36 : -(1 << 36)))
        }
    }

    @Test(
        "a calendar that cannot be used is refused, naming the member",
        arguments: [
            (#"{"time_zone":"Mars/Base","weekly":{}}"#, "time_zone"),
            (#"{"weekly":{}}"#, "time_zone"),
            (#"{"time_zone":"UTC"}"#, "weekly"),
            (#"{"time_zone":"UTC","weekly":{"funday":[]}}"#, "weekly.funday"),
            (#"{"time_zone":"UTC","weekly":{"mon":[["10:00","09:00"]]}}"#, "weekly.mon[0]"),
            (#"{"time_zone":"UTC","weekly":{"mon":[["09:00","25:00"]]}}"#, "weekly.mon[0]"),
            (#"{"time_zone":"UTC","weekly":{"mon":[["09:00","12:00"],["11:00","13:00"]]}}"#, "weekly.mon"),
            (#"{"time_zone":"UTC","weekly":{"mon":"09:00-17:00"}}"#, "weekly.mon"),
            (#"{"time_zone":"UTC","weekly":{},"exceptions":{"2026-02-30":[]}}"#, "exceptions.2026-02-30"),
            (#"{"time_zone":"UTC","weekly":{},"exceptions":[]}"#, "exceptions"),
            (#"{"time_zone":"UTC","weekly":{},"hours":1}"#, "hours"),
        ]
    )
    func refused(json: String, field: String) throws {
        let document = try #require(try JSONValue(parsing: json).objectValue)
        #expect(throws: ValidationFailure.self) { try BusinessCalendar(document: document, id: 1) }
        do {
            _ = try BusinessCalendar(document: document, id: 1)
        } catch {
            #expect(error.field == field)
        }
    }

    @Test("conditions: {business_time} and {in_business_hours} read chat members, and __business paths are found")
    func conditionRewrite() throws {
        let conditions = try JSONValue(
            parsing: #"""
                [{"type":"3","attr":"{args.chat.last_user_msg_time__business}","condition":"lt","value":"{business_time}-1800"},
                 {"type":"3","attr":"{in_business_hours}","condition":"eq","value":"1"},
                 {"type":"3","attr":"{args.chat.status}","condition":"eq","value":"1"}]
                """#)
        let rewritten = BusinessTime.rewritten(conditions: conditions)
        #expect(rewritten.arrayValue?[0]["value"] == "{args.chat.business_time}-1800")
        #expect(rewritten.arrayValue?[1]["attr"] == "{args.chat.in_business_hours}")
        #expect(BusinessTime.reads(conditions))
        #expect(BusinessTime.convertedPaths(in: rewritten) == [["chat", "last_user_msg_time"]])
        #expect(!BusinessTime.reads(try JSONValue(parsing: #"[{"type":"3","attr":"{args.chat.status}","condition":"eq","value":"1"}]"#)))
    }
}
