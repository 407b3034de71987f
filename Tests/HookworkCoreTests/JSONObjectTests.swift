import Testing

@testable import HookworkCore

@Suite("JSON objects, small (searched in order) and large (indexed)")
struct JSONObjectTests {
    @Test("members read, replace and remove the same on both sides of the index threshold", arguments: [1, 16, 17, 18, 40])
    func growAndShrink(size: Int) {
        var object = JSONObject()
        for number in 0..<size { object["key_number_\(number)"] = .int(number) }
        #expect(object.count == size)
        for number in 0..<size { #expect(object["key_number_\(number)"] == .int(number)) }
        #expect(object["key_number_\(size)"] == nil)
        object["key_number_0"] = .string("replaced")
        #expect(object.keys.first == "key_number_0", "a replaced member keeps its place")
        #expect(object["key_number_0"] == "replaced")
        // Removing from the front moves every position: each member must still be found, indexed or not.
        for number in 0..<(size / 2) { object["key_number_\(number)"] = nil }
        #expect(object.count == size - size / 2)
        for number in 0..<size {
            let expected: JSONValue? = number < size / 2 ? nil : number == 0 ? "replaced" : .int(number)
            #expect(object["key_number_\(number)"] == expected)
        }
        object["late"] = .bool(true)
        #expect(object.keys.last == "late" && object["late"] == .bool(true))
    }

    @Test("an object built from pairs equals the same object built member by member, repeated keys keep the first place")
    func pairs() {
        let pairs = (0..<20).map { ("k\($0)", JSONValue.int($0)) } + [("k3", JSONValue.string("last"))]
        let built = JSONObject(pairs)
        var stepwise = JSONObject()
        for (key, value) in pairs { stepwise[key] = value }
        #expect(built == stepwise && built.hashValue == stepwise.hashValue)
        #expect(built.count == 20 && built.keys[3] == "k3" && built["k3"] == "last")
    }
}
