import HookworkCore
import Testing

@Suite("Dot-path resolver (spec §4.5)")
struct DotPathTests {
    static let root: JSONValue = try! JSONValue(
        parsing: """
            {"chat":{"id":1,"s":"Hello","z":0,"e":"","n":null,"fa":false,"department":false,
              "user":{"username":"ann","email":"a@x"},
              "chat_variables_array":{"list":[{"t":"a","v":1},{"t":"b","v":2},{"t":"a","v":3}],"json":"{\\"k\\":7}","tags":["p","q"]}}}
            """)

    @Test(
        "resolves the reference's path forms",
        arguments: [
            ("chat.s", JSONValue.string("Hello")),
            ("chat.z", 0),
            ("chat.e", ""),
            ("chat.fa", false),
            ("chat.chat_variables_array.list.[t=a].v", 3),
            ("chat.chat_variables_array.list.[v=02].t", "b"),
            ("chat.chat_variables_array.list.[v=__EXIST__].v", 3),
            ("chat.chat_variables_array.tags___array_pop", "q"),
            ("chat.chat_variables_array.json___json_text.k", 7),
            ("chat.chat_variables_array.list.1.t", "b"),
            ("chat.s.0", "H"),
            ("chat.chat_variables_array.tags^implode==, ", "p, q,"),
        ]
    )
    func found(path: String, expected: JSONValue) {
        #expect(DotPath(path).resolve(in: Self.root).value == expected)
    }

    @Test(
        "treats null, missing members, scalars mid-path and model-object suffixes as not found",
        arguments: ["chat.n", "chat.missing", "chat.department.name", "chat.s.9", "chat.z.0", "chat..s", "", "chat.user.0", "chat.user___array_pop"]
    )
    func notFound(path: String) {
        #expect(DotPath(path).resolve(in: Self.root) == .notFound)
    }

    @Test("gives model objects their kind, so a department or operator has a text form")
    func objectKinds() throws {
        let args: JSONValue = ["chat": ["department": ["name": "Sales"], "user": ["username": "ann", "email": "a@x"], "last_msg": ["id": 3]]]
        guard case .found(let department, let kind) = DotPath("chat.department").resolve(in: args) else { throw PathFailure() }
        #expect(kind == .department)
        #expect(PHPText.text(of: department, kind: kind) == "Sales")
        guard case .found(let user, let userKind) = DotPath("chat.user").resolve(in: args) else { throw PathFailure() }
        #expect(PHPText.text(of: user, kind: userKind) == "ann (a@x)")
        guard case .found(let message, let messageKind) = DotPath("chat.last_msg").resolve(in: args) else { throw PathFailure() }
        #expect(PHPText.text(of: message, kind: messageKind) == nil, "a message has no text form in the reference")
    }

    @Test("reads a mail message as `chat` under the mail root")
    func mailRoot() throws {
        let args: JSONValue = ["chat": ["subject": "Invoice", "conversation": ["mail": "x@y.z"]]]
        guard case .found(let mail, let kind) = DotPath("chat").resolve(in: args, rootKind: .argsWithMail) else { throw PathFailure() }
        #expect(PHPText.text(of: mail, kind: kind) == "Invoice")
        guard case .found(let conversation, let conversationKind) = DotPath("chat.conversation").resolve(in: args, rootKind: .argsWithMail)
        else { throw PathFailure() }
        #expect(PHPText.text(of: conversation, kind: conversationKind) == "x@y.z")
    }

    struct PathFailure: Error {}
}

@Suite("PHP number text and loose comparison (spec §4.4, §4.7)")
struct PHPValueTests {
    @Test(
        "formats floats as PHP's string cast does",
        arguments: [
            (1.0 / 3, "0.33333333333333"), (450.0, "450"), (12345678901234567890.0, "1.2345678901235E+19"), (0.00001, "1.0E-5"), (-2.5, "-2.5"),
        ]
    )
    func floatText(value: Double, text: String) {
        #expect(PHPNumber.string(value) == text)
    }

    @Test("formats floats as json_encode does", arguments: [(0.1, "0.1"), (1e-7, "1.0e-7"), (2.0, "2"), (1e25, "1.0e+25")])
    func floatJSON(value: Double, text: String) {
        #expect(PHPNumber.json(value) == text)
    }

    @Test(
        "compares strings loosely",
        arguments: [
            ("1", "01", true), ("1", "1.0", true), (" 1", "1", true), ("1e1", "10", true), ("abc", "ABC", false), ("1a", "1", false),
            ("", "0", false),
        ]
    )
    func looseEquality(lhs: String, rhs: String, equal: Bool) {
        #expect(PHPLoose.equals(lhs, rhs) == equal)
    }

    @Test("parses JSON keeping key order and integer-ness, and names the byte of a syntax error")
    func json() throws {
        let value = try JSONValue(parsing: #"{"b":1,"a":1.0,"c":[true,null,"\u00e9\ud83d\ude00"]}"#)
        #expect(value.objectValue?.keys == ["b", "a", "c"])
        #expect(value["b"] == .int(1))
        #expect(value["a"] == .double(1))
        #expect(value["c"]?.arrayValue?[2] == .string("é😀"))
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: #"{"a":}"#) }
        do {
            _ = try JSONValue(parsing: "[1,]")
        } catch {
            #expect(error.offset == 3)
        }
    }
}
