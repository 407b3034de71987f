public import Foundation
public import HookworkEngine

/// Turns a `MailEnvelope` into the RFC 5322 text that goes after `DATA`: header fields (non-ASCII words as RFC 2047
/// encoded-words), a plain-text UTF-8 body with CRLF line ends, dot-stuffed (RFC 5321 §4.5.2). Pure, no I/O.
public struct SMTPMessage: Sendable {
    /// How the body is written.
    public enum TransferEncoding: String, Sendable {
        /// ASCII only, lines of at most 998 characters.
        case sevenBit = "7bit"
        /// UTF-8 as it is, for servers that offer 8BITMIME.
        case eightBit = "8bit"
        /// UTF-8 as quoted-printable, for servers that do not.
        case quotedPrintable = "quoted-printable"
    }

    /// Why an envelope cannot be sent as it is.
    public struct Invalid: Error, CustomStringConvertible {
        /// The envelope member at fault (`to`, `from`, `reply_to`).
        public var field: String
        /// What is wrong.
        public var reason: String
        public var description: String { "\(field): \(reason)" }
    }

    /// The envelope sender (`MAIL FROM`).
    public let sender: String
    /// The envelope recipients (`RCPT TO`).
    public let recipients: [String]
    /// The header block and body, CRLF line ends, not yet dot-stuffed.
    public let text: String
    /// The body's transfer encoding.
    public let encoding: TransferEncoding

    /// Formats `envelope`; `eightBitMIME` says whether the server accepts 8-bit bodies. `date` and `messageID` are
    /// injectable so that tests can pin them.
    public init(_ envelope: MailEnvelope, eightBitMIME: Bool, date: Date = Date(), messageID: String? = nil) throws {
        let from = try Self.address(envelope.from, field: "from")
        let to = try envelope.to.flatMap { try Self.addressList($0, field: "to") }
        guard !to.isEmpty else { throw Invalid(field: "to", reason: "there is no recipient") }
        let replyTo = try envelope.replyTo.flatMap {
            $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : try Self.addressList($0, field: "reply_to")
        }
        sender = from
        recipients = to

        let body = Self.normalizedLines(envelope.body)
        let isASCII = body.utf8.allSatisfy { $0 < 128 }
        let longLine = body.components(separatedBy: "\r\n").contains { $0.utf8.count > 998 }
        if isASCII && !longLine {
            encoding = .sevenBit
        } else if eightBitMIME && !longLine {
            encoding = .eightBit
        } else {
            encoding = .quotedPrintable
        }

        var headers: [(String, String)] = [("Date", Self.rfc5322Date(date))]
        let fromName = envelope.fromName.map(Self.singleLine) ?? ""
        headers.append(("From", fromName.isEmpty ? from : "\(Self.phrase(fromName)) <\(from)>"))
        headers.append(("To", to.joined(separator: ", ")))
        if let replyTo, !replyTo.isEmpty { headers.append(("Reply-To", replyTo.joined(separator: ", "))) }
        headers.append(("Subject", Self.encodedWords(Self.singleLine(envelope.subject))))
        let domain = from.split(separator: "@").last.map(String.init) ?? "hookwork.invalid"
        let hasMessageID = envelope.headers.contains { $0.name.lowercased() == "message-id" }
        if !hasMessageID { headers.append(("Message-ID", messageID ?? "<\(UUID().uuidString.lowercased())@\(domain)>")) }
        headers.append(("MIME-Version", "1.0"))
        headers.append(("Content-Type", "text/plain; charset=utf-8"))
        headers.append(("Content-Transfer-Encoding", encoding.rawValue))
        let reserved: Set<String> = ["date", "from", "to", "reply-to", "subject", "mime-version", "content-type", "content-transfer-encoding"]
        for header in envelope.headers where !reserved.contains(header.name.lowercased()) {
            let name = header.name.filter { $0.isASCII && $0 != ":" && !$0.isWhitespace }
            guard !name.isEmpty else { continue }
            headers.append((name, Self.encodedWords(Self.singleLine(header.value))))
        }
        var text = headers.map { "\($0.0): \($0.1)\r\n" }.joined()
        text += "\r\n"
        text += encoding == .quotedPrintable ? Self.quotedPrintable(body) : body
        self.text = text
    }

    /// The text as sent after `DATA`: dot-stuffed and ended by `CRLF.CRLF`.
    public var dataSection: String {
        var lines = text.components(separatedBy: "\r\n")
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n") + "\r\n.\r\n"
    }

    /// One address, checked: `user@host`, no spaces, line breaks or angle brackets (header injection).
    static func address(_ text: String, field: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw Invalid(field: field, reason: "the address is empty") }
        let forbidden = CharacterSet(charactersIn: "<>,;\"\r\n\t ()")
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, trimmed.rangeOfCharacter(from: forbidden) == nil else {
            throw Invalid(field: field, reason: "'\(trimmed)' is not an e-mail address (user@host)")
        }
        return trimmed
    }

    /// A comma- or semicolon-separated list of addresses (the reference's recipient field takes several).
    static func addressList(_ text: String, field: String) throws -> [String] {
        try text.split(whereSeparator: { $0 == "," || $0 == ";" }).map { String($0) }
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { try address($0, field: field) }
    }

    /// Header values are one line: a rendered subject must not add header fields.
    static func singleLine(_ text: String) -> String {
        text.components(separatedBy: .newlines).filter { !$0.isEmpty }.joined(separator: " ").trimmingCharacters(in: .whitespaces)
    }

    /// A display name: as it is when plain ASCII, quoted when it has specials, encoded-words when not ASCII.
    static func phrase(_ name: String) -> String {
        if !name.unicodeScalars.allSatisfy(\.isASCII) { return encodedWords(name) }
        let atext = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+-/=?^_`{|}~ "))
        if name.rangeOfCharacter(from: atext.inverted) == nil { return name }
        return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// RFC 2047 `=?utf-8?B?…?=` words for text that is not ASCII, each under 76 characters, split between characters.
    static func encodedWords(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy(\.isASCII) { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?utf-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?utf-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }

    /// Every line end as CRLF.
    static func normalizedLines(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// RFC 2045 quoted-printable of CRLF-separated UTF-8 text, soft line breaks under 76 characters.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        return text.components(separatedBy: "\r\n").map { line -> String in
            var out: [UInt8] = []
            var width = 0
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                var piece: [UInt8]
                if (byte == 0x20 || byte == 0x09) && !isLast || (byte >= 33 && byte <= 126 && byte != 0x3D) {
                    piece = [byte]
                } else {
                    piece = [0x3D, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                }
                if width + piece.count > 75 {
                    out += [0x3D, 0x0D, 0x0A]
                    width = 0
                }
                out += piece
                width += piece.count
            }
            return String(decoding: out, as: UTF8.self)
        }.joined(separator: "\r\n")
    }

    /// `Tue, 24 Nov 2026 19:40:46 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
