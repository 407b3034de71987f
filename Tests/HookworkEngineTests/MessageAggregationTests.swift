import HookworkCore
import Testing

@testable import HookworkEngine

@Suite("messageaggregation: counts, ratios and best groups of message meta data")
struct MessageAggregationTests {
    /// Visitor messages 1-4 before the operator took over (pnd_time 100), 5-6 after; one bot and one system message.
    static let messages: [JSONObject] = [
        message(1, user: 0, time: 10, #"{"sentiment":"positive","score":0.9}"#),
        message(2, user: 0, time: 20, #"{"sentiment":"negative","score":0.8}"#),
        message(3, user: -2, time: 30, #"{"sentiment":"neutral","score":0.5}"#),
        message(4, user: 0, time: 40, #"{"sentiment":"negative","score":0.7}"#),
        message(5, user: -1, time: 50, #"{"sentiment":"positive","score":1}"#),
        message(6, user: 0, time: 200, #"{"sentiment":"positive","score":0.4}"#),
        message(7, user: 0, time: 300, "{}"),
    ]

    static func message(_ id: Int, user: Int, time: Int, _ meta: String) -> JSONObject {
        JSONObject([("id", .int(id)), ("user_id", .int(user)), ("time", .int(time)), ("meta_msg", .string(meta))])
    }

    func run(_ content: String, current: JSONObject = JSONObject()) throws -> JSONObject? {
        let parsed = try #require(try JSONValue(parsing: content).objectValue)
        let chat = JSONObject([("id", 7), ("pnd_time", 100)])
        return try? MessageAggregation.variables(MessageAggregationOptions(parsed), chat: chat, messages: Self.messages, current: current).get()
    }

    @Test("count of the chosen message types, with the first or last share of them")
    func count() throws {
        #expect(try run(#"{"msg_type_all":1,"payload":"n","payload_arg_type":"count"}"#)?["n"] == 6)
        #expect(try run(#"{"msg_type_vis":1,"payload":"n","payload_arg_type":"count"}"#)?["n"] == 5)
        #expect(try run(#"{"msg_type_vis_bot":1,"msg_type_bot":1,"payload":"n","payload_arg_type":"count"}"#)?["n"] == 4)
        #expect(try run(#"{"msg_type_vis_op":1,"payload":"n","payload_arg_type":"count"}"#)?["n"] == 2)
        #expect(try run(#"{"msg_type_vis":1,"payload":"n","payload_arg_type":"count","payload_include_number":"f50"}"#)?["n"] == 3)
        #expect(try run(#"{"msg_type_vis":1,"payload":"n","payload_arg_type":"count","payload_include_number":"l50"}"#)?["n"] == 2)
    }

    @Test("ratio and count_filter over a meta_msg member")
    func ratio() throws {
        let ratio =
            #"{"msg_type_vis":1,"payload":"neg","payload_arg_type":"ratio","payload_arg_field":"sentiment","payload_arg_val":"negative","payload_arg_val_sum":"positive,negative"}"#
        #expect(try run(ratio)?["neg"] == .double(0.5))
        let filtered =
            #"{"msg_type_vis":1,"payload":"neg","payload_arg_type":"count_filter","payload_arg_field":"sentiment","payload_arg_val":"negative,neutral"}"#
        #expect(try run(filtered)?["neg"] == 2)
    }

    @Test("the best-scoring group and its value; a previous result is replaced")
    func bestGroup() throws {
        let sum =
            #"{"msg_type_vis":1,"payload":"mood","payload_cond_field":"mood_score","payload_arg_type":"sum","payload_arg_field":"sentiment","payload_arg_val":"score"}"#
        let result = try run(sum, current: JSONObject([("mood", "old"), ("lang", "lt")]))
        #expect(result?["mood"] == "negative")
        #expect(result?["mood_score"]?.doubleValue.map { abs($0 - 1.5) < 1e-9 } == true)
        #expect(result?["lang"] == "lt")
        let counted =
            #"{"msg_type_vis":1,"payload":"mood","payload_cond_field":"mood_n","payload_arg_type":"count_max","payload_arg_field":"sentiment","payload_arg_val":"score","payload_arg_val_trshl":"0.5"}"#
        #expect(try run(counted)?["mood"] == "negative")
        #expect(try run(counted)?["mood_n"] == 2)
    }

    @Test("nothing happens without a message type or a method, as in the reference")
    func nothing() throws {
        #expect(try run(#"{"payload":"n","payload_arg_type":"count"}"#) == nil)
        #expect(try run(#"{"msg_type_all":1,"payload":"n"}"#) == nil)
    }
}
