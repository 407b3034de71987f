/// PHP's `date($format, $timestamp)` in UTC, for `{{date_utc}}` and the bot-text `__datef__FORMAT` suffix.
///
/// The reference formats in the server's (or the chat's) time zone; Hookwork has no per-chat zone and uses UTC.
enum PHPDate {
    private static let dayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]

    /// The calendar fields of a unix time in UTC.
    struct Fields {
        var year: Int
        var month: Int  // 1...12
        var day: Int  // 1...31
        var hour: Int
        var minute: Int
        var second: Int
        /// ISO-8601 weekday, 1 (Monday) … 7 (Sunday).
        var weekday: Int
        /// 0-based day of the year.
        var dayOfYear: Int

        init(_ timestamp: Int) {
            let days = timestamp >= 0 ? timestamp / 86_400 : (timestamp - 86_399) / 86_400
            let seconds = timestamp - days * 86_400
            hour = seconds / 3600
            minute = seconds % 3600 / 60
            second = seconds % 60
            // Howard Hinnant's civil_from_days.
            let z = days + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let doe = z - era * 146_097
            let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            day = doy - (153 * mp + 2) / 5 + 1
            month = mp < 10 ? mp + 3 : mp - 9
            year = yoe + era * 400 + (month <= 2 ? 1 : 0)
            weekday = ((days % 7 + 7) % 7 + 3) % 7 + 1  // 1970-01-01 was a Thursday
            dayOfYear = PHPDate.daysBefore(month: month, year: year) + day - 1
        }
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysBefore(month: Int, year: Int) -> Int {
        let cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
        return cumulative[month - 1] + (month > 2 && isLeap(year) ? 1 : 0)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    /// `date($format, $timestamp)` with the format characters PHP documents; a backslash escapes the next character.
    static func format(_ format: String, _ timestamp: Int) -> String {
        let f = Fields(timestamp)
        var out = ""
        var escaped = false
        func pad(_ value: Int, _ width: Int = 2) -> String {
            let text = String(abs(value))
            return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - text.count)) + text
        }
        for character in format {
            if escaped {
                out.append(character)
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "d": out += pad(f.day)
            case "D": out += String(dayNames[f.weekday - 1].prefix(3))
            case "j": out += String(f.day)
            case "l": out += dayNames[f.weekday - 1]
            case "N": out += String(f.weekday)
            case "S": out += ordinalSuffix(f.day)
            case "w": out += String(f.weekday % 7)
            case "z": out += String(f.dayOfYear)
            case "W": out += pad(isoWeek(f).week)
            case "o": out += String(isoWeek(f).year)
            case "F": out += monthNames[f.month - 1]
            case "m": out += pad(f.month)
            case "M": out += String(monthNames[f.month - 1].prefix(3))
            case "n": out += String(f.month)
            case "t": out += String(daysIn(month: f.month, year: f.year))
            case "L": out += isLeap(f.year) ? "1" : "0"
            case "Y": out += f.year < 0 ? "-" + pad(-f.year, 4) : pad(f.year, 4)
            case "X": out += (f.year < 0 ? "-" : "+") + pad(abs(f.year), 4)
            case "x": out += f.year < 0 ? "-" + pad(-f.year, 4) : (f.year >= 10_000 ? "+" : "") + pad(f.year, 4)
            case "y": out += pad(((f.year % 100) + 100) % 100)
            case "a": out += f.hour < 12 ? "am" : "pm"
            case "A": out += f.hour < 12 ? "AM" : "PM"
            case "g": out += String(f.hour % 12 == 0 ? 12 : f.hour % 12)
            case "G": out += String(f.hour)
            case "h": out += pad(f.hour % 12 == 0 ? 12 : f.hour % 12)
            case "H": out += pad(f.hour)
            case "i": out += pad(f.minute)
            case "s": out += pad(f.second)
            case "B":
                // Swatch Internet time: beats of 86.4 s since midnight UTC+1.
                var beat = ((timestamp % 86_400) + 3_600) * 10
                if beat < 0 { beat += 864_000 }
                out += pad(beat / 864 % 1000, 3)
            case "u": out += "000000"
            case "v": out += "000"
            case "e", "T": out += "UTC"
            case "I": out += "0"
            case "O": out += "+0000"
            case "P": out += "+00:00"
            case "p": out += "Z"
            case "Z": out += "0"
            case "U": out += String(timestamp)
            case "c": out += PHPDate.format("Y-m-d\\TH:i:sP", timestamp)
            case "r": out += PHPDate.format("D, d M Y H:i:s O", timestamp)
            default: out.append(character)
            }
        }
        return out
    }

    private static func ordinalSuffix(_ day: Int) -> String {
        if (11...13).contains(day % 100) { return "th" }
        switch day % 10 {
        case 1: return "st"
        case 2: return "nd"
        case 3: return "rd"
        default: return "th"
        }
    }

    /// The ISO-8601 week number and week-numbering year.
    private static func isoWeek(_ f: Fields) -> (week: Int, year: Int) {
        let ordinal = f.dayOfYear + 1
        var week = (ordinal - f.weekday + 10) / 7
        var year = f.year
        if week < 1 {
            year -= 1
            week = weeksIn(year)
        } else if week > weeksIn(year) {
            year += 1
            week = 1
        }
        return (week, year)
    }

    private static func weeksIn(_ year: Int) -> Int {
        // A year has 53 ISO weeks when it starts on a Thursday, or on a Wednesday in a leap year.
        let jan1 = Fields(unixDays(year: year, month: 1, day: 1) * 86_400).weekday
        return jan1 == 4 || (jan1 == 3 && isLeap(year)) ? 53 : 52
    }

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
    static func unixDays(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
