/// The part of the continuous-mail SQL prefilter that can fail (spec §6.2, conformance README "continuous_mail").
///
/// Before any message is looked at, the mail cron turns every type-3 condition of every group into SQL. On the way
/// it evaluates the arithmetic of the literal sides (no placeholder) of conditions whose placeholder sides are single
/// `{args.chat.<mail column>}` placeholders, without any `catch`. So `"08"`, `"1-"` or `"1/0"` there raise, where the
/// PHP step would shrug them off (the spec says parse errors are caught there; the cases show they are not).
/// Hookwork reports the error and counts that condition false (DESIGN §5 deviation 1).
struct MailPrefilter: Sendable {
    enum Check: Sendable {
        /// The side does not involve `{time}`: its outcome is known now.
        case constant(entry: Int, fault: String?)
        /// The side contains `{time}`: evaluated once per pass.
        case timed(entry: Int, text: String)
    }

    let checks: [Check]

    /// `lhc_mailconv_msg` columns (spec §10.5).
    static let columns: Set<String> = [
        "id", "status", "conversation_id", "conversation_id_old", "mailbox_id", "body", "alt_body", "message_id", "in_reply_to",
        "subject", "references", "ctime", "date", "udate", "flagged", "recent", "msgno", "uid", "size", "from_host", "from_name",
        "from_address", "sender_host", "sender_name", "sender_address", "to_data", "reply_to_data", "cc_data", "bcc_data",
        "response_time", "cls_time", "wait_time", "accept_time", "interaction_time", "lr_time", "conv_duration", "user_id",
        "conv_user_id", "response_type", "dep_id", "mb_folder", "has_attachment", "rfc822_body", "delivery_status", "undelivered",
        "priority", "lang", "message_hash", "opened_at", "is_external", "auto_submitted",
    ]

    init(entries: [ConditionEntry], groups: [[[Int]]]) {
        var checks: [Check] = []
        for group in groups {
            for index in group.joined() where entries[index].kind == .compare {
                let entry = entries[index]
                for side in Self.evaluatedSides(entry) {
                    if PlaceholderScanner.contains(Array(side.utf8), PlaceholderScanner.timeToken) {
                        checks.append(.timed(entry: index, text: side))
                    } else {
                        checks.append(.constant(entry: index, fault: Self.fault(side, now: 0)))
                    }
                }
            }
        }
        self.checks = checks.filter {
            if case .constant(_, nil) = $0 { return false }
            return true
        }
    }

    /// The sides whose arithmetic the SQL step evaluates.
    ///
    /// A side holding `{args.` must be a single placeholder whose path, with every `chat.` removed, is a column: on
    /// the left it names the column, on the right it is bound as a string. Any other placeholder side, or a
    /// `{condition.` side, leaves the whole condition out of SQL. A literal side is evaluated (on the left it then
    /// stands in for the column, `cond-001395` shows that a rejected right side spares it).
    static func evaluatedSides(_ entry: ConditionEntry) -> [String] {
        guard let attr = entry.text("attr"), let value = entry.text("value") else { return [] }
        var sides: [String] = []
        for side in [attr, value] {
            let bytes = Array(side.utf8)
            if PlaceholderScanner.contains(bytes, PlaceholderScanner.argsPrefix) {
                let matches = PlaceholderScanner.argsMatches(in: bytes)
                guard matches.count == 1, columns.contains(column(bytes, matches[0])) else { return [] }
            } else if PlaceholderScanner.contains(bytes, PlaceholderScanner.conditionPrefix) {
                return []
            } else {
                sides.append(side)
            }
        }
        return sides
    }

    /// The placeholder's path with every `chat.` removed.
    static func column(_ bytes: [UInt8], _ match: PlaceholderScanner.Match) -> String {
        let path = Array(bytes[match.pathRange])
        return String(decoding: PlaceholderScanner.replaceAll(Array("chat.".utf8), with: [], in: path), as: UTF8.self)
    }

    /// The SQL step's arithmetic: `{time}`, whitespace removal, and `eval` when only the filter's characters (no `%`)
    /// remain, uncaught.
    static func fault(_ side: String, now: Int) -> String? {
        let text = SidePipeline.replacingTime(side, now: now)
        let stripped = text.utf8.filter { !SidePipeline.isWhitespace($0) }
        guard !stripped.isEmpty, stripped.allSatisfy({ SidePipeline.isArithmetic($0, keepsPercent: false) }) else { return nil }
        do {
            _ = try ArithmeticExpression.evaluate(String(decoding: stripped, as: UTF8.self))
            return nil
        } catch {
            return error.description
        }
    }

    /// The errors at `now`, in the order the cron meets them.
    func faults(now: Int) -> [(entry: Int, message: String)] {
        var faults: [(entry: Int, message: String)] = []
        for check in checks {
            switch check {
            case .constant(let entry, let fault?): faults.append((entry, fault))
            case .constant: break
            case .timed(let entry, let text):
                if let fault = Self.fault(text, now: now) { faults.append((entry, fault)) }
            }
        }
        return faults
    }
}
