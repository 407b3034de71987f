import Foundation
import HookworkCore
import HookworkDelivery
import HookworkEngine
import Testing

@Suite("SMTP client against a real SMTP server (aiosmtpd on loopback)")
struct SMTPTests {
    func sender(_ sink: SMTPSink, query: String = "tls=none", credentials: String = "") throws -> SMTPMailSender {
        SMTPMailSender(configuration: try SMTPConfiguration(url: "smtp://\(credentials)127.0.0.1:\(sink.port)?\(query)"), logger: testLogger)
    }

    @Test("a plain message arrives with its envelope, RFC 5322 headers and body")
    func plain() async throws {
        try await SMTPSink.with { sink in
            let envelope = MailEnvelope(
                from: "bot@example.com", fromName: "Support Bot", to: ["sales@example.com"], replyTo: "ann@example.org",
                subject: "Survey filled", body: "Chat 7 was rated 5.\nThanks."
            )
            let receipt = try await sender(sink).send(envelope)
            #expect(receipt.code == 250)
            let messages = sink.messages
            try #require(messages.count == 1)
            let message = messages[0]
            #expect(message["mail_from"] == "bot@example.com")
            #expect(message["rcpt_tos"] == ["sales@example.com"])
            #expect(message["subject"] == "Survey filled")
            #expect(message["from"] == "Support Bot <bot@example.com>")
            #expect(message["to"] == "sales@example.com")
            #expect(message["reply_to"] == "ann@example.org")
            #expect(message["body"] == "Chat 7 was rated 5.\nThanks.\n")
            let headers = message["headers"]
            #expect(headers?["mime-version"] == "1.0")
            #expect(headers?["content-type"] == "text/plain; charset=\"utf-8\"" || headers?["content-type"] == "text/plain; charset=utf-8")
            #expect(headers?["message-id"]?.stringValue?.hasSuffix("@example.com>") == true)
            #expect(headers?["date"]?.stringValue?.hasSuffix("+0000") == true)
        }
    }

    @Test("UTF-8 subject, display name and body arrive intact (encoded-words, 8BITMIME)")
    func utf8() async throws {
        try await SMTPSink.with { sink in
            let subject = "Apklausa užpildyta: įvertinimas ★★★★★ — ačiū, Ūla! Ещё одна длинная тема, чтобы разбить слово"
            let envelope = MailEnvelope(
                from: "bot@example.com", fromName: "Žalgiris Pagalba", to: ["sales@example.com"], subject: subject,
                body: "Sveiki,\nvertinimas: ★★★★★\nКлиент доволен."
            )
            _ = try await sender(sink).send(envelope)
            let message = try #require(sink.messages.first)
            #expect(message["subject"]?.stringValue == subject)
            #expect(message["from"] == "Žalgiris Pagalba <bot@example.com>")
            #expect(message["body"] == "Sveiki,\nvertinimas: ★★★★★\nКлиент доволен.\n")
            #expect(message["headers"]?["content-transfer-encoding"] == "8bit")
        }
    }

    @Test("lines that start with a dot are dot-stuffed and arrive as written; a lone dot does not end the message")
    func dotStuffing() async throws {
        try await SMTPSink.with { sink in
            let body = ".hidden line\n.\n..two dots\nlast"
            _ = try await sender(sink).send(MailEnvelope(from: "a@example.com", to: ["b@example.com"], subject: "dots", body: body))
            let message = try #require(sink.messages.first)
            #expect(message["body"]?.stringValue == body + "\n")
        }
    }

    @Test("several recipients in one field, comma separated, each get an RCPT TO")
    func severalRecipients() async throws {
        try await SMTPSink.with { sink in
            _ = try await sender(sink).send(MailEnvelope(from: "a@example.com", to: ["b@example.com, c@example.com"], subject: "x", body: "y"))
            #expect(sink.messages.first?["rcpt_tos"] == ["b@example.com", "c@example.com"])
        }
    }

    @Test("AUTH PLAIN with the URL's credentials; a wrong password is refused at the AUTH step")
    func authPlain() async throws {
        try await SMTPSink.with(["--auth", "olga:s3cr:et"]) { sink in
            _ = try await sender(sink, credentials: "olga:s3cr%3Aet@").send(
                MailEnvelope(from: "a@example.com", to: ["b@example.com"], subject: "x", body: "y"))
            #expect(sink.messages.first?["auth_user"] == "olga")
            await #expect {
                _ = try await sender(sink, credentials: "olga:wrong@").send(
                    MailEnvelope(from: "a@example.com", to: ["b@example.com"], subject: "x", body: "y"))
            } throws: { error in
                guard let error = error as? SMTPError else { return false }
                return error.step == "AUTH PLAIN" && error.code == 535
            }
            #expect(sink.messages.count == 1)
        }
    }

    @Test("AUTH LOGIN when the server offers only LOGIN")
    func authLogin() async throws {
        try await SMTPSink.with(["--auth", "olga:pw", "--only-login"]) { sink in
            _ = try await sender(sink, credentials: "olga:pw@").send(
                MailEnvelope(from: "a@example.com", to: ["b@example.com"], subject: "x", body: "y"))
            #expect(sink.messages.first?["auth_user"] == "olga")
        }
    }

    @Test("a refused recipient fails the send at RCPT TO with the server's reply, and nothing is delivered")
    func refusedRecipient() async throws {
        try await SMTPSink.with(["--refuse", "gone@example.com"]) { sink in
            await #expect {
                _ = try await sender(sink).send(MailEnvelope(from: "a@example.com", to: ["gone@example.com"], subject: "x", body: "y"))
            } throws: { error in
                guard let error = error as? SMTPError else { return false }
                return error.step == "RCPT TO <gone@example.com>" && error.code == 550 && error.description.contains("mailbox unavailable")
            }
            #expect(sink.messages.isEmpty)
        }
    }

    @Test("STARTTLS: the message and the AUTH go over TLS when the server offers it")
    func startTLS() async throws {
        let certificate = try SMTPSink.selfSignedCertificate()
        try await SMTPSink.with(["--auth", "olga:pw", "--cert", certificate.cert, "--key", certificate.key]) { sink in
            _ = try await sender(sink, query: "tls=required&verify=false", credentials: "olga:pw@")
                .send(MailEnvelope(from: "a@example.com", to: ["b@example.com"], subject: "secret", body: "over TLS"))
            let message = try #require(sink.messages.first)
            #expect(message["tls"] == true)
            #expect(message["auth_user"] == "olga")
            #expect(message["body"] == "over TLS\n")
        }
    }

    @Test("tls=required refuses to send to a server without STARTTLS; an address with a line break is refused")
    func refusals() async throws {
        try await SMTPSink.with { sink in
            await #expect {
                _ = try await sender(sink, query: "tls=required").send(
                    MailEnvelope(from: "a@example.com", to: ["b@example.com"], subject: "x", body: "y"))
            } throws: { error in (error as? SMTPError)?.step == "STARTTLS" }
            await #expect(throws: SMTPMessage.Invalid.self) {
                _ = try await sender(sink).send(
                    MailEnvelope(from: "a@example.com", to: ["b@example.com\r\nBcc: x@evil.example"], subject: "x", body: "y"))
            }
            #expect(sink.messages.isEmpty)
        }
    }

    @Test("an SMTP URL names its problem")
    func configurationErrors() throws {
        #expect(throws: SMTPConfiguration.Invalid.self) { try SMTPConfiguration(url: "http://example.com") }
        #expect(throws: SMTPConfiguration.Invalid.self) { try SMTPConfiguration(url: "smtp://example.com?tls=maybe") }
        let parsed = try SMTPConfiguration(url: "smtp://u%40x:p%2Fw@mail.example.com:587?tls=required")
        #expect(parsed.username == "u@x" && parsed.password == "p/w" && parsed.port == 587 && parsed.tls == .required)
    }
}

@Suite("SMTP message formatting")
struct SMTPMessageTests {
    @Test("without 8BITMIME a UTF-8 body is quoted-printable, lines stay under 77 characters and decode back")
    func quotedPrintable() throws {
        let body = String(repeating: "ąčę ", count: 40) + "= end"
        let message = try SMTPMessage(MailEnvelope(from: "a@example.com", to: ["b@example.com"], subject: "s", body: body), eightBitMIME: false)
        #expect(message.encoding == .quotedPrintable)
        let encoded = message.text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 })
        // Decode: remove soft breaks, then =XX escapes.
        var bytes: [UInt8] = []
        let joined = Array(encoded.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var index = 0
        while index < joined.count {
            if joined[index] == UInt8(ascii: "="), index + 2 < joined.count,
                let byte = UInt8(String(decoding: joined[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
            {
                bytes.append(byte)
                index += 3
            } else {
                bytes.append(joined[index])
                index += 1
            }
        }
        #expect(String(decoding: bytes, as: UTF8.self) == body)
    }

    @Test("a subject with a line break stays one header; extra headers cannot replace the fixed ones")
    func headerInjection() throws {
        let envelope = MailEnvelope(
            from: "a@example.com", to: ["b@example.com"], subject: "Hi\r\nBcc: x@evil.example", body: "x",
            headers: [("From", "x@evil.example"), ("X-Chat", "7")]
        )
        let message = try SMTPMessage(envelope, eightBitMIME: true)
        let headers = message.text.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        #expect(headers.contains("Subject: Hi Bcc: x@evil.example"))
        #expect(!headers.contains { $0.hasPrefix("Bcc:") })
        #expect(headers.filter { $0.hasPrefix("From:") } == ["From: a@example.com"])
        #expect(headers.contains("X-Chat: 7"))
    }
}
