import Crypto
public import HookworkCore
public import HookworkEngine
import HookworkStore

/// Chatwoot payloads → Hookwork state and event names, as pure functions (README, "Chatwoot"). A conversation is a
/// chat whose id is the conversation's display id; its messages are messages of that chat under Chatwoot's message ids.
public enum ChatwootMapping {
    // MARK: Bounds of what is copied

    /// Longest message text kept (Chatwoot allows 150,000 characters; the body limit bounds it first).
    public static let maximumText = 100_000
    /// Longest name, e-mail, phone, label or other short text kept.
    public static let maximumShortText = 255
    /// Longest custom attribute string kept (Chatwoot's own limit is 1,500).
    public static let maximumAttributeText = 1_500
    /// At most this many labels, custom attributes and attachments are kept.
    public static let maximumLabels = 100
    public static let maximumAttributes = 100
    public static let maximumAttachments = 15

    // MARK: Status

    /// Hookwork's `status` and `status_sub` for a Chatwoot status: `pending` (or an agent bot assignee) is the bot
    /// (5) unless `pendingIsBot` is false; `open` is active (1) with a user assignee, pending (0) without; `snoozed`
    /// the same with sub-status 8 (on hold); `resolved` closed (2).
    public static func status(_ word: String, assigneeType: String?, assigneeID: Int, pendingIsBot: Bool) -> (status: Int, sub: Int) {
        switch word {
        case "resolved": return (2, 0)
        case "snoozed": return (assigneeID > 0 && assigneeType == "User" ? 1 : 0, 8)
        case "pending": return pendingIsBot ? (5, 0) : (assigneeID > 0 && assigneeType == "User" ? 1 : 0, 0)
        default:
            if assigneeType == "AgentBot" && pendingIsBot { return (5, 0) }
            return (assigneeID > 0 && assigneeType == "User" ? 1 : 0, 0)
        }
    }

    /// `priority` 0 (none) to 4 (urgent).
    public static func priority(_ word: String?) -> Int {
        switch word {
        case "low": return 1
        case "medium": return 2
        case "high": return 3
        case "urgent": return 4
        default: return 0
        }
    }

    // MARK: Conversation → chat

    /// Whether `conversation` is older (by `updated_at`) than the snapshot the stored chat was last updated from:
    /// Chatwoot delivers out of order, and an older snapshot must not undo a newer one.
    public static func isStale(_ conversation: JSONObject, stored: JSONObject?) -> Bool {
        guard let stored, let seen = variables(of: stored)["cw_updated_at"]?.doubleValue, let updated = conversation["updated_at"]?.doubleValue
        else { return false }
        return updated < seen
    }

    /// The chat members a conversation snapshot sets, given the stored chat (nil when new): everything in §8.2 of the
    /// reference that Chatwoot's snapshot tells, plus the transition columns (`pnd_time`, `wait_time`, `cls_time`,
    /// `chat_duration`, `status_sub_sub`) computed against the stored chat.
    public static func chat(
        from conversation: JSONObject, connection: ChatwootConnection, stored: JSONObject?, inboxName: String? = nil
    ) -> JSONObject? {
        guard let id = conversation["id"]?.intValue, id > 0 else { return nil }
        let meta = conversation["meta"]?.objectValue ?? JSONObject()
        let sender = meta["sender"]?.objectValue ?? JSONObject()
        let assignee = meta["assignee"]?.objectValue
        let assigneeType =
            meta["assignee_type"]?.stringValue ?? (assignee?["type"]?.stringValue == "agent_bot" ? "AgentBot" : assignee == nil ? nil : "User")
        let assigneeID = assignee?["id"]?.intValue ?? 0
        let team = meta["team"]?.objectValue
        let teamID = team?["id"]?.intValue ?? 0
        let inboxID = conversation["inbox_id"]?.intValue ?? 0
        let word = conversation["status"]?.stringValue ?? "open"
        let (status, sub) = Self.status(word, assigneeType: assigneeType, assigneeID: assigneeID, pendingIsBot: connection.pendingIsBot)
        let userID = assigneeType == "User" ? assigneeID : 0
        let created = ChatwootTime.unix(conversation["created_at"])
        let updated = ChatwootTime.unix(conversation["updated_at"])
        let firstReply = ChatwootTime.unix(conversation["first_reply_created_at"])
        let waitingSince = ChatwootTime.unix(conversation["waiting_since"])
        let channel = conversation["channel"]?.stringValue ?? ""
        let attributes = conversation["additional_attributes"]?.objectValue ?? JSONObject()
        let senderAttributes = sender["additional_attributes"]?.objectValue ?? JSONObject()
        let storedStatus = stored?["status"]?.intValue

        var chat = JSONObject([("id", .int(id)), ("status", .int(status)), ("status_sub", .int(sub))])
        chat["user_id"] = .int(userID)
        chat["dep_id"] = .int(connection.department(team: teamID, inbox: inboxID))
        if status == 5, assigneeType == "AgentBot", assigneeID > 0 { chat["gbot_id"] = .int(assigneeID) }
        if created > 0 { chat["time"] = .int(created) }

        // Transitions, against the stored chat.
        let storedPending = stored?["pnd_time"]?.intValue ?? 0
        var pendingSince = storedPending
        if stored == nil || storedPending == 0 {
            pendingSince = created
            chat["pnd_time"] = .int(created)
        } else if status == 0, let before = storedStatus, before != 0, before != 1 {
            pendingSince = updated
            chat["pnd_time"] = .int(updated)
        }
        if userID > 0, (stored?["user_id"]?.intValue ?? 0) == 0, (stored?["wait_time"]?.intValue ?? 0) == 0, pendingSince > 0 {
            chat["wait_time"] = .int(max(0, updated - pendingSince))
        }
        if status == 2, storedStatus != 2 {
            let closed = updated > 0 ? updated : created
            chat["cls_time"] = .int(closed)
            chat["chat_duration"] = .int(max(0, closed - created))
            chat["status_sub_sub"] = .int(0)
        } else if status != 2, storedStatus == 2 {
            chat["cls_time"] = .int(0)
            chat["chat_duration"] = .int(0)
            chat["status_sub_sub"] = .int(2)
        }
        chat["frt"] = .int(firstReply > 0 && created > 0 ? max(0, firstReply - created) : 0)
        chat["lsync"] = .int(channel == "Channel::WebWidget" ? ChatwootTime.unix(conversation["contact_last_seen_at"]) : 0)
        chat["has_unread_messages"] = .int((conversation["unread_count"]?.intValue ?? 0) > 0 ? 1 : 0)
        let hasIncoming =
            waitingSince > 0 || (stored?["last_user_msg_time"]?.intValue ?? 0) > 0
            || conversation["messages"]?.arrayValue?.first?["message_type"]?.intValue == 0
        chat["unanswered_chat"] = .int(firstReply == 0 && hasIncoming ? 1 : 0)
        chat["priority"] = .int(priority(conversation["priority"]?.stringValue))

        // The contact.
        chat["nick"] = .string(short(sender["name"]) ?? "")
        chat["email"] = .string(short(sender["email"]) ?? "")
        chat["phone"] = .string(short(sender["phone_number"]) ?? "")
        if let ip = short(senderAttributes["updated_at_ip"]) ?? short(senderAttributes["created_at_ip"]) { chat["ip"] = .string(ip) }
        if let city = short(senderAttributes["city"]) { chat["city"] = .string(city) }
        if let code = short(senderAttributes["country_code"]) { chat["country_code"] = .string(code) }
        if let country = short(senderAttributes["country"]) { chat["country_name"] = .string(country) }
        if let referrer = text(attributes["referer"], limit: 2048) { chat["referrer"] = .string(referrer) }
        if let locale = short(attributes["conversation_language"]) ?? short(attributes["browser_language"]) { chat["chat_locale"] = .string(locale) }

        // Chat variables: the stored ones, the custom attributes as they are, and the reserved cw_* members.
        var variables = stored.map(Self.variables(of:)) ?? JSONObject()
        for key in variables["cw_attribute_keys"]?.arrayValue?.compactMap(\.stringValue) ?? [] { variables[key] = nil }
        var attributeKeys: [JSONValue] = []
        for (key, value) in conversation["custom_attributes"]?.objectValue ?? JSONObject() {
            guard attributeKeys.count < maximumAttributes, key.utf8.count <= maximumShortText, !key.hasPrefix("cw_"), key != "aicons" else {
                continue
            }
            variables[key] = bounded(value)
            attributeKeys.append(.string(key))
        }
        let labels = (conversation["labels"]?.arrayValue ?? []).compactMap { short($0) }.prefix(maximumLabels)
        variables["aicons"] = .object(JSONObject(labels.map { ($0, .object(JSONObject([("i", .string($0))]))) }))
        let contactAttributes = sender["custom_attributes"]?.objectValue.map { bounded(.object($0)) } ?? .object(JSONObject())
        let reserved: [(String, JSONValue)] = [
            ("cw_account_id", .int(connection.accountID)), ("cw_conversation_id", .int(id)), ("cw_inbox_id", .int(inboxID)),
            ("cw_channel", .string(short(conversation["channel"]) ?? "")), ("cw_status", .string(word)),
            ("cw_labels", .array(labels.map(JSONValue.string))), ("cw_waiting_since", .int(waitingSince)),
            ("cw_last_activity_at", .int(ChatwootTime.unix(conversation["last_activity_at"]))),
            ("cw_snoozed_until", .int(ChatwootTime.unix(conversation["snoozed_until"]))),
            ("cw_agent_last_seen_at", .int(ChatwootTime.unix(conversation["agent_last_seen_at"]))),
            ("cw_first_reply_created_at", .int(firstReply)), ("cw_can_reply", .bool(conversation["can_reply"]?.boolValue ?? true)),
            ("cw_contact_id", .int(sender["id"]?.intValue ?? 0)),
            ("cw_contact_identifier", short(sender["identifier"]).map(JSONValue.string) ?? .null),
            ("cw_assignee_type", assigneeType.map(JSONValue.string) ?? .null), ("cw_assignee_id", .int(assigneeID)),
            ("cw_team_id", .int(teamID)), ("cw_team_name", short(team?["name"]).map(JSONValue.string) ?? .null),
            ("cw_priority", short(conversation["priority"]).map(JSONValue.string) ?? .null), ("cw_contact_attributes", contactAttributes),
            ("cw_updated_at", conversation["updated_at"]?.doubleValue.map(JSONValue.double) ?? .null), ("cw_attribute_keys", .array(attributeKeys)),
        ]
        for (key, value) in reserved { variables[key] = value }
        if let inboxName = inboxName.flatMap({ short(.string($0)) }) { variables["cw_inbox_name"] = .string(inboxName) }
        if case .string? = stored?["chat_variables"] {
            chat["chat_variables"] = .string(JSONValue.object(variables).jsonText())
        } else {
            chat["chat_variables"] = .object(variables)
        }
        return chat
    }

    /// The chat columns and reserved variables that only conversation webhooks change for a stored chat.
    static let conversationStateColumns = [
        "status", "status_sub", "status_sub_sub", "user_id", "dep_id", "gbot_id", "priority", "cls_time", "chat_duration", "pnd_time", "wait_time",
    ]
    static let conversationStateVariables = [
        "cw_status", "cw_labels", "aicons", "cw_snoozed_until", "cw_assignee_type", "cw_assignee_id", "cw_team_id", "cw_team_name", "cw_priority",
        "cw_attribute_keys", "cw_updated_at",
    ]

    /// `chat` (a snapshot's patch) with the conversation's state (status, assignee, team, labels, custom attributes,
    /// priority) left as `stored` has it.
    public static func withoutConversationState(_ chat: JSONObject, stored: JSONObject) -> JSONObject {
        var chat = chat
        for column in conversationStateColumns { chat[column] = nil }
        var variables = chat["chat_variables"].flatMap(decoded) ?? JSONObject()
        let before = Self.variables(of: stored)
        for key in variables["cw_attribute_keys"]?.arrayValue?.compactMap(\.stringValue) ?? [] { variables[key] = nil }
        for key in before["cw_attribute_keys"]?.arrayValue?.compactMap(\.stringValue) ?? [] { variables[key] = before[key] }
        for key in conversationStateVariables { variables[key] = before[key] }
        chat["chat_variables"] =
            if case .string? = stored["chat_variables"] { .string(JSONValue.object(variables).jsonText()) } else { .object(variables) }
        return chat
    }

    /// An operator record for a Chatwoot user (the assignee's push form, or a message's user sender).
    public static func operatorRecord(_ user: JSONObject) -> PlatformRecord? {
        guard let id = user["id"]?.intValue, id > 0, user["type"]?.stringValue == "user" else { return nil }
        let name = short(user["name"]) ?? ""
        var patch = JSONObject([("id", .int(id)), ("name", .string(name)), ("name_official", .string(name))])
        patch["name_support"] = .string(short(user["available_name"]) ?? name)
        if let email = short(user["email"]) { patch["email"] = .string(email) }
        if let availability = short(user["availability_status"]) { patch["cw_availability_status"] = .string(availability) }
        return PlatformRecord(kind: .operator, id: id, patch: patch)
    }

    // MARK: Messages

    /// Hookwork's author of a message: 0 the visitor (`incoming`), −1 a private note or activity, the user's id for a
    /// public reply by an agent, −2 a bot, Captain, a template or a sender Chatwoot does not name.
    public static func author(messageType: String, isPrivate: Bool, senderType: String?, senderID: Int) -> Int {
        switch messageType {
        case "incoming": return 0
        case "activity": return -1
        default:
            if isPrivate { return -1 }
            if messageType == "outgoing", senderType == "user" || senderType == "User", senderID > 0 { return senderID }
            return -2
        }
    }

    /// The message type word of either form (`incoming`, `outgoing`, `activity`, `template`).
    static func messageTypeWord(_ value: JSONValue?) -> String {
        switch value {
        case .string(let word)?: return word
        case .int(0)?: return "incoming"
        case .int(1)?: return "outgoing"
        case .int(2)?: return "activity"
        case .int(3)?: return "template"
        default: return "outgoing"
        }
    }

    /// The delivery state of a message's nested form: sent 1, delivered 2, read 3, failed 4 (0 unknown).
    public static func deliveryState(_ word: String?) -> Int {
        switch word {
        case "sent": return 1
        case "delivered": return 2
        case "read": return 3
        case "failed": return 4
        default: return 0
        }
    }

    /// A Hookwork message of chat `chatID` from a Chatwoot message, in its top-level (`message_created`) or nested
    /// (`conversation.messages[]`) form. `nested`, when given, is the same message's nested form (its delivery status).
    public static func message(_ source: JSONObject, chatID: Int, nested: JSONObject? = nil) -> JSONObject? {
        guard let id = source["id"]?.intValue, id > 0 else { return nil }
        let type = messageTypeWord(source["message_type"])
        let isPrivate = source["private"]?.boolValue ?? false
        let sender = source["sender"]?.objectValue
        // The top-level form's contact sender has no `type`; the nested form names it in `sender_type`.
        let senderType: String? =
            sender?["type"]?.stringValue ?? source["sender_type"]?.stringValue.map { word in
                switch word {
                case "User": return "user"
                case "AgentBot": return "agent_bot"
                case "Contact": return "contact"
                default: return word
                }
            } ?? (sender != nil ? "contact" : nil)
        let senderID = sender?["id"]?.intValue ?? source["sender_id"]?.intValue ?? 0
        let userID = author(messageType: type, isPrivate: isPrivate, senderType: senderType, senderID: senderID)
        var message = JSONObject([("id", .int(id)), ("chat_id", .int(chatID)), ("user_id", .int(userID))])
        message["msg"] = .string(text(source["content"], limit: maximumText) ?? "")
        message["time"] = .int(ChatwootTime.unix(source["created_at"]))
        let name = short(sender?["name"]) ?? ""
        message["name_support"] = .string(userID == 0 ? "" : userID == -2 && name.isEmpty ? "Bot" : name)
        var cw = JSONObject([("message_type", .string(type)), ("content_type", .string(short(source["content_type"]) ?? "text"))])
        cw["private"] = .bool(isPrivate)
        cw["sender_type"] = senderType.map(JSONValue.string) ?? .null
        cw["sender_id"] = senderID > 0 ? .int(senderID) : .null
        cw["source_id"] = short(source["source_id"]).map(JSONValue.string) ?? .null
        cw["content_attributes"] = bounded(source["content_attributes"] ?? .object(JSONObject()))
        if let attachments = source["attachments"]?.arrayValue, !attachments.isEmpty {
            cw["attachments"] = .array(attachments.prefix(maximumAttachments).compactMap { attachment($0) })
        }
        let status = (nested ?? source)["status"]?.stringValue
        if let status { cw["status"] = .string(status) }
        message["meta_msg"] = .object(JSONObject([("cw", .object(cw))]))
        let state = deliveryState(status)
        if state > 0 { message["del_st"] = .int(state) }
        return message
    }

    static func attachment(_ value: JSONValue) -> JSONValue? {
        guard let object = value.objectValue else { return nil }
        var kept = JSONObject()
        for key in ["id", "file_type", "extension", "content_type", "file_size", "width", "height"] {
            if let member = object[key], !member.isNull { kept[key] = bounded(member) }
        }
        for key in ["data_url", "thumb_url"] { if let url = text(object[key], limit: 4096) { kept[key] = .string(url) } }
        return .object(kept)
    }

    /// The Hookwork message a `message_created` echo confirms: the marker `content_attributes.hookwork.message_id` that
    /// the adapter puts on the messages it sends, if any.
    public static func markerMessageID(_ message: JSONObject) -> Int? {
        guard let marker = message["content_attributes"]?["hookwork"]?.objectValue else { return nil }
        return marker["message_id"]?.intValue.flatMap { $0 > 0 ? $0 : nil }
    }

    /// Whether a message is Hookwork's own, coming back: it carries the adapter's marker
    /// (`content_attributes.hookwork`), or its sender is the connection's agent bot.
    public static func isEcho(_ message: JSONObject, connection: ChatwootConnection) -> Bool {
        if message["content_attributes"]?["hookwork"]?.objectValue != nil { return true }
        guard let bot = connection.botID, let sender = message["sender"]?.objectValue else { return false }
        return sender["type"]?.stringValue == "agent_bot" && sender["id"]?.intValue == bot
    }

    // MARK: Events

    /// The Hookwork event of a new message: `chat.addmsguser` (visitor), `chatwoot.private_note` (note),
    /// `chat.web_add_msg_admin` (a public reply, a bot or a template message).
    public static func messageEvent(author: Int, isPrivate: Bool) -> String {
        if author == 0 { return "chat.addmsguser" }
        if isPrivate { return "chatwoot.private_note" }
        return "chat.web_add_msg_admin"
    }

    /// Why a message changed: `deleted` (`content_attributes.deleted`), `content_edited` (its text differs from the
    /// stored one), or `delivery_status_change`.
    public static func updateReason(_ message: JSONObject, stored: JSONObject?, mapped: JSONObject) -> String {
        if message["content_attributes"]?["deleted"]?.boolValue == true { return "deleted" }
        if let stored, stored["msg"] != mapped["msg"] { return "content_edited" }
        if let state = mapped["del_st"]?.intValue, state > 1 { return "delivery_status_change" }
        return stored == nil ? "content_edited" : "delivery_status_change"
    }

    /// The members of `changed_attributes` (a list of one-key objects) by name.
    public static func changes(_ value: JSONValue?) -> [String: (previous: JSONValue, current: JSONValue)] {
        var changes: [String: (previous: JSONValue, current: JSONValue)] = [:]
        for item in (value?.arrayValue ?? []).prefix(100) {
            for (key, change) in item.objectValue ?? JSONObject() {
                changes[key] = (change["previous_value"] ?? .null, change["current_value"] ?? .null)
            }
        }
        return changes
    }

    /// The Hookwork events a conversation snapshot raises, comparing it with the stored chat (nil when new) and the
    /// delivery's `changed_attributes`; each transition is raised once, whichever of the sibling webhooks
    /// (`conversation_updated`, `conversation_status_changed`, a message's snapshot) brings it first. `chat` is the
    /// patch `chat(from:…)` made; `assignee` the assignee's operator record. With no stored status, a resolved snapshot is
    /// a close only when `closesWithoutHistory` (a status webhook says it just changed; a message's or the widget's
    /// snapshot of an old resolved conversation does not).
    public static func transitionEvents(
        conversation: JSONObject, chat: JSONObject, stored: JSONObject?, changed: [String: (previous: JSONValue, current: JSONValue)],
        connection: ChatwootConnection, assignee: JSONObject?, closesWithoutHistory: Bool = false
    ) -> [PlatformEvent] {
        guard let id = chat["id"]?.intValue else { return [] }
        let storedVariables = stored.map(variables(of:)) ?? JSONObject()
        let word = conversation["status"]?.stringValue ?? "open"
        let stamp = conversation["updated_at"]?.doubleValue.map { String(Int(($0 * 1_000_000).rounded())) } ?? "0"
        func key(_ name: String) -> String { "cw:\(connection.accountID):\(name):\(id):\(stamp)" }
        let chatArg: JSONValue = .object(chat)
        let user: JSONValue = assignee.map(JSONValue.object) ?? .bool(false)
        var events: [PlatformEvent] = []

        // A change is raised when the snapshot differs both from what Chatwoot last had (the cw_* members, which the
        // actions back to Chatwoot also move as their calls succeed) and from Hookwork's own view (its columns, which
        // its actions change at once): so the webhook a Hookwork command causes (its echo) raises nothing, a snapshot
        // from before a command was applied is no change either, and a change by anyone else is one. The previous
        // value named is what Chatwoot had.
        let storedWord = stored.flatMap { hookworkStatusWord($0, variables: storedVariables, pendingIsBot: connection.pendingIsBot) }
        let previousWord = storedVariables["cw_status"]?.stringValue ?? storedWord ?? changed["status"]?.previous.stringValue
        if previousWord != word, storedWord != word, previousWord != nil || (word == "resolved" && closesWithoutHistory) {
            let name: String
            switch (previousWord, word) {
            case (_, "resolved"): name = "chat.close"
            case ("resolved"?, _): name = "chat.user_reopened"
            case ("pending"?, "open") where connection.pendingIsBot: name = "chat.transfer_to_human"
            case (_, "snoozed"), ("snoozed"?, _): name = "chat.set_sub_status"
            default: name = "chat.data_changed"
            }
            var args = JSONObject([("chat", chatArg)])
            if name == "chat.close" { args["user_data"] = user }
            events.append(PlatformEvent(name: name, key: key(name), args: args))
        }

        let previousAssignee: Int?
        let ownAssignee = stored.map { $0["user_id"]?.looseInt ?? 0 }
        if let own = ownAssignee {
            let seenAssignee = storedVariables["cw_assignee_id"]?.intValue.map { storedVariables["cw_assignee_type"]?.stringValue == "User" ? $0 : 0 }
            previousAssignee = seenAssignee ?? own
        } else {
            previousAssignee = changed["assignee_id"]?.previous.intValue ?? (changed["assignee_id"] != nil ? 0 : nil)
        }
        let assigneeID = chat["user_id"]?.intValue ?? 0
        if let before = previousAssignee, before != assigneeID, ownAssignee != assigneeID {
            let name = before == 0 ? "chat.accept" : "chat.chat_owner_changed"
            events.append(PlatformEvent(name: name, key: key(name), args: JSONObject([("chat", chatArg), ("user", user)])))
        }

        let team = conversation["meta"]?["team"]?["id"]?.intValue ?? 0
        let inbox = conversation["inbox_id"]?.intValue ?? 0
        let previousTeam: Int? = stored != nil ? storedVariables["cw_team_id"]?.intValue ?? 0 : changed["team_id"].map { $0.previous.intValue ?? 0 }
        var ownTeam = previousTeam
        if let before = previousTeam, let department = stored?["dep_id"]?.looseInt, department != connection.department(team: before, inbox: inbox),
            let moved = connection.team(department: department)
        {
            ownTeam = moved  // Hookwork's setdepartment moved it to this team
        }
        if let before = previousTeam, before != team, ownTeam != team {
            let name = "chat.data_changed_assigned_department"
            let args = JSONObject([
                ("chat", chatArg), ("from_dep", .int(connection.department(team: before, inbox: inbox))), ("to_dep", chat["dep_id"] ?? .int(0)),
                ("from_team", .int(before)), ("to_team", .int(team)),
            ])
            events.append(PlatformEvent(name: name, key: key(name), args: args))
        }

        var previous = JSONObject()
        let labels = chat["chat_variables"].flatMap(decoded)?["cw_labels"] ?? .array([])
        if stored != nil, let seen = storedVariables["cw_labels"]?.arrayValue {
            // Hookwork's labels are its alert icons (an alert_icon action adds or removes one).
            let icons = storedVariables["aicons"]?.objectValue.map { $0.map(\.key) } ?? []
            let own = seen.compactMap(\.stringValue).filter { icons.contains($0) } + icons.filter { !seen.contains(.string($0)) }
            let now = Set((labels.arrayValue ?? []).compactMap(\.stringValue))
            if Set(seen.compactMap(\.stringValue)) != now, Set(own) != now { previous["labels"] = .array(seen) }
        }
        if stored == nil, let change = changed["label_list"] { previous["labels"] = change.previous }
        let attributes: JSONValue = .object(conversation["custom_attributes"]?.objectValue ?? JSONObject())
        if stored != nil {
            var before = JSONObject()
            for key in storedVariables["cw_attribute_keys"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                before[key] = storedVariables[key] ?? .null
            }
            // Hookwork's attributes are its chat variables but the reserved ones (a chatvariable action sets them).
            var own = JSONObject()
            for (key, value) in storedVariables where !key.hasPrefix("cw_") && key != "aicons" { own[key] = value }
            let now = bounded(attributes)
            if now != .object(before), now != .object(own) { previous["custom_attributes"] = .object(before) }
        } else if let change = changed["custom_attributes"] {
            previous["custom_attributes"] = change.previous
        }
        let priorityWord = conversation["priority"]?.stringValue.map(JSONValue.string) ?? .null
        if let stored, let before = storedVariables["cw_priority"], before != priorityWord,
            (stored["priority"]?.looseInt ?? 0) != priority(priorityWord.stringValue)
        {
            previous["priority"] = before
        }
        if stored == nil, let change = changed["priority"] { previous["priority"] = change.previous }
        if !previous.isEmpty {
            let name = "chat.data_changed"
            let attributeKey = "cw:\(connection.accountID):\(name):attributes:\(id):\(stamp)"
            events.append(
                PlatformEvent(name: name, key: attributeKey, args: JSONObject([("chat", chatArg), ("previous_attributes", .object(previous))])))
        }
        return events
    }

    /// Chatwoot's status word as Hookwork sees the stored chat: the last snapshot's (`cw_status`) unless Hookwork's
    /// own status has moved away from it since (a close, a reopen, a transfer to or from the bot, a snooze).
    static func hookworkStatusWord(_ stored: JSONObject, variables: JSONObject, pendingIsBot: Bool) -> String? {
        let seen = variables["cw_status"]?.stringValue
        guard let status = stored["status"]?.looseInt else { return seen }
        let onHold = stored["status_sub"]?.looseInt == 8
        switch status {
        case 2: return "resolved"
        case 5 where pendingIsBot: return seen == "pending" || seen == "open" ? seen : "pending"
        default:
            if seen == "resolved" || (seen == "pending" && pendingIsBot) { return onHold ? "snoozed" : "open" }
            if onHold { return "snoozed" }
            return seen == "snoozed" ? "open" : seen
        }
    }

    // MARK: Keys

    /// A short, stable digest of some values (hex of the first 8 bytes of their SHA-256), for idempotency keys.
    public static func digest(_ values: [JSONValue]) -> String {
        let text = JSONValue.array(values).jsonText()
        return SHA256.hash(data: Array(text.utf8)).prefix(8).map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]], as: UTF8.self)
        }.joined()
    }

    // MARK: Helpers

    /// The chat's variables as an object (stored as an object, or as JSON text as the reference's column is).
    public static func variables(of chat: JSONObject) -> JSONObject { decoded(chat["chat_variables"] ?? .null) ?? JSONObject() }

    static func decoded(_ value: JSONValue) -> JSONObject? {
        switch value {
        case .object(let object): return object
        case .string(let text): return (try? JSONValue(parsing: text))?.objectValue
        default: return nil
        }
    }

    /// A string member, cut to `limit` characters; nil when absent, null or not a string.
    static func text(_ value: JSONValue?, limit: Int) -> String? {
        guard case .string(let text)? = value else { return nil }
        return text.count > limit ? String(text.prefix(limit)) : text
    }

    static func short(_ value: JSONValue?) -> String? { text(value, limit: maximumShortText) }

    /// A value with every string cut to the attribute limit and every list and object to 100 members, 8 levels deep.
    static func bounded(_ value: JSONValue, depth: Int = 0) -> JSONValue {
        switch value {
        case .string(let text): return text.count > maximumAttributeText ? .string(String(text.prefix(maximumAttributeText))) : value
        case .array(let items): return depth >= 8 ? .array([]) : .array(items.prefix(maximumAttributes).map { bounded($0, depth: depth + 1) })
        case .object(let object):
            guard depth < 8 else { return .object(JSONObject()) }
            return .object(JSONObject(object.prefix(maximumAttributes).map { ($0.key, bounded($0.value, depth: depth + 1)) }))
        default: return value
        }
    }
}
