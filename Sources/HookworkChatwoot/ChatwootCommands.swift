public import HookworkCore
public import HookworkEngine
import HookworkStore

/// Hookwork's commands → Chatwoot Application API calls (README, "Chatwoot", "Actions back to Chatwoot"). Each
/// command becomes a short list of steps; every step but a message post sets a state (a status, an assignee, labels
/// by what the command added and removed, attributes by what it set and removed), so repeating the whole list after
/// a failure leaves Chatwoot as one run would; a message post is guarded by its marker.
extension ChatwootAdapter {
    /// One API call of a command.
    enum Step: Equatable {
        /// `POST …/messages`: the text, a private note or not, the marker's Hookwork message id.
        case message(content: String, isPrivate: Bool, hookworkMessageID: Int?)
        /// `POST …/toggle_status` with a status word (and `snoozed_until` for a snooze with an end).
        case status(String, snoozedUntil: Int?)
        /// `POST …/assignments` `{"assignee_id": id}` (nil unassigns).
        case assignee(Int?)
        /// `POST …/assignments` `{"team_id": id}` (nil removes the team).
        case team(Int?)
        /// `GET …/labels`, then `POST …/labels` with these added and removed, when that changes the list.
        case labels(add: [String], remove: [String])
        /// `GET …/conversations/{id}` (administrator token), then `POST …/custom_attributes` with these set (`null`
        /// removes), when that changes the object.
        case attributes(JSONObject)
        /// `POST …/toggle_priority` (nil clears it).
        case priority(String?)
        /// `PUT …/contacts/{id}` (administrator token) with these members.
        case contact(id: Int, JSONObject)
    }

    /// The steps of `command`, and what it asks for that Chatwoot has no counterpart of (for the log).
    static func steps(for command: JSONObject, connection: ChatwootConnection, contactID: Int? = nil) -> (steps: [Step], skipped: [String]) {
        let name = command["command"]?.stringValue ?? ""
        let changes = command["changes"]?.objectValue ?? JSONObject()
        var steps: [Step] = []
        var skipped: [String] = []
        switch name {
        case "text":
            if let message = command["message"]?.objectValue, let content = message["msg"]?.stringValue, !content.isEmpty {
                steps.append(.message(content: content, isPrivate: message["user_id"]?.looseInt == -1, hookworkMessageID: message["id"]?.looseInt))
            }
        case "closechat": steps.append(.status("resolved", snoozedUntil: nil))
        case "stopchat": steps.append(.status("open", snoozedUntil: nil))
        case "transfertobot": steps.append(.status("pending", snoozedUntil: nil))
        case "setdepartment":
            if let department = changes["dep_id"]?.looseInt {
                if let team = connection.team(department: department) {
                    steps.append(.team(team))
                } else {
                    skipped.append("no team maps to department \(department) in the connection's departments, so Chatwoot's team is left as it is")
                }
            }
        default: break
        }
        // Members any command may change (setchatattribute, chatvariable, chatattribute, alert_icon, ...).
        for (key, value) in changes {
            switch key {
            case "status" where name == "setchatattribute":
                switch value.looseInt {
                case 0?, 1?: steps.append(.status("open", snoozedUntil: nil))
                case 2?: steps.append(.status("resolved", snoozedUntil: nil))
                case 5?: steps.append(.status("pending", snoozedUntil: nil))
                default: skipped.append("status \(value.jsonText()) has no Chatwoot status")
                }
            case "status_sub" where value.looseInt == 8:
                steps.append(.status("snoozed", snoozedUntil: nil))
            case "user_id":
                let id = value.looseInt ?? 0
                steps.append(.assignee(id > 0 ? id : nil))
            case "priority":
                steps.append(.priority(Self.priorityWord(value)))
            case "nick", "email", "phone":
                let member = ["nick": "name", "email": "email", "phone": "phone_number"][key] ?? key
                if let contact = contactID, contact > 0 {
                    steps.append(.contact(id: contact, JSONObject([(member, .string(PHPText.scalarText(value) ?? ""))])))
                } else {
                    skipped.append("\(key): the chat's Chatwoot contact is not known")
                }
            case "chat_variables":
                let variables = value.objectValue ?? JSONObject()
                if case .object(let icons)? = variables["aicons"] {
                    let add = icons.filter { $0.value != .null }.map(\.key)
                    let remove = icons.filter { $0.value == .null }.map(\.key)
                    if !add.isEmpty || !remove.isEmpty { steps.append(.labels(add: add, remove: remove)) }
                }
                if let until = variables["cw_snoozed_until"] {
                    let time = until.looseInt ?? 0
                    steps.append(time > 0 ? .status("snoozed", snoozedUntil: time) : .status("open", snoozedUntil: nil))
                }
                var attributes = JSONObject()
                for (name, value) in variables where !name.hasPrefix("cw_") && name != "aicons" { attributes[name] = value }
                if !attributes.isEmpty { steps.append(.attributes(attributes)) }
            case "additional_data":
                // chatattribute's {identifier, key, value} items: the identifier is the custom attribute's key.
                var attributes = JSONObject()
                for case .object(let item) in value.arrayValue ?? [] {
                    guard let identifier = item["identifier"].flatMap({ PHPText.scalarText($0) }), !identifier.isEmpty, !identifier.hasPrefix("cw_")
                    else { continue }
                    attributes[identifier] = item["value"] ?? .null
                }
                if !attributes.isEmpty { steps.append(.attributes(attributes)) }
            case "status", "status_sub", "dep_id", "cls_time", "chat_duration", "pnd_time", "last_msg_id":
                break  // said by the command's own step, or bookkeeping that follows from it
            default:
                skipped.append("\(key) has no Chatwoot counterpart")
            }
        }
        if steps.isEmpty, skipped.isEmpty, name != "text" { skipped.append("\(name.prefix(60)) has nothing to apply in Chatwoot") }
        return (steps, skipped)
    }

    /// Chatwoot's priority word for a Hookwork priority (0-4, or the word itself); nil clears it.
    static func priorityWord(_ value: JSONValue) -> String? {
        let words = ["low", "medium", "high", "urgent"]
        if let text = value.stringValue?.lowercased(), words.contains(text) { return text }
        guard let number = value.looseInt, number >= 1 else { return nil }
        return words[min(number, 4) - 1]
    }

    public func apply(
        _ command: JSONObject, messageID: String, attempt: Int, sender: any HTTPSender, state: any PlatformStateReader
    ) async -> PlatformCommandOutcome {
        guard let conversation = command["chat_id"]?.looseInt, conversation > 0 else {
            return PlatformCommandOutcome(result: .refused, statusCode: nil, error: "the command names no chat (chat_id)")
        }
        // A contact field change goes to the conversation's contact, which the stored chat names.
        var contactID: Int?
        if let changes = command["changes"]?.objectValue, ["nick", "email", "phone"].contains(where: { changes[$0] != nil }) {
            do {
                contactID = try await state.record(.chat, id: conversation).map(ChatwootMapping.variables(of:))?["cw_contact_id"]?.intValue
            } catch {
                return PlatformCommandOutcome(result: .retry, statusCode: nil, error: "the stored chat \(conversation) could not be read: \(error)")
            }
        }
        let (steps, skipped) = Self.steps(for: command, connection: connection, contactID: contactID)
        var session = ChatwootSession(connection: connection, conversation: conversation, sender: sender)
        var summary = JSONObject()
        var applied: [JSONValue] = []
        for step in steps {
            switch await session.run(step, messageID: messageID, attempt: attempt) {
            case .done(let note, let messageID):
                applied.append(.string(note))
                if let messageID { summary["message_id"] = .int(messageID) }
            case .failed(let result, let status, let error, let retryAfter):
                summary["applied"] = .array(applied)
                var outcome = PlatformCommandOutcome(
                    result: result, statusCode: status, body: summary, error: error, retryAfter: retryAfter, calls: session.calls)
                outcome.chatVariables = session.seen
                return outcome
            }
        }
        summary["applied"] = .array(applied)
        if !skipped.isEmpty { summary["not_applied"] = .array(skipped.map(JSONValue.string)) }
        var outcome = PlatformCommandOutcome(result: .applied, statusCode: session.lastStatus ?? 200, body: summary, calls: session.calls)
        outcome.chatVariables = session.seen
        return outcome
    }
}

/// The API calls of one command against one conversation, with their log.
struct ChatwootSession {
    let connection: ChatwootConnection
    let conversation: Int
    let sender: any HTTPSender
    /// The calls made, for the delivery log (no token: it travels in a header that is never logged).
    var calls: [JSONValue] = []
    var lastStatus: Int?
    /// What Chatwoot has after the steps that succeeded, as the chat variables a snapshot would set (`cw_status`,
    /// `cw_labels`, ...): the chat's record of Chatwoot's state moves with the calls, so that the webhooks they cause
    /// are seen as no change.
    var seen = JSONObject()

    /// The longest body kept in the log of one call.
    static let loggedBodyBytes = 2_048
    /// The most messages looked through for a marker.
    static let markerScan = 100

    init(connection: ChatwootConnection, conversation: Int, sender: any HTTPSender) {
        self.connection = connection
        self.conversation = conversation
        self.sender = sender
    }

    enum StepResult {
        case done(String, messageID: Int?)
        case failed(PlatformCommandOutcome.Result, status: Int?, error: String, retryAfter: String?)
    }

    enum Token {
        /// The agent bot's token when the connection has one (its messages are the bot's), else the administrator's.
        case write
        /// The administrator's (reads a bot may not make).
        case admin
    }

    var conversationPath: String { "/api/v1/accounts/\(connection.accountID)/conversations/\(conversation)" }

    mutating func run(_ step: ChatwootAdapter.Step, messageID: String, attempt: Int) async -> StepResult {
        switch step {
        case .message(let content, let isPrivate, let hookworkID):
            if attempt > 1 {
                // The earlier attempt may have posted it and lost the answer: look for the marker first.
                switch await call("GET", conversationPath + "/messages", token: .admin) {
                case .answer(200, let body):
                    let messages = body["payload"]?.arrayValue ?? []
                    if let found = messages.suffix(Self.markerScan).first(where: {
                        $0["content_attributes"]?["hookwork"]?["command_id"]?.stringValue == messageID
                    }),
                        let id = found["id"]?.intValue
                    {
                        return .done("message \(id) was already posted by an earlier attempt", messageID: id)
                    }
                case .answer(let status, _) where status >= 500 || status == 429 || status == 408:
                    return .failed(.retry, status: status, error: "Chatwoot answered \(status) to the marker lookup", retryAfter: nil)
                case .none(let error, let retryable):
                    return .failed(retryable ? .retry : .refused, status: nil, error: error, retryAfter: nil)
                default: break  // the lookup is not allowed (token): post, as the first attempt did
                }
            }
            var marker = JSONObject([("command_id", .string(messageID))])
            if let hookworkID { marker["message_id"] = .int(hookworkID) }
            let body = JSONObject([
                ("content", .string(content)), ("message_type", .string("outgoing")), ("private", .bool(isPrivate)),
                ("content_type", .string("text")),
                ("content_attributes", .object(JSONObject([("hookwork", .object(marker))]))),
            ])
            switch await call("POST", conversationPath + "/messages", token: .write, body: body) {
            case .answer(let status, let answer) where (200..<300).contains(status):
                let id = answer["id"]?.intValue
                return .done(
                    isPrivate ? "private note \(id.map(String.init) ?? "?") posted" : "message \(id.map(String.init) ?? "?") posted", messageID: id)
            case let other: return failure(other, doing: "posting the message")
            }
        case .status(let word, let until):
            var body = JSONObject([("status", .string(word))])
            if let until { body["snoozed_until"] = .int(until) }
            let result = expectSuccess(await call("POST", conversationPath + "/toggle_status", token: .write, body: body), "status \(word)")
            if case .done = result {
                seen["cw_status"] = .string(word)
                seen["cw_snoozed_until"] = .int(until ?? 0)
            }
            return result
        case .assignee(let id):
            let body = JSONObject([("assignee_id", id.map(JSONValue.int) ?? .null)])
            let answer = await call("POST", conversationPath + "/assignments", token: .write, body: body)
            if case .answer(200, let agent) = answer, let id, agent["id"]?.intValue != id {
                // Chatwoot unassigns rather than failing for an id that is not one of the account's users.
                return .failed(
                    .refused, status: 200, error: "Chatwoot did not assign user \(id) (not a user of account \(connection.accountID)?)",
                    retryAfter: nil)
            }
            let result = expectSuccess(answer, id.map { "assigned to user \($0)" } ?? "unassigned")
            if case .done = result {
                seen["cw_assignee_id"] = .int(id ?? 0)
                seen["cw_assignee_type"] = id == nil ? .null : .string("User")
            }
            return result
        case .team(let id):
            let result = expectSuccess(
                await call("POST", conversationPath + "/assignments", token: .write, body: JSONObject([("team_id", id.map(JSONValue.int) ?? .null)])),
                id.map { "team \($0)" } ?? "team removed")
            if case .done = result { seen["cw_team_id"] = .int(id ?? 0) }
            return result
        case .labels(let add, let remove):
            // Chatwoot's call replaces the whole list: read it now, so that a label an agent just added stays.
            let read = await call("GET", conversationPath + "/labels", token: .write)
            guard case .answer(200, let current) = read else { return failure(read, doing: "reading the labels") }
            let before = (current["payload"]?.arrayValue ?? []).compactMap(\.stringValue)
            var labels = before.filter { !remove.contains($0) }
            for label in add where !labels.contains(label) { labels.append(label) }
            let result = await writeIfChanged(
                labels != before, conversationPath + "/labels", body: JSONObject([("labels", .array(labels.map(JSONValue.string)))]),
                done: "labels \(labels)", unchanged: "labels already \(before)")
            if case .done = result { seen["cw_labels"] = .array(labels.map(JSONValue.string)) }
            return result
        case .attributes(let changes):
            // Likewise: the whole object is written, so merge into what Chatwoot has now.
            let read = await call("GET", conversationPath, token: .admin)
            guard case .answer(200, let current) = read else { return failure(read, doing: "reading the custom attributes") }
            let before = current["custom_attributes"]?.objectValue ?? JSONObject()
            var attributes = before
            for (key, value) in changes { attributes[key] = value == .null ? nil : value }
            let result = await writeIfChanged(
                attributes != before, conversationPath + "/custom_attributes", body: JSONObject([("custom_attributes", .object(attributes))]),
                done: "custom attributes " + changes.map(\.key).sorted().joined(separator: ", "), unchanged: "custom attributes already set")
            if case .done = result {
                var keys: [JSONValue] = []
                for (key, value) in attributes where !key.hasPrefix("cw_") && key != "aicons" {
                    seen[key] = ChatwootMapping.bounded(value)
                    keys.append(.string(key))
                }
                for (key, value) in changes where value == .null { seen[key] = .null }
                seen["cw_attribute_keys"] = .array(keys)
            }
            return result
        case .priority(let word):
            let result = expectSuccess(
                await call(
                    "POST", conversationPath + "/toggle_priority", token: .write,
                    body: JSONObject([("priority", word.map(JSONValue.string) ?? .null)])),
                "priority \(word ?? "none")")
            if case .done = result { seen["cw_priority"] = word.map(JSONValue.string) ?? .null }
            return result
        case .contact(let id, let members):
            return expectSuccess(
                await call("PUT", "/api/v1/accounts/\(connection.accountID)/contacts/\(id)", token: .admin, body: members), "contact \(id)")
        }
    }

    enum Answer {
        case answer(Int, JSONObject)
        /// No answer; `retryable` is false when retrying cannot help (the outbound address policy refused the call).
        case none(String, retryable: Bool)
    }

    /// POSTs the whole new value (Chatwoot's list and object calls replace what is there) unless it is unchanged.
    mutating func writeIfChanged(_ changed: Bool, _ path: String, body: JSONObject, done: String, unchanged: String) async -> StepResult {
        guard changed else { return .done(unchanged, messageID: nil) }
        return expectSuccess(await call("POST", path, token: .write, body: body), done)
    }

    func expectSuccess(_ answer: Answer, _ note: String) -> StepResult {
        if case .answer(let status, _) = answer, (200..<300).contains(status) { return .done(note, messageID: nil) }
        return failure(answer, doing: note)
    }

    func failure(_ answer: Answer, doing what: String) -> StepResult {
        switch answer {
        case .none(let error, let retryable): return .failed(retryable ? .retry : .refused, status: nil, error: "\(what): \(error)", retryAfter: nil)
        case .answer(let status, let body):
            let said = (body["error"]?.stringValue ?? body["message"]?.stringValue).map { ": \($0.prefix(300))" } ?? ""
            let retryable = status >= 500 || status == 429 || status == 408
            return .failed(retryable ? .retry : .refused, status: status, error: "\(what): Chatwoot answered \(status)\(said)", retryAfter: nil)
        }
    }

    /// One API call; its answer's JSON object (an empty one for an empty or non-object body).
    mutating func call(_ method: String, _ path: String, token: Token, body: JSONObject? = nil) async -> Answer {
        let secret = token == .write ? (connection.botAccessToken ?? connection.apiAccessToken) : connection.apiAccessToken
        let bytes = body.map { Array(JSONValue.object($0).jsonText().utf8) }
        let request = connection.request(method, path, token: secret, body: bytes, timeoutSeconds: 10)
        var entry = JSONObject([("method", .string(method)), ("url", .string(connection.baseURL + path))])
        if let bytes { entry["request_body"] = .string(String(decoding: bytes.prefix(Self.loggedBodyBytes), as: UTF8.self)) }
        do {
            let response = try await sender.send(request)
            lastStatus = response.status
            entry["status"] = .int(response.status)
            entry["body"] = .string(String(decoding: response.body.prefix(Self.loggedBodyBytes), as: UTF8.self))
            calls.append(.object(entry))
            let object = response.body.count <= 4 * 1024 * 1024 ? (try? JSONValue(parsing: response.body))?.objectValue : nil
            return .answer(response.status, object ?? JSONObject())
        } catch {
            entry["error"] = .string("\(error)")
            calls.append(.object(entry))
            return .none("\(error)", retryable: !(error is any UnretryableSendError))
        }
    }
}

extension ChatwootConnection {
    /// A request to Chatwoot's Application API: `path` under `base_url`, authenticated with `token` (the header
    /// Chatwoot reads, `api_access_token`), a JSON body when there is one.
    func request(_ method: String, _ path: String, token: String, body: [UInt8]? = nil, timeoutSeconds: Int) -> OutboundRequest {
        var headers: [(name: String, value: String)] = [("api_access_token", token), ("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return OutboundRequest(method: method, url: baseURL + path, headers: headers, body: body, timeoutSeconds: timeoutSeconds)
    }

    /// The team whose department is `department` (the lowest team id when several map to it); nil when none does.
    public func team(department: Int) -> Int? {
        departments.compactMap { key, value -> Int? in
            guard value == department, key.hasPrefix("team:") else { return nil }
            return Int(key.dropFirst("team:".count))
        }.min()
    }
}
