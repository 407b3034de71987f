import Foundation

/// A calendar of opening hours (`/api/v1/calendars/{id}`): an IANA time zone, weekly opening intervals and dated
/// exceptions (a holiday closed all day, or a day with special intervals). Conditions read it through
/// `{business_time}`, `{in_business_hours}` and the `__business` suffix (README "Business hours").
///
/// The business clock counts seconds of opening time on the calendar's wall clock since a fixed origin (Monday
/// 1970-01-05, local time): only differences of two readings mean anything, and they mean "opening time between".
/// An interval that contains a daylight-saving change counts its wall-clock length.
public struct BusinessCalendar: Sendable {
    /// One opening interval of a day, in minutes after local midnight: `start` < `end` ≤ 1440.
    public struct Interval: Sendable, Equatable {
        /// The first minute open.
        public let start: Int
        /// The first minute closed again.
        public let end: Int
    }

    /// The record id.
    public let id: Int
    /// The administrator's name for it.
    public let name: String
    /// The IANA name of the time zone its intervals are written in.
    public let timeZoneIdentifier: String
    let timeZone: TimeZone
    /// The opening intervals of each weekday, Monday first, sorted.
    public let weekly: [[Interval]]
    /// Dated exceptions by local day (days since 1970-01-01): that day's intervals instead (none: closed all day).
    public let exceptions: [Int: [Interval]]
    /// The stored document.
    public let document: JSONObject

    /// The weekday keys, Monday first.
    public static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    /// The most intervals one day may have.
    public static let maxIntervalsPerDay = 16
    /// The most dated exceptions a calendar may have.
    public static let maxExceptions = 2_000

    /// Business seconds before each weekday within a week (Monday first), and in a whole week.
    private let weekPrefix: [Int]
    private let weekSeconds: Int
    /// The exception days, sorted, and the running sum of how much each changes the opening time before the next.
    private let exceptionDays: [Int]
    private let exceptionDelta: [Int]

    /// Reads and checks a calendar document; the failure names the member at fault.
    public init(document: JSONObject, id: Int) throws(ValidationFailure) {
        self.document = document
        self.id = id
        for key in document.keys where !["id", "name", "time_zone", "weekly", "exceptions"].contains(key) {
            throw ValidationFailure(field: key, message: "unknown member '\(key)'; a calendar has name, time_zone, weekly and exceptions")
        }
        switch document["name"] {
        case .string(let text)? where text.count <= 100: name = text
        case nil, .null?: name = ""
        default: throw ValidationFailure(field: "name", message: "name must be a text of at most 100 characters")
        }
        guard case .string(let zone)? = document["time_zone"], !zone.isEmpty else {
            throw ValidationFailure(field: "time_zone", message: "time_zone must be an IANA time zone name, e.g. \"Europe/Vilnius\"")
        }
        guard zone.count <= 64, let timeZone = TimeZone(identifier: zone), zone.contains("/") || zone == "UTC" || zone == "GMT" else {
            throw ValidationFailure(
                field: "time_zone", message: "unknown time zone '\(zone)'; use an IANA name such as \"Europe/Vilnius\" or \"UTC\"")
        }
        self.timeZone = timeZone
        timeZoneIdentifier = zone
        guard case .object(let weeklyObject)? = document["weekly"] else {
            throw ValidationFailure(field: "weekly", message: "weekly must be an object like {\"mon\":[[\"09:00\",\"17:00\"]], ...}")
        }
        for key in weeklyObject.keys where !Self.weekdays.contains(key) {
            throw ValidationFailure(field: "weekly.\(key)", message: "unknown weekday '\(key)'; use mon, tue, wed, thu, fri, sat, sun")
        }
        var weekly: [[Interval]] = []
        for day in Self.weekdays {
            weekly.append(try Self.intervals(weeklyObject[day], field: "weekly.\(day)"))
        }
        self.weekly = weekly
        var exceptions: [Int: [Interval]] = [:]
        switch document["exceptions"] {
        case nil, .null?: break
        case .object(let dated)?:
            guard dated.count <= Self.maxExceptions else {
                throw ValidationFailure(field: "exceptions", message: "at most \(Self.maxExceptions) dated exceptions")
            }
            for (date, value) in dated {
                guard let day = Self.day(of: date) else {
                    throw ValidationFailure(field: "exceptions.\(date)", message: "'\(date)' is not a date written YYYY-MM-DD")
                }
                exceptions[day] = try Self.intervals(value, field: "exceptions.\(date)")
            }
        default:
            throw ValidationFailure(
                field: "exceptions",
                message: "exceptions must be an object of dates, e.g. {\"2026-12-25\": [], \"2026-12-24\": [[\"09:00\",\"12:00\"]]}")
        }
        self.exceptions = exceptions
        let open = weekly.map { $0.reduce(0) { $0 + ($1.end - $1.start) * 60 } }
        var prefix = [0]
        for seconds in open { prefix.append(prefix.last! + seconds) }
        weekPrefix = prefix
        weekSeconds = prefix.last!
        let days = exceptions.keys.sorted()
        exceptionDays = days
        var running = 0
        var deltas: [Int] = []
        for day in days {
            let special = exceptions[day]!.reduce(0) { $0 + ($1.end - $1.start) * 60 }
            running += special - open[Self.weekday(of: day)]
            deltas.append(running)
        }
        exceptionDelta = deltas
    }

    /// The calendar a stored document describes, or nil when it does not read (saving refuses such documents).
    public init?(stored document: JSONObject) {
        var body = document
        body["id"] = nil
        guard let calendar = try? BusinessCalendar(document: body, id: document["id"]?.looseInt ?? 0) else { return nil }
        self = calendar
    }

    // MARK: The clock

    /// Whether `time` (unix seconds) is inside an opening interval.
    public func isOpen(at time: Int) -> Bool {
        let (day, second) = local(time)
        let minute = second / 60
        return intervals(on: day).contains { $0.start <= minute && minute < $0.end }
    }

    /// The business clock at `time`: seconds of opening time since the origin.
    public func businessSeconds(at time: Int) -> Int {
        let (day, second) = local(time)
        let sinceOrigin = day - Self.originDay
        let (weeks, weekday) = sinceOrigin.floorDivided(by: 7)
        var total = weeks * weekSeconds + weekPrefix[weekday]
        // Exceptions before this day change what those days counted.
        var low = 0
        var high = exceptionDays.count
        while low < high {
            let middle = (low + high) / 2
            if exceptionDays[middle] < day { low = middle + 1 } else { high = middle }
        }
        if low > 0 { total += exceptionDelta[low - 1] }
        for interval in intervals(on: day) {
            total += max(0, min(second, interval.end * 60) - interval.start * 60)
        }
        return total
    }

    /// The intervals of local day `day` (days since 1970-01-01).
    func intervals(on day: Int) -> [Interval] {
        exceptions[day] ?? weekly[Self.weekday(of: day)]
    }

    /// The times the clock reads: a timestamp outside (a visitor's or platform's value can be any integer) reads as
    /// the nearest end, so that no arithmetic on it overflows.
    static let readable = -(1 << 36)...(1 << 36)

    /// The local day and the second within it of `time`.
    func local(_ time: Int) -> (day: Int, second: Int) {
        let time = min(max(time, Self.readable.lowerBound), Self.readable.upperBound)
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(time)))
        let (day, second) = (time + offset).floorDivided(by: 86_400)
        return (day, second)
    }

    /// Monday 1970-01-05, the clock's origin, as days since 1970-01-01.
    static let originDay = 4

    /// The weekday of a day since 1970-01-01, Monday 0 (1970-01-01 was a Thursday).
    static func weekday(of day: Int) -> Int {
        (day + 3).floorDivided(by: 7).remainder
    }

    // MARK: Reading

    /// A list of `["HH:MM","HH:MM"]` intervals, sorted, each non-empty, none overlapping another.
    static func intervals(_ value: JSONValue?, field: String) throws(ValidationFailure) -> [Interval] {
        guard let value, !value.isNull else { return [] }
        guard case .array(let items) = value else {
            throw ValidationFailure(field: field, message: "\(field) must be a list of [\"HH:MM\",\"HH:MM\"] intervals (an empty list: closed)")
        }
        guard items.count <= maxIntervalsPerDay else {
            throw ValidationFailure(field: field, message: "at most \(maxIntervalsPerDay) intervals a day")
        }
        var intervals: [Interval] = []
        for (index, item) in items.enumerated() {
            guard case .array(let ends) = item, ends.count == 2, let start = minutes(ends[0]), let end = minutes(ends[1]) else {
                throw ValidationFailure(field: "\(field)[\(index)]", message: "an interval is [\"HH:MM\",\"HH:MM\"], from 00:00 to 24:00")
            }
            guard start < end else {
                throw ValidationFailure(field: "\(field)[\(index)]", message: "the interval ends before it starts (or is empty): \(item.jsonText())")
            }
            intervals.append(Interval(start: start, end: end))
        }
        intervals.sort { $0.start < $1.start }
        for (earlier, later) in zip(intervals, intervals.dropFirst()) where later.start < earlier.end {
            throw ValidationFailure(
                field: field, message: "intervals overlap: \(text(earlier.start))-\(text(earlier.end)) and \(text(later.start))-\(text(later.end))")
        }
        return intervals
    }

    /// `HH:MM` as minutes after midnight (00:00 to 24:00).
    static func minutes(_ value: JSONValue) -> Int? {
        guard case .string(let text) = value, text.count == 5, Array(text)[2] == ":",
            let hours = Int(text.prefix(2)), let minutes = Int(text.suffix(2)), text.prefix(2).allSatisfy(\.isASCII),
            (0...24).contains(hours), (0...59).contains(minutes), hours < 24 || minutes == 0
        else { return nil }
        return hours * 60 + minutes
    }

    static func text(_ minutes: Int) -> String {
        let hours = minutes / 60
        let rest = minutes % 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (rest < 10 ? "0" : "") + "\(rest)"
    }

    /// `YYYY-MM-DD` as days since 1970-01-01, when it is a real date.
    static func day(of text: String) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1970...2200).contains(year), (1...12).contains(month)
        else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...lengths[month - 1]).contains(day) else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension Int {
    /// The quotient rounded down and the remainder that goes with it (never negative for a positive divisor).
    fileprivate func floorDivided(by divisor: Int) -> (quotient: Int, remainder: Int) {
        let quotient = self >= 0 ? self / divisor : -((-self + divisor - 1) / divisor)
        return (quotient, self - quotient * divisor)
    }
}
