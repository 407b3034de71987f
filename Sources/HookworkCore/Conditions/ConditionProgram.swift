/// The compiled form of a condition list: grouping resolved, each condition prepared for both pipeline flavours.
final class ConditionProgram: Sendable {
    /// Every configuration item, in order.
    let entries: [ConditionEntry]
    /// Main groups, each a list of OR clusters, each a list of entry indices (spec §4.2).
    let groups: [[[Int]]]
    /// `groups` flattened for evaluation: entry indices cluster after cluster, where cluster `c` spans
    /// `members[clusterStarts[c]..<clusterStarts[c + 1]]` and group `g` spans clusters
    /// `groupStarts[g]..<groupStarts[g + 1]`.
    let members: [Int]
    let clusterStarts: [Int]
    let groupStarts: [Int]
    /// The plain `{args.…}` paths of every side, read in one walk per evaluation.
    let trie: PathTrie
    /// Whether the configuration list itself is empty (a hook webhook then always passes).
    let isEmptyList: Bool
    /// The compiled conditions, `[flavor.rawValue][entry index]`.
    let compiled: [[CompiledCondition]]
    /// Integer-only shortcuts for the same conditions, `[flavor.rawValue][entry index]`.
    let shortcuts: [[IntegerShortcut]]
    /// Sides that depend on `{time}` alone, `[flavor.rawValue][slot]`; a pass folds them once.
    let timedSides: [[TimedSide]]
    /// The continuous-mail SQL prefilter's uncaught arithmetic (spec §6.2, conformance README).
    let prefilter: MailPrefilter
    /// How text patterns are read.
    let compatibility: TextPatternCompatibility

    init(items: [JSONValue], compatibility: TextPatternCompatibility) {
        self.compatibility = compatibility
        let entries = items.enumerated().map { ConditionEntry(index: $0.offset, raw: $0.element) }
        self.entries = entries
        isEmptyList = items.isEmpty
        let groups = Self.group(entries)
        self.groups = groups
        var members: [Int] = []
        var clusterStarts: [Int] = []
        var groupStarts: [Int] = []
        for group in groups {
            groupStarts.append(clusterStarts.count)
            for cluster in group {
                clusterStarts.append(members.count)
                members.append(contentsOf: cluster)
            }
        }
        groupStarts.append(clusterStarts.count)
        clusterStarts.append(members.count)
        self.members = members
        self.clusterStarts = clusterStarts
        self.groupStarts = groupStarts
        var paths: [String] = []
        for entry in entries where entry.kind == .compare {
            for key in ["attr", "value"] {
                guard let text = entry.text(key) else { continue }
                let bytes = Array(text.utf8)
                for match in PlaceholderScanner.argsMatches(in: bytes) {
                    paths.append(String(decoding: bytes[match.pathRange], as: UTF8.self))
                }
            }
        }
        let trie = PathTrie(paths: paths)
        self.trie = trie
        var compiled: [[CompiledCondition]] = []
        var timedSides: [[TimedSide]] = []
        for flavor in [ConditionFlavor.hook, .continuous] {
            var compiler = SideCompiler(flavor: flavor, compatibility: compatibility, trie: trie)
            compiled.append(entries.map { compiler.compile($0) })
            timedSides.append(compiler.timed)
        }
        self.compiled = compiled
        shortcuts = compiled.map { $0.map(IntegerShortcut.init) }
        self.timedSides = timedSides
        prefilter = MailPrefilter(entries: entries, groups: groups)
    }

    /// Spec §4.2: split at "Start of OR" items, drop empty groups, then cut each group into OR clusters. The open
    /// cluster is closed at the end of its group: the reference's leaked buffer is not reproduced (DESIGN §5
    /// deviation 2, spec §4.2 item 6).
    static func group(_ entries: [ConditionEntry]) -> [[[Int]]] {
        var mainGroups: [[Int]] = []
        var current: [Int] = []
        for entry in entries {
            if entry.kind == .separator {
                if !current.isEmpty { mainGroups.append(current) }
                current = []
            } else {
                current.append(entry.index)
            }
        }
        if !current.isEmpty { mainGroups.append(current) }
        return mainGroups.map { members in
            var clusters: [[Int]] = []
            var cluster: [Int] = []
            for index in members {
                cluster.append(index)
                if !entries[index].joinsWithOr {
                    clusters.append(cluster)
                    cluster = []
                }
            }
            if !cluster.isEmpty { clusters.append(cluster) }
            return clusters
        }
    }
}

/// One configuration item as read: its kind (by PHP-loose `type`), its `logic`, and the raw JSON.
struct ConditionEntry: Sendable {
    enum Kind: Sendable, Equatable {
        /// `type == '4'`: "Start of OR".
        case separator
        /// `type == '1'`: "Visitor message contains".
        case message
        /// `type == '3'`: "Compare attribute".
        case compare
        /// No usable type: always false.
        case inert
    }

    let index: Int
    let kind: Kind
    /// `logic == 'or'` (PHP-loose, so case-sensitive): this condition joins the next one in an OR cluster.
    let joinsWithOr: Bool
    let raw: JSONValue

    init(index: Int, raw: JSONValue) {
        self.index = index
        self.raw = raw
        let type = raw["type"] ?? .null
        // The reference checks `type == '4'` while grouping, then `== '1'` and `== '3'` while evaluating.
        if PHPLoose.equals(type, "4") {
            kind = .separator
        } else if PHPLoose.equals(type, "1") {
            kind = .message
        } else if PHPLoose.equals(type, "3") {
            kind = .compare
        } else {
            kind = .inert
        }
        joinsWithOr = raw["logic"].map { PHPLoose.equals($0, "or") } ?? false
    }

    /// A member as PHP's string functions see it: missing or null is `""`, scalars their text; lists and maps
    /// have none (`strpos()` raises a TypeError on them).
    func text(_ key: String) -> String? {
        guard let value = raw[key] else { return "" }
        return PHPText.scalarText(value)
    }
}

/// A condition ready to evaluate.
enum CompiledCondition: Sendable {
    /// Never true (no usable type, or a separator).
    case inert
    /// "Visitor message contains" with its compiled pattern.
    case message(TextPattern)
    /// "Compare attribute".
    case compare(Comparison)
}

/// A compiled "Compare attribute" condition.
final class Comparison: Sendable {
    /// The operator; nil when `condition` is missing or unknown, which never matches (the pipeline still runs).
    let op: ConditionOperator?
    /// The `condition` text as written, for the trace.
    let opText: String
    let left: CompiledSide
    let right: CompiledSide
    /// For a constant right side of a list operator: its items, trimmed and split (and lower-cased).
    let constantItems: [String]?
    /// For a constant right side of `like`/`notlike`: the compiled pattern.
    let constantPattern: TextPattern?

    init(op: ConditionOperator?, opText: String, left: CompiledSide, right: CompiledSide, compatibility: TextPatternCompatibility) {
        self.op = op
        self.opText = opText
        self.left = left
        self.right = right
        if case .constant(.value(let value)) = right, let op {
            constantItems = op.isList ? Comparison.listItems(value.text, lowercase: op.lowercases) : nil
            constantPattern = op == .like || op == .notlike ? TextPattern(value.text, compatibility: compatibility) : nil
        } else {
            constantItems = nil
            constantPattern = nil
        }
    }

    /// `explode('||', trim($value))` on bytes, lower-cased first for the `_lowercase` operators.
    static func listItems(_ text: String, lowercase: Bool) -> [String] {
        let bytes = Array(PHPCompare.trim(lowercase ? PHPCompare.asciiLowercase(text) : text).utf8)
        var items: [String] = []
        var start = 0
        var position = 0
        while position + 1 < bytes.count {
            if bytes[position] == UInt8(ascii: "|") && bytes[position + 1] == UInt8(ascii: "|") {
                items.append(String(decoding: bytes[start..<position], as: UTF8.self))
                position += 2
                start = position
            } else {
                position += 1
            }
        }
        items.append(String(decoding: bytes[start...], as: UTF8.self))
        return items
    }
}

/// One side of a comparison.
enum CompiledSide: Sendable {
    /// No placeholder and no `{time}`: the pipeline already ran.
    case constant(SideValue)
    /// `{time}` but no placeholder: folded once per pass, at this slot.
    case timed(Int)
    /// `{args.…}` or `{condition.…}` placeholders.
    case dynamic(DynamicSide)
}

/// A side after the pipeline: a PHP scalar, or the error the reference raised.
enum SideValue: Sendable {
    case value(PHPScalar)
    case fault(String)
}

/// A side with `{time}` but no placeholder.
struct TimedSide: Sendable {
    let text: String
    let textOperator: Bool
    /// The side's arithmetic with `{time}` as leaf 0, when `{time}`'s digits cannot change how it lexes.
    let expression: ArithmeticExpression?
}

/// A side with placeholders, split once into literal bytes and placeholders.
final class DynamicSide: Sendable {
    enum Piece: Sendable {
        case literal([UInt8])
        case placeholder(Int)
    }

    enum Source: Sendable {
        /// `{args.PATH}` placeholders, resolved with the dot-path resolver; `slots` are their `PathTrie` leaf slots
        /// (-1 for a path the trie does not cover).
        case args([DotPath], slots: [Int])
        /// `{condition.IDENT}` placeholders, answered by the condition resolver.
        case condition([String])
    }

    /// The side as written.
    let bytes: [UInt8]
    let pieces: [Piece]
    let source: Source
    /// Each placeholder's exact text, for the reference's sequential `str_replace`.
    let matchTexts: [[UInt8]]
    /// Whether positional substitution could differ from sequential `str_replace` (one placeholder's text occurs
    /// inside or next to another's); then substitution always replays the reference's order.
    let sequential: Bool
    let textOperator: Bool
    /// The arithmetic with placeholder `n` as leaf `n` and `{time}` as leaf `placeholderCount`, used when every
    /// placeholder turns out to be a non-negative integer (whose digits then lex as one number). Nil for a single
    /// placeholder, which needs no arithmetic template.
    let expression: ArithmeticExpression?
    /// The `PathTrie` leaf slot of each `{args.…}` placeholder (-1 when the trie does not cover it); empty for
    /// `{condition.…}` sides.
    let slots: [Int]
    /// The number of placeholders.
    let placeholderCount: Int
    /// Whether the whole side is one placeholder.
    let isSingle: Bool

    init(bytes: [UInt8], pieces: [Piece], source: Source, matchTexts: [[UInt8]], textOperator: Bool, flavor: ConditionFlavor) {
        self.bytes = bytes
        self.pieces = pieces
        self.source = source
        self.matchTexts = matchTexts
        self.textOperator = textOperator
        placeholderCount = matchTexts.count
        isSingle = pieces.count == 1
        if case .args(_, let slots) = source { self.slots = slots } else { slots = [] }
        // Sequential replacement differs from positional only when a placeholder's text occurs elsewhere in the side
        // than at its own matches (inside a nested placeholder that is replaced later).
        var sequential = false
        for (offset, text) in matchTexts.enumerated() {
            var occurrences = 0
            var from = 0
            while let found = PlaceholderScanner.firstIndex(of: text, in: bytes, from: from) {
                occurrences += 1
                from = found + 1
            }
            let own = matchTexts.filter { $0 == text }.count
            if occurrences != own || matchTexts[..<offset].contains(where: { $0 != text && PlaceholderScanner.contains($0, text) }) {
                sequential = true
            }
        }
        self.sequential = sequential
        if !textOperator, !sequential, case .args = source, !isSingle {
            expression = DynamicSide.template(pieces, placeholderCount: matchTexts.count, flavor: flavor)
        } else {
            expression = nil
        }
    }

    /// The side as arithmetic symbols (spec §4.4 steps 2-3 on the template): `{time}` and placeholders become leaves,
    /// whitespace goes, and every other byte must be one the filter keeps. Nil when that is not arithmetic.
    static func template(_ pieces: [Piece], placeholderCount: Int, flavor: ConditionFlavor) -> ArithmeticExpression? {
        guard placeholderCount < 0x7F else { return nil }
        let timeLeaf = UInt8(0x80 + placeholderCount)
        var symbols: [UInt8] = []
        for piece in pieces {
            switch piece {
            case .placeholder(let index):
                symbols.append(UInt8(0x80 + index))
            case .literal(let bytes):
                var replaced = bytes
                if PlaceholderScanner.contains(bytes, PlaceholderScanner.timeToken) {
                    replaced = PlaceholderScanner.replaceAll(PlaceholderScanner.timeToken, with: [timeLeaf], in: bytes)
                }
                for byte in replaced where !SidePipeline.isWhitespace(byte) {
                    guard byte >= 0x80 || SidePipeline.isArithmetic(byte, keepsPercent: flavor.keepsPercent) else { return nil }
                    symbols.append(byte)
                }
            }
        }
        return try? ArithmeticExpression(symbols: symbols)
    }
}

/// Compiles entries for one flavour, collecting the `{time}`-only sides.
struct SideCompiler {
    let flavor: ConditionFlavor
    let compatibility: TextPatternCompatibility
    let trie: PathTrie
    var timed: [TimedSide] = []

    init(flavor: ConditionFlavor, compatibility: TextPatternCompatibility, trie: PathTrie) {
        self.flavor = flavor
        self.compatibility = compatibility
        self.trie = trie
    }

    mutating func compile(_ entry: ConditionEntry) -> CompiledCondition {
        switch entry.kind {
        case .separator, .inert:
            return .inert
        case .message:
            return .message(TextPattern(entry.text("message_contains") ?? "", compatibility: compatibility))
        case .compare:
            let opText = entry.raw["condition"].flatMap(PHPText.scalarText) ?? ""
            // `condition` is compared with `==` against each name; for strings that is exact equality.
            let op: ConditionOperator? = entry.raw["condition"]?.stringValue.flatMap(ConditionOperator.init(rawValue:))
            let textOperator = op?.isTextOperator(flavor) ?? false
            let left = side(entry.text("attr"), key: "attr", textOperator: textOperator)
            let right = side(entry.text("value"), key: "value", textOperator: textOperator)
            return .compare(Comparison(op: op, opText: opText, left: left, right: right, compatibility: compatibility))
        }
    }

    mutating func side(_ text: String?, key: String, textOperator: Bool) -> CompiledSide {
        guard let text else {
            return .constant(.fault("TypeError: strpos(): Argument #1 ($haystack) must be of type string, array given (`\(key)`)"))
        }
        let bytes = Array(text.utf8)
        if PlaceholderScanner.contains(bytes, PlaceholderScanner.argsPrefix) {
            let matches = PlaceholderScanner.argsMatches(in: bytes)
            if !matches.isEmpty {
                var pieces: [DynamicSide.Piece] = []
                var paths: [DotPath] = []
                var slots: [Int] = []
                var texts: [[UInt8]] = []
                var cursor = 0
                for match in matches {
                    if match.range.lowerBound > cursor { pieces.append(.literal(Array(bytes[cursor..<match.range.lowerBound]))) }
                    pieces.append(.placeholder(paths.count))
                    let path = String(decoding: bytes[match.pathRange], as: UTF8.self)
                    paths.append(DotPath(path))
                    slots.append(trie.slotByPath[path] ?? -1)
                    texts.append(Array(bytes[match.range]))
                    cursor = match.range.upperBound
                }
                if cursor < bytes.count { pieces.append(.literal(Array(bytes[cursor...]))) }
                return .dynamic(
                    DynamicSide(
                        bytes: bytes, pieces: pieces, source: .args(paths, slots: slots), matchTexts: texts, textOperator: textOperator,
                        flavor: flavor))
            }
            // `{args.` with no complete placeholder: the `{condition.` branch is skipped, the text stays literal.
        } else if PlaceholderScanner.contains(bytes, PlaceholderScanner.conditionPrefix) {
            let matches = PlaceholderScanner.conditionMatches(in: bytes)
            if !matches.isEmpty {
                var pieces: [DynamicSide.Piece] = []
                var texts: [[UInt8]] = []
                var cursor = 0
                for match in matches {
                    if match.range.lowerBound > cursor { pieces.append(.literal(Array(bytes[cursor..<match.range.lowerBound]))) }
                    pieces.append(.placeholder(texts.count))
                    texts.append(Array(bytes[match.range]))
                    cursor = match.range.upperBound
                }
                if cursor < bytes.count { pieces.append(.literal(Array(bytes[cursor...]))) }
                return .dynamic(
                    DynamicSide(
                        bytes: bytes, pieces: pieces, source: .condition(matches.map(\.identifier)), matchTexts: texts,
                        textOperator: textOperator, flavor: flavor))
            }
        }
        if PlaceholderScanner.contains(bytes, PlaceholderScanner.timeToken) {
            var expression: ArithmeticExpression?
            if !textOperator {
                expression = DynamicSide.template([.literal(bytes)], placeholderCount: 0, flavor: flavor)
            }
            timed.append(TimedSide(text: text, textOperator: textOperator, expression: expression))
            return .timed(timed.count - 1)
        }
        return .constant(SidePipeline.finish(text, textOperator: textOperator, flavor: flavor))
    }
}

/// A trivially copyable view of a comparison whose sides may both turn out to be integers, checked before the
/// general route: for ints, `eq`, `<` and `empty` need neither text nor reference counting.
struct IntegerShortcut: Sendable {
    /// Where an integer side comes from.
    enum Side: Sendable {
        /// Not an integer source: no shortcut.
        case none
        /// A constant integer.
        case int(Int)
        /// A `{time}`-only side, by its pass slot.
        case timed(Int)
        /// A whole-side placeholder, by its `PathTrie` leaf slot.
        case leaf(Int)
    }

    /// The operator, when it has an integer shortcut.
    let op: ConditionOperator?
    let left: Side
    let right: Side

    init(_ condition: CompiledCondition) {
        guard case .compare(let comparison) = condition, let op = comparison.op else {
            self.op = nil
            left = .none
            right = .none
            return
        }
        switch op {
        case .eq, .neq, .lt, .lte, .gt, .gte, .empty, .notempty: self.op = op
        default: self.op = nil
        }
        left = Self.side(comparison.left)
        right = Self.side(comparison.right)
    }

    static func side(_ side: CompiledSide) -> Side {
        switch side {
        case .constant(.value(.int(let value))): return .int(value)
        case .constant: return .none
        case .timed(let slot): return .timed(slot)
        case .dynamic(let side):
            guard side.isSingle, !side.textOperator, case .args(_, let slots) = side.source, slots[0] >= 0 else { return .none }
            return .leaf(slots[0])
        }
    }
}
