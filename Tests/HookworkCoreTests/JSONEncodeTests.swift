import Testing

@testable import HookworkCore

/// `jsonText()` for Hookwork's own output and `phpJSON()` for what the reference's `json_encode` writes (spec §8.4).
@Suite("JSON encoders")
struct JSONEncodeTests {
    static let phpCases: [(JSONValue, String)] = [
        (JSONValue.null, "null"),
        (true, "true"),
        (-12, "-12"),
        (0.1, "0.1"),
        (2.0, "2"),
        (1e-7, "1.0e-7"),
        (1e25, "1.0e+25"),
        ("a/b \"q\" \\ \n\t\u{01}\u{7F}", #""a\/b \"q\" \\ \n\t\u0001"# + "\u{7F}\""),
        ("Ąž é", #""\u0104\u017e \u00e9""#),
        ("😀", #""\ud83d\ude00""#),
        ([1, "x", nil], #"[1,"x",null]"#),
        (["b": 1, "a": ["k/": false]], #"{"b":1,"a":{"k\/":false}}"#),
    ]

    static let standardCases: [(JSONValue, String)] = [
        (JSONValue.null, "null"),
        (2.0, "2.0"),
        (0.1, "0.1"),
        (-3, "-3"),
        ("a/b \"q\" é 😀 \n\u{01}", #""a/b \"q\" é 😀 \n\u0001""#),
        (["b": [1, 2], "a": [:]], #"{"b":[1,2],"a":{}}"#),
        ([], "[]"),
    ]

    @Test("phpJSON writes what PHP's json_encode writes by default", arguments: phpCases)
    func php(value: JSONValue, expected: String) {
        #expect(value.phpJSON() == expected)
    }

    @Test("phpJSON writes PHP arrays: an empty object and one keyed 0…n-1 in order are lists")
    func phpArrays() throws {
        #expect(JSONValue.object(JSONObject()).phpJSON() == "[]")
        #expect(try JSONValue(parsing: #"{"0":"a","1":"b"}"#).phpJSON() == #"["a","b"]"#)
        #expect(try JSONValue(parsing: #"{"1":"a","0":"b"}"#).phpJSON() == #"{"1":"a","0":"b"}"#)
        #expect(try JSONValue(parsing: #"{"0":"a","01":"b"}"#).phpJSON() == #"{"0":"a","01":"b"}"#)
    }

    @Test("phpJSON gives an empty string where json_encode fails")
    func phpFailure() {
        #expect(JSONValue.array([.double(.infinity)]).phpJSON() == "")
        #expect(JSONValue.double(.nan).phpJSONIfEncodable() == nil)
    }

    @Test("jsonText writes compact standard JSON", arguments: standardCases)
    func standard(value: JSONValue, expected: String) {
        #expect(value.jsonText() == expected)
    }

    @Test("jsonText round-trips through the parser, keeping key order and int/float")
    func roundTrip() throws {
        let text = #"{"z":1,"a":[1.5,2.0,-0.25,1e-7,"\u0000x"],"m":{"k":null,"t":true}}"#
        let value = try JSONValue(parsing: text)
        #expect(try JSONValue(parsing: value.jsonText()) == value)
        #expect(JSONValue.double(.infinity).jsonText() == "null")
    }
}
