import HookworkCore

/// The business-time members of the chats that webhooks reading business time evaluate (`BusinessTime`): each chat's
/// calendar is its department's `calendar_id`, else `HOOKWORK_DEFAULT_CALENDAR`. A chat with no calendar gets no
/// members (its business conditions do not hold) and a reason in the trace.
public struct BusinessClocks: Sendable {
    /// Calendars by id.
    let calendars: [Int: BusinessCalendar]
    /// The calendar of chats whose department names none.
    let defaultCalendarID: Int?
    /// The timestamp paths to convert (after `args.`), for every webhook evaluated.
    let paths: [[String]]

    /// Why a chat has no calendar.
    struct Missing: Error, Sendable {
        var reason: String
    }

    /// The calendar of `chat` (a chat or mail message, assembled with its `department`).
    func calendar(for chat: JSONObject) -> Result<BusinessCalendar, Missing> {
        let department = chat["department"]?.objectValue
        let named = department?["calendar_id"]?.looseInt.flatMap { $0 > 0 ? $0 : nil }
        guard let id = named ?? defaultCalendarID else {
            let which = chat["dep_id"]?.looseInt.map { "department \($0)" } ?? "the chat's department"
            return .failure(Missing(reason: "no calendar: \(which) names no calendar_id and HOOKWORK_DEFAULT_CALENDAR is not set"))
        }
        guard let calendar = calendars[id] else {
            let whose = named != nil ? "the department's calendar_id" : "HOOKWORK_DEFAULT_CALENDAR"
            return .failure(Missing(reason: "no calendar: \(whose) names calendar \(id), which does not exist"))
        }
        return .success(calendar)
    }

    /// Both clocks for a trace: `time`, and `business_time`, `in_business_hours` and `calendar_id`, or `error`.
    func clocks(for chat: JSONObject, now: Int) -> JSONValue {
        var clocks = JSONObject([("time", .int(now))])
        switch calendar(for: chat) {
        case .success(let calendar):
            clocks["calendar_id"] = .int(calendar.id)
            clocks[BusinessTime.clockMember] = .int(calendar.businessSeconds(at: now))
            clocks[BusinessTime.openMember] = .int(calendar.isOpen(at: now) ? 1 : 0)
        case .failure(let missing):
            clocks["error"] = .string(missing.reason)
        }
        return .object(clocks)
    }

    /// A continuous pass's chat (or mail message) with its business members at `now`: the paths that start at
    /// `chat` are converted inside it.
    func annotated(chat: JSONObject, now: Int) -> JSONObject {
        guard case .success(let calendar) = calendar(for: chat) else { return chat }
        var root = JSONObject([("chat", .object(chat))])
        annotate(&root, calendar: calendar, now: now)
        return root["chat"]?.objectValue ?? chat
    }

    /// A hook event's arguments with `args.chat`'s business members at `now` and every converted path.
    func annotated(args: JSONObject, now: Int) -> JSONObject {
        guard let chat = args["chat"]?.objectValue, case .success(let calendar) = calendar(for: chat) else { return args }
        var root = args
        annotate(&root, calendar: calendar, now: now)
        return root
    }

    private func annotate(_ root: inout JSONObject, calendar: BusinessCalendar, now: Int) {
        if case .object(var chat)? = root["chat"] {
            chat[BusinessTime.clockMember] = .int(calendar.businessSeconds(at: now))
            chat[BusinessTime.openMember] = .int(calendar.isOpen(at: now) ? 1 : 0)
            root["chat"] = .object(chat)
        }
        for path in paths {
            guard let time = Self.value(at: path[...], in: root).flatMap(Self.seconds) else { continue }
            var converted = path
            converted[converted.count - 1] += BusinessTime.suffix
            Self.set(.int(calendar.businessSeconds(at: time)), at: converted[...], in: &root)
        }
    }

    /// The value at `path`, through objects only.
    static func value(at path: ArraySlice<String>, in object: JSONObject) -> JSONValue? {
        guard let first = path.first, let value = object[first] else { return nil }
        if path.count == 1 { return value }
        guard case .object(let inner) = value else { return nil }
        return Self.value(at: path.dropFirst(), in: inner)
    }

    /// Sets `value` at `path`, when every object on the way exists.
    static func set(_ value: JSONValue, at path: ArraySlice<String>, in object: inout JSONObject) {
        guard let first = path.first else { return }
        if path.count == 1 {
            object[first] = value
            return
        }
        guard case .object(var inner)? = object[first] else { return }
        set(value, at: path.dropFirst(), in: &inner)
        object[first] = .object(inner)
    }

    /// A timestamp as whole unix seconds: an integer, a float or a numeric text.
    static func seconds(_ value: JSONValue) -> Int? {
        switch value {
        case .int(let number): return number
        case .double(let number) where number.isFinite && abs(number) < 1e15: return Int(number)
        case .string(let text): return PHPLoose.numericValue(text).flatMap { seconds($0) }
        default: return nil
        }
    }
}
