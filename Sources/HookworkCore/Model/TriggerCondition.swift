/// An action's `content.trigger_condition` (spec §8.1): an expression over condition identifiers with `&&`, `||`,
/// parentheses and a leading `-` that negates, e.g. `is_vip && (-has_email || night)`. Parsed once, when the trigger is loaded; `&&`
/// binds tighter than `||`. Identifiers are answered by the caller; the reference counts unknown ones as false.
public struct TriggerCondition: Sendable, Equatable {
    public indirect enum Node: Sendable, Equatable {
        case identifier(String)
        case not(Node)
        case and(Node, Node)
        case or(Node, Node)
    }

    /// Why an expression does not parse: the reason and the character offset.
    public struct ParseError: Error, Sendable, Equatable {
        /// What is wrong.
        public var reason: String
        /// Where, in characters.
        public var offset: Int
    }

    /// The expression tree.
    public let root: Node

    /// The longest expression, in characters.
    public static let maxLength = 4_096
    /// The most identifiers an expression may name (each `&&`/`||` adds a level to the tree).
    public static let maxTerms = 64
    /// The deepest nesting of parentheses and `-`. With `maxTerms`, this bounds the tree's depth, so the recursive
    /// parse, evaluation and release stay well inside any thread's stack.
    public static let maxNesting = 32

    /// Parses `text`; an empty expression is refused (an empty `trigger_condition` means "no condition" and is not parsed).
    public init(_ text: String) throws(ParseError) {
        guard text.count <= Self.maxLength else {
            throw ParseError(reason: "the expression is longer than \(Self.maxLength) characters", offset: Self.maxLength)
        }
        var parser = Parser(characters: Array(text))
        root = try parser.expression()
        parser.skipSpaces()
        if parser.position < parser.characters.count {
            throw ParseError(reason: "unexpected '\(parser.characters[parser.position])'", offset: parser.position)
        }
    }

    /// Every identifier the expression names, in order of appearance.
    public var identifiers: [String] {
        func collect(_ node: Node, into names: inout [String]) {
            switch node {
            case .identifier(let name): if !names.contains(name) { names.append(name) }
            case .not(let inner): collect(inner, into: &names)
            case .and(let left, let right), .or(let left, let right):
                collect(left, into: &names)
                collect(right, into: &names)
            }
        }
        var names: [String] = []
        collect(root, into: &names)
        return names
    }

    /// Whether the expression holds when `value` answers each identifier.
    public func holds(_ value: (String) -> Bool) -> Bool {
        func evaluate(_ node: Node) -> Bool {
            switch node {
            case .identifier(let name): return value(name)
            case .not(let inner): return !evaluate(inner)
            case .and(let left, let right): return evaluate(left) && evaluate(right)
            case .or(let left, let right): return evaluate(left) || evaluate(right)
            }
        }
        return evaluate(root)
    }

    private struct Parser {
        let characters: [Character]
        var position = 0
        var nesting = 0
        var terms = 0

        mutating func enter() throws(ParseError) {
            nesting += 1
            guard nesting <= TriggerCondition.maxNesting else {
                throw ParseError(reason: "parentheses and '-' nest deeper than \(TriggerCondition.maxNesting) levels", offset: position)
            }
        }

        mutating func skipSpaces() {
            while position < characters.count, characters[position].isWhitespace { position += 1 }
        }

        mutating func take(_ token: String) -> Bool {
            skipSpaces()
            let wanted = Array(token)
            guard position + wanted.count <= characters.count, Array(characters[position..<position + wanted.count]) == wanted else { return false }
            position += wanted.count
            return true
        }

        mutating func expression() throws(ParseError) -> Node {
            var node = try conjunction()
            while take("||") { node = .or(node, try conjunction()) }
            return node
        }

        mutating func conjunction() throws(ParseError) -> Node {
            var node = try unary()
            while take("&&") { node = .and(node, try unary()) }
            return node
        }

        mutating func unary() throws(ParseError) -> Node {
            if take("-") {
                try enter()
                defer { nesting -= 1 }
                return .not(try unary())
            }
            if take("(") {
                try enter()
                defer { nesting -= 1 }
                let node = try expression()
                guard take(")") else { throw ParseError(reason: "a '(' is not closed", offset: position) }
                return node
            }
            skipSpaces()
            let start = position
            while position < characters.count {
                let character = characters[position]
                if character.isWhitespace || "&|()".contains(character) { break }
                position += 1
            }
            guard position > start else {
                let found = position < characters.count ? "'\(characters[position])'" : "the end"
                throw ParseError(reason: "expected a condition identifier, found \(found)", offset: position)
            }
            terms += 1
            guard terms <= TriggerCondition.maxTerms else {
                throw ParseError(reason: "the expression names more than \(TriggerCondition.maxTerms) conditions", offset: start)
            }
            return .identifier(String(characters[start..<position]))
        }
    }
}

/// The named conditions a trigger defines (`conditions`: identifier to a condition list in the webhook format, spec §4),
/// which `trigger_condition` expressions name. The reference names its bot "Condition" objects here; Hookwork keeps
/// them with the trigger.
public struct TriggerConditions: Sendable {
    let lists: [String: ConditionList]

    /// The trigger's named conditions; a list that does not compile is left out (saving refuses it).
    public init(trigger: JSONValue) {
        var lists: [String: ConditionList] = [:]
        for (name, value) in trigger["conditions"]?.objectValue ?? JSONObject() {
            if let list = try? ConditionList(configuration: value) { lists[name] = list }
        }
        self.lists = lists
    }

    /// Whether the condition `name` holds for `args` at `now`; an unknown identifier is false (spec §8.1).
    public func holds(_ name: String, args: JSONValue, now: Int) -> Bool {
        guard let list = lists[name] else { return false }
        return list.evaluate(ConditionInput(args: args, now: now), variant: .hook).valid
    }
}
