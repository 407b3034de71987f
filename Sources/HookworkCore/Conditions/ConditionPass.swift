/// A condition list prepared for one `now` and one variant: `{time}`-only sides are computed once, so evaluating
/// many chats in a cron pass parses nothing and, on the common paths, allocates nothing.
public struct ConditionPass: Sendable {
    /// The unix time `{time}` stands for.
    public let now: Int
    /// The evaluator being followed.
    public let variant: ConditionVariant
    let program: ConditionProgram
    let flavor: ConditionFlavor
    /// The compiled conditions of this flavour, by entry index.
    let conditions: [CompiledCondition]
    /// Their integer shortcuts, by entry index.
    let shortcuts: [IntegerShortcut]
    /// Per `PathTrie` node, where its key sat in the last object seen (see `PathTrie.extract`).
    var positions: PositionCache
    /// `{time}`-only sides, by slot.
    let timed: [SideValue]
    /// Continuous mail only: conditions whose SQL prefilter step raised, in the order the cron meets them.
    let prefilterFaults: [(entry: Int, message: String)]

    init(program: ConditionProgram, now: Int, variant: ConditionVariant) {
        self.program = program
        self.now = now
        self.variant = variant
        let flavor = variant.flavor
        self.flavor = flavor
        conditions = program.compiled[flavor.rawValue]
        shortcuts = program.shortcuts[flavor.rawValue]
        positions = PositionCache(count: program.trie.names.count)
        timed = program.timedSides[flavor.rawValue].map { side in
            if let expression = side.expression, now >= 0, let value = try? expression.evaluate(leaf: { _ in now }) {
                return .value(value)
            }
            return SidePipeline.finish(SidePipeline.replacingTime(side.text, now: now), textOperator: side.textOperator, flavor: flavor)
        }
        prefilterFaults = variant == .continuousMail ? program.prefilter.faults(now: now) : []
    }

    /// Evaluates the conditions against one chat, mail message or event.
    ///
    /// - Parameters:
    ///   - args: the placeholder root (see `ConditionInput.args`). In the hook variant an `args.mail` object
    ///     replaces `chat`, and "Visitor message contains" then reads the mail's `body` and `alt_body`.
    ///   - messages: the chat's messages (the reference reads them by descending id).
    ///   - conditionResolver: answers `{condition.IDENT}`; nil means `not_valid`.
    ///   - trace: evaluate every group and report each condition (spec §5.5); otherwise stop at the first
    ///     satisfied group, as the reference does.
    ///
    /// The pass learns where keys sit in the arguments as it goes, which is why evaluating mutates it; give each
    /// thread its own copy.
    public mutating func evaluate(
        args: JSONValue, messages: [ConditionMessage] = [], conditionResolver: ConditionResolver? = nil, trace: Bool = false
    ) -> ConditionOutcome {
        if !isKnownUniquelyReferenced(&positions) { positions = positions.copy() }
        return evaluate(args: args, messages: messages, conditionResolver: conditionResolver, trace: trace, positions: positions.pointer)
    }

    /// Evaluates against one chat (or, in the continuous-mail variant, one mail message): the same as
    /// `evaluate(args: ["chat": chat], …)`, without building that object for every chat of a scan.
    public mutating func evaluate(
        chat: JSONValue, messages: [ConditionMessage] = [], conditionResolver: ConditionResolver? = nil, trace: Bool = false
    ) -> ConditionOutcome {
        if !isKnownUniquelyReferenced(&positions) { positions = positions.copy() }
        let rootKind: NodeKind = variant == .continuousMail ? .argsWithMail : .argsWithChat
        return run(
            root: chat, rootIsChat: true, messages: messages, rootKind: rootKind, mail: nil, resolver: conditionResolver, tracing: trace,
            positions: positions.pointer)
    }

    func evaluate(
        args: JSONValue, messages: [ConditionMessage], conditionResolver: ConditionResolver?, trace: Bool, positions: UnsafeMutablePointer<Int>
    ) -> ConditionOutcome {
        if variant == .hook, case .object(let object) = args, case .object(let mail)? = object["mail"] {
            var root = args
            root["chat"] = .object(mail)
            return run(
                root: root, rootIsChat: false, messages: messages, rootKind: .argsWithMail, mail: mail, resolver: conditionResolver,
                tracing: trace, positions: positions)
        }
        let rootKind: NodeKind = variant == .continuousMail ? .argsWithMail : .argsWithChat
        return run(
            root: args, rootIsChat: false, messages: messages, rootKind: rootKind, mail: nil, resolver: conditionResolver, tracing: trace,
            positions: positions)
    }

    /// Spec §4.2: groups in order, clusters in order (stopping at the first false one), every condition of a cluster
    /// evaluated; the first satisfied group decides unless tracing. With `rootIsChat`, `root` is the value of the
    /// root's only member, `chat`.
    func run(
        root: JSONValue, rootIsChat: Bool, messages: [ConditionMessage], rootKind: NodeKind, mail: JSONObject?, resolver: ConditionResolver?,
        tracing: Bool,
        positions: UnsafeMutablePointer<Int>
    ) -> ConditionOutcome {
        let program = self.program
        let groupCount = program.groupStarts.count - 1
        // Spec §4.2 item 5: a hook webhook with an empty list passes; no groups otherwise never match.
        if groupCount == 0 {
            return ConditionOutcome(
                valid: variant == .hook && program.isEmptyList, raisedError: prefilterFaults.first?.message, trace: [])
        }
        let trie = program.trie
        return withUnsafeTemporaryAllocation(of: LeafSummary.self, capacity: max(trie.leafCount, 1)) { buffer in
            let leaves = buffer.baseAddress!
            leaves.initialize(repeating: .missing, count: trie.leafCount)
            if !rootIsChat {
                trie.extract(root, children: trie.rootChildren, into: leaves, positions: positions)
            } else if let chatNode = trie.rootChildren.first(where: { trie.names[$0] == "chat" }) {
                trie.extract(root, node: chatNode, into: leaves, positions: positions)
            }
            var state = EvaluationState(
                leaves: leaves, rootKind: rootKind, rootIsChat: rootIsChat, mail: mail, resolver: resolver, tracing: tracing,
                firstError: prefilterFaults.first?.message)
            var valid = false
            var traces: [GroupTrace] = []
            for group in 0..<groupCount {
                state.cursorID = 0
                var groupValid = true
                for cluster in program.groupStarts[group]..<program.groupStarts[group + 1] {
                    // Every condition of a cluster is evaluated: type 1 moves the cursor even after a true one.
                    var clusterValid = false
                    for member in program.clusterStarts[cluster]..<program.clusterStarts[cluster + 1]
                    where evaluate(program.members[member], root: root, messages: messages, state: &state) {
                        clusterValid = true
                    }
                    if !clusterValid {
                        groupValid = false
                        break
                    }
                }
                if tracing {
                    traces.append(GroupTrace(group: group, lines: state.lines, valid: groupValid))
                    state.lines = []
                }
                if groupValid {
                    valid = true
                    if !tracing { break }
                    // The reference stops here; errors in the groups traced after this one are never raised.
                    state.reachedByReference = false
                }
            }
            return ConditionOutcome(valid: valid, raisedError: state.firstError, trace: traces)
        }
    }

    func evaluate(_ index: Int, root: JSONValue, messages: [ConditionMessage], state: inout EvaluationState) -> Bool {
        if !prefilterFaults.isEmpty, let fault = prefilterFaults.first(where: { $0.entry == index }) {
            return state.failed(index, fault.message)
        }
        if !state.tracing, let result = shortcut(shortcuts[index], leaves: state.leaves) { return result }
        switch conditions[index] {
        case .inert:
            if state.tracing {
                let type = program.entries[index].raw["type"].flatMap(PHPText.scalarText).map(PHPCompare.jsonString) ?? "missing"
                state.record(index, "type => \(type) => INVALID", valid: false, error: nil)
            }
            return false
        case .message(let pattern):
            return messageContains(index, pattern, messages: messages, state: &state)
        case .compare(let comparison):
            return compare(index, comparison, root: root, state: &state)
        }
    }

    /// The comparison's result when both sides are integers the shortcut can read; nil sends it the general way.
    @inline(__always)
    func shortcut(_ shortcut: IntegerShortcut, leaves: UnsafeMutablePointer<LeafSummary>) -> Bool? {
        guard let op = shortcut.op, let a = integer(shortcut.left, leaves: leaves), let b = integer(shortcut.right, leaves: leaves) else {
            return nil
        }
        switch op {
        case .eq: return a == b
        case .neq: return a != b
        case .empty: return a == 0
        case .notempty: return a != 0
        default:
            // Spec §4.4 step 4: floats rounded to 3 decimals, which integers below 2^53 survive unchanged.
            guard a.magnitude < 1 << 53, b.magnitude < 1 << 53 else { return nil }
            switch op {
            case .lt: return a < b
            case .lte: return a <= b
            case .gt: return a > b
            default: return a >= b
            }
        }
    }

    @inline(__always)
    func integer(_ side: IntegerShortcut.Side, leaves: UnsafeMutablePointer<LeafSummary>) -> Int? {
        switch side {
        case .none: return nil
        case .int(let value): return value
        case .timed(let slot):
            if case .value(.int(let value)) = timed[slot] { return value }
            return nil
        case .leaf(let slot):
            switch leaves[slot] {
            case .missing: return 0
            case .number(let value): return value == Int.min ? nil : value
            case .other: return nil
            }
        }
    }

    // MARK: Type 1

    /// "Visitor message contains" (spec §4.3).
    func messageContains(_ index: Int, _ pattern: TextPattern, messages: [ConditionMessage], state: inout EvaluationState) -> Bool {
        let text: String?
        let found: Bool
        var timedOut = false
        if variant == .continuousMail {
            text = nil
            found = false
        } else if let mail = state.mail {
            let body = mail["body"].flatMap(PHPText.scalarText) ?? ""
            let alternative = mail["alt_body"].flatMap(PHPText.scalarText) ?? ""
            text = body
            let first = pattern.match(body, typos: 0)
            let second = first.found || first.timedOut ? first : pattern.match(alternative, typos: 0)
            found = second.found
            timedOut = second.timedOut
        } else if let message = state.nextMessage(messages) {
            text = message.text
            let match = message.userID == 0 ? pattern.match(message.text, typos: 0) : TextMatchResult(found: false, typosUsed: 0)
            found = match.found
            timedOut = match.timedOut
        } else {
            text = nil
            found = false
        }
        if timedOut { return state.failed(index, TextMatchResult.timeoutReason) }
        if state.tracing {
            let shown = text.map(PHPCompare.jsonString) ?? "null"
            state.record(
                index, "msg => \(shown) like \(PHPCompare.jsonString(pattern.source)) => \(found ? "VALID" : "INVALID")", valid: found, error: nil)
        }
        return found
    }

    // MARK: Type 3

    /// "Compare attribute" (spec §4.4, §4.6).
    func compare(_ index: Int, _ comparison: Comparison, root: JSONValue, state: inout EvaluationState) -> Bool {
        let left: PHPScalar
        let right: PHPScalar
        switch value(comparison.left, root: root, state: &state) {
        case .value(let value): left = value
        case .fault(let message): return state.failed(index, message)
        }
        switch value(comparison.right, root: root, state: &state) {
        case .value(let value): right = value
        case .fault(let message): return state.failed(index, message)
        }
        let result: Bool
        switch comparison.op {
        case .like?, .notlike?:
            let match = likeMatch(left, right, comparison)
            if match.timedOut { return state.failed(index, TextMatchResult.timeoutReason) }
            result = (comparison.op == .like) == match.found
        case let op?:
            result = apply(op, left, right, comparison)
        case nil:
            result = false
        }
        if state.tracing {
            state.record(
                index, "attr => \(left.jsonText) \(comparison.opText) \(right.jsonText) => \(result ? "VALID" : "INVALID")", valid: result,
                error: nil)
        }
        return result
    }

    func apply(_ op: ConditionOperator, _ left: PHPScalar, _ right: PHPScalar, _ comparison: Comparison) -> Bool {
        switch op {
        case .eq: return Self.looseEquals(left, right)
        case .neq: return !Self.looseEquals(left, right)
        case .lt, .lte, .gt, .gte:
            let order = Self.order(left, right)
            switch op {
            case .lt: return order == .less
            case .lte: return order == .less || order == .equal
            case .gt: return order == .greater
            default: return order == .greater || order == .equal
            }
        case .empty: return isEmpty(left)
        case .notempty: return !isEmpty(left)
        case .like: return like(left, right, comparison)
        case .notlike: return !like(left, right, comparison)
        case .contains:
            let needle = right.text
            return needle.isEmpty || Self.containsBytes(left.text, needle)
        case .inList, .inListLowercase, .notInList, .notInListLowercase:
            let items = comparison.constantItems ?? Comparison.listItems(right.text, lowercase: op.lowercases)
            let text = left.text
            let needle = PHPCompare.trim(op.lowercases ? PHPCompare.asciiLowercase(text) : text)
            let found = items.contains { PHPCompare.looseEquals(needle, $0) }
            return op == .inList || op == .inListLowercase ? found : !found
        }
    }

    enum Order { case less, equal, greater, unordered }

    /// `round((float)$l, 3)` against `round((float)$r, 3)` (spec §4.4 step 4). Integers below 2^53 are exact as
    /// floats and unchanged by rounding, so they compare directly.
    static func order(_ left: PHPScalar, _ right: PHPScalar) -> Order {
        if case .int(let a) = left, case .int(let b) = right, a.magnitude < 1 << 53, b.magnitude < 1 << 53 {
            return a < b ? .less : a == b ? .equal : .greater
        }
        let a = PHPCompare.round(left.floatValue, places: 3)
        let b = PHPCompare.round(right.floatValue, places: 3)
        return a < b ? .less : a == b ? .equal : a > b ? .greater : .unordered
    }

    /// PHP `empty()` on the side's text: `""` or `"0"`; the hook copy trims first (spec §4.8).
    func isEmpty(_ value: PHPScalar) -> Bool {
        if case .int(let integer) = value { return integer == 0 }
        let text = flavor == .hook ? PHPCompare.trim(value.text) : value.text
        return text.isEmpty || text == "0"
    }

    func like(_ left: PHPScalar, _ right: PHPScalar, _ comparison: Comparison) -> Bool {
        likeMatch(left, right, comparison).found
    }

    func likeMatch(_ left: PHPScalar, _ right: PHPScalar, _ comparison: Comparison) -> TextMatchResult {
        let pattern = comparison.constantPattern ?? TextPattern(right.text, compatibility: program.compatibility)
        if pattern.source.isEmpty { return TextMatchResult(found: false, typosUsed: 0) }
        return pattern.match(left.text, typos: 0)
    }

    /// `$a == $b` after both sides became strings (spec §4.4 step 4, §4.7), without building text for ints.
    static func looseEquals(_ left: PHPScalar, _ right: PHPScalar) -> Bool {
        switch (left, right) {
        case (.int(let a), .int(let b)): return a == b
        case (.int(let a), .string(let text)), (.string(let text), .int(let a)): return PHPCompare.looseEquals(a, text)
        default: return PHPCompare.looseEquals(left.text, right.text)
        }
    }

    /// `strpos($haystack, $needle) !== false`, byte-wise (Swift's `contains` would compare grapheme clusters).
    static func containsBytes(_ haystack: String, _ needle: String) -> Bool {
        let haystack = haystack.utf8
        let needle = needle.utf8
        guard let first = needle.first else { return true }
        var start = haystack.startIndex
        while let found = haystack[start...].firstIndex(of: first) {
            if haystack[found...].starts(with: needle) { return true }
            start = haystack.index(after: found)
        }
        return false
    }

    // MARK: Sides

    func value(_ side: CompiledSide, root: JSONValue, state: inout EvaluationState) -> SideValue {
        switch side {
        case .constant(let value): return value
        case .timed(let slot): return timed[slot]
        case .dynamic(let side): return dynamicValue(side, root: root, state: &state)
        }
    }

    /// A side with placeholders. When every placeholder is a non-negative integer (or, for a whole-side placeholder,
    /// any integer), the precompiled arithmetic runs on the numbers; anything else takes the reference's text route.
    func dynamicValue(_ side: DynamicSide, root: JSONValue, state: inout EvaluationState) -> SideValue {
        let slots = side.slots
        if slots.isEmpty { return textValue(side, root: root, state: &state) }
        if side.isSingle {
            let number: Int
            switch slots[0] >= 0 ? state.leaves[slots[0]] : .other {
            case .missing: number = 0
            case .number(let value): number = value
            case .other: return textValue(side, root: root, state: &state)
            }
            if side.textOperator { return .value(.string(String(number))) }
            // "-5" evaluates to -5; only PHP_INT_MIN's digits overflow into a float.
            return number == Int.min ? textValue(side, root: root, state: &state) : .value(.int(number))
        }
        if let expression = side.expression, now >= 0 {
            let now = self.now
            let count = slots.count
            let leaves = state.leaves
            var usable = true
            for slot in slots {
                switch slot >= 0 ? leaves[slot] : .other {
                case .missing: continue
                case .number(let value) where value >= 0: continue
                default: usable = false
                }
                if !usable { break }
            }
            if usable {
                let result = expression.evaluateNumber { leaf in
                    guard leaf < count else { return now }
                    if case .number(let value) = leaves[slots[leaf]] { return value }
                    return 0
                }
                if let result { return .value(result.scalar) }
            }
        }
        return textValue(side, root: root, state: &state)
    }

    /// The reference's route: `str_replace` each placeholder's text form, `{time}`, then the pipeline.
    func textValue(_ side: DynamicSide, root: JSONValue, state: inout EvaluationState) -> SideValue {
        var texts: [String] = []
        texts.reserveCapacity(side.placeholderCount)
        switch side.source {
        case .args(let paths, _):
            let root = state.rootIsChat ? JSONValue.object(JSONObject([("chat", root)])) : root
            for path in paths {
                switch path.resolve(in: root, rootKind: state.rootKind) {
                case .notFound:
                    texts.append("0")
                case .found(let value, let kind):
                    guard let text = PHPText.text(of: value, kind: kind) else {
                        return .fault("TypeError: str_replace(): {args.\(path.source)} is \(Self.describe(value, kind)), which has no text form")
                    }
                    texts.append(text)
                }
            }
        case .condition(let identifiers):
            for identifier in identifiers { texts.append(state.resolver?(identifier) == true ? "valid" : "not_valid") }
        }
        var text: String
        if side.isSingle {
            text = texts[0]
        } else if side.sequential || texts.contains(where: { $0.utf8.contains(UInt8(ascii: "{")) }) {
            // Replay `str_replace` in match order: a value may contain a later placeholder's text.
            var bytes = side.bytes
            for (offset, match) in side.matchTexts.enumerated() {
                bytes = PlaceholderScanner.replaceAll(match, with: Array(texts[offset].utf8), in: bytes)
            }
            text = String(decoding: bytes, as: UTF8.self)
        } else {
            var bytes: [UInt8] = []
            for piece in side.pieces {
                switch piece {
                case .literal(let literal): bytes.append(contentsOf: literal)
                case .placeholder(let offset): bytes.append(contentsOf: texts[offset].utf8)
                }
            }
            text = String(decoding: bytes, as: UTF8.self)
        }
        text = SidePipeline.replacingTime(text, now: now)
        return SidePipeline.finish(text, textOperator: side.textOperator, flavor: flavor)
    }

    static func describe(_ value: JSONValue, _ kind: NodeKind) -> String {
        switch (value, kind) {
        case (.array, _): return "a list"
        case (.object, .plain), (.object, .argsWithChat), (.object, .argsWithMail): return "a map"
        case (.object, let kind): return "a \(kind) object"
        default: return "a value"
        }
    }
}

/// The mutable part of one evaluation: the leaves read from the arguments, the type-1 cursor, the first error and
/// the trace.
struct EvaluationState {
    let leaves: UnsafeMutablePointer<LeafSummary>
    let rootKind: NodeKind
    /// Whether the evaluation's root value is the chat itself rather than `{"chat": chat}`.
    let rootIsChat: Bool
    /// The hook event's mail message, when there is one.
    let mail: JSONObject?
    let resolver: ConditionResolver?
    let tracing: Bool
    var firstError: String?
    /// Whether the reference would evaluate the current condition (false in traced groups after a satisfied one).
    var reachedByReference = true
    var lines: [ConditionTraceLine] = []
    /// The type-1 cursor (spec §4.3): the id of the last message read, 0 before the first.
    var cursorID = 0

    init(
        leaves: UnsafeMutablePointer<LeafSummary>, rootKind: NodeKind, rootIsChat: Bool, mail: JSONObject?, resolver: ConditionResolver?,
        tracing: Bool, firstError: String?
    ) {
        self.leaves = leaves
        self.rootKind = rootKind
        self.rootIsChat = rootIsChat
        self.mail = mail
        self.resolver = resolver
        self.tracing = tracing
        self.firstError = firstError
    }

    /// The newest non-system message older than the cursor: the reference's `ORDER BY id DESC LIMIT 1` with
    /// `user_id != -1` and, once the cursor holds a positive id, `id < cursor`. The list's order is not trusted.
    mutating func nextMessage(_ messages: [ConditionMessage]) -> ConditionMessage? {
        var best = -1
        var bestID = Int.min
        for position in messages.indices {
            let id = messages[position].id
            if messages[position].userID == -1 || (cursorID > 0 && id >= cursorID) || id < bestID { continue }
            best = position
            bestID = id
        }
        guard best >= 0 else { return nil }
        cursorID = bestID
        return messages[best]
    }

    /// A condition the reference would have aborted on (spec §4.4 step 3 and §4.5: the event or cron run stops):
    /// false here, with the first such error kept (DESIGN §5 deviation 1).
    mutating func failed(_ index: Int, _ message: String) -> Bool {
        if firstError == nil && reachedByReference { firstError = message }
        if tracing { record(index, "attr => error: \(message) => INVALID", valid: false, error: message) }
        return false
    }

    mutating func record(_ index: Int, _ text: String, valid: Bool, error: String?) {
        lines.append(ConditionTraceLine(index: index, text: text, valid: valid, error: error))
    }
}

/// The pass's key-position memory: a buffer with copy-on-write value semantics, so that a copied pass never shares
/// it with another thread (`evaluate` copies it first unless it is the only owner).
final class PositionCache: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: count)
    }

    func copy() -> PositionCache {
        let copy = PositionCache(count: count)
        copy.pointer.update(from: pointer, count: count)
        return copy
    }

    deinit { pointer.deallocate() }
}
