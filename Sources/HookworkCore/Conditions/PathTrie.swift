/// The list's plain `{args.a.b.c}` paths as a trie, so that one evaluation walks each JSON object once and reads
/// every leaf the list needs into a stack buffer, instead of re-walking from the root for each placeholder.
///
/// A path qualifies when each segment is a member name that `DotPath` would look up as a key and nothing else: not
/// empty, not an integer (list index), no `[…]` filter, `^` suffix or `___` suffix. For such paths the resolver's
/// rules come down to "member of an object, `null` is not found", on model objects and plain maps alike.
struct PathTrie: Sendable {
    /// Segment names, by node.
    let names: [String]
    /// The leaf slot of each node, or -1 when no placeholder ends there.
    let slots: [Int]
    /// Each node's children, as a range of node indices (children are stored contiguously).
    let children: [Range<Int>]
    /// The root's children.
    let rootChildren: Range<Int>
    /// The number of leaf slots.
    let leafCount: Int
    /// The slot of each qualifying path text.
    let slotByPath: [String: Int]

    init(paths: [String]) {
        // Build a pointer-free tree first, then lay it out breadth-first so siblings are contiguous.
        final class Builder {
            var name: String
            var slot = -1
            var children: [Builder] = []
            init(name: String) { self.name = name }
            func child(_ name: String) -> Builder {
                if let existing = children.first(where: { $0.name == name }) { return existing }
                let created = Builder(name: name)
                children.append(created)
                return created
            }
        }
        let root = Builder(name: "")
        var slotByPath: [String: Int] = [:]
        for path in paths where slotByPath[path] == nil {
            guard let segments = Self.segments(path) else { continue }
            var node = root
            for segment in segments { node = node.child(segment) }
            if node.slot < 0 { node.slot = slotByPath.count }
            slotByPath[path] = node.slot
        }
        var names: [String] = []
        var slots: [Int] = []
        var children: [Range<Int>] = []
        var queue: [Builder] = root.children
        var queueStart = 0
        var rootChildren = 0..<root.children.count
        var nextFree = root.children.count
        while queueStart < queue.count {
            let node = queue[queueStart]
            queueStart += 1
            names.append(node.name)
            slots.append(node.slot)
            children.append(nextFree..<(nextFree + node.children.count))
            nextFree += node.children.count
            queue.append(contentsOf: node.children)
        }
        if names.isEmpty { rootChildren = 0..<0 }
        self.names = names
        self.slots = slots
        self.children = children
        self.rootChildren = rootChildren
        leafCount = slotByPath.count
        self.slotByPath = slotByPath
    }

    /// The member names of a qualifying path, or nil.
    static func segments(_ path: String) -> [String]? {
        guard !path.isEmpty, !path.contains("^"), !path.contains("___") else { return nil }
        // The trie is built and read recursively, one level a segment: longer paths take the plain resolver.
        let segments = path.split(separator: ".", maxSplits: DotPath.maxSegments, omittingEmptySubsequences: false).map(String.init)
        guard segments.count <= DotPath.maxSegments else { return nil }
        for segment in segments {
            guard !segment.isEmpty, !segment.hasPrefix("["), !segment.contains("]"), !isCanonicalInteger(segment) else {
                return nil
            }
        }
        return segments
    }

    /// Reads the leaves under one node, given that node's value (the root's `chat` member when the caller passes the
    /// chat alone).
    func extract(
        _ value: JSONValue, node: Int, into leaves: UnsafeMutablePointer<LeafSummary>, positions: UnsafeMutablePointer<Int>
    ) {
        if value.isNull { return }
        let slot = slots[node]
        if slot >= 0 { leaves[slot] = LeafSummary(value) }
        let grandchildren = children[node]
        if !grandchildren.isEmpty { extract(value, children: grandchildren, into: leaves, positions: positions) }
    }

    /// Whether PHP would use the segment as an integer array key (`"12"`, `"-3"`, not `"012"`): `DotPath` then
    /// indexes lists and strings with it.
    static func isCanonicalInteger(_ text: String) -> Bool {
        guard let value = Int(text) else { return false }
        return String(value) == text
    }

    /// Reads every leaf under `value` into `leaves` (which start as `.missing`).
    ///
    /// `positions` remembers, per node, where its key sat in the last object seen: chats from one source share a
    /// key order, so a string comparison usually replaces the hash lookup.
    func extract(
        _ value: JSONValue, children range: Range<Int>, into leaves: UnsafeMutablePointer<LeafSummary>,
        positions: UnsafeMutablePointer<Int>
    ) {
        guard case .object(let object) = value else { return }
        let keys = object.keys
        for node in range {
            var position = positions[node]
            if position >= keys.count || keys[position] != names[node] {
                guard let found = object.position(of: names[node], near: position) else { continue }
                position = found
                positions[node] = found
            }
            let child = object.values[position]
            if child.isNull { continue }
            let slot = slots[node]
            if slot >= 0 { leaves[slot] = LeafSummary(child) }
            let grandchildren = children[node]
            if !grandchildren.isEmpty { extract(child, children: grandchildren, into: leaves, positions: positions) }
        }
    }
}

/// What a plain path found, as far as the fast paths care.
enum LeafSummary: Sendable {
    /// Not found: the placeholder becomes `0`.
    case missing
    /// A value whose text is this integer's decimal form: an int, `true`, an integral float below 1e14, or a string
    /// of canonical digits.
    case number(Int)
    /// Anything else: the exact route resolves the path again.
    case other

    init(_ value: JSONValue) {
        switch value {
        case .int(let integer): self = .number(integer)
        case .bool(true): self = .number(1)
        case .double(let double):
            // Below 1e14 an integral float prints as its integer digits (PHP's 14-digit form); -0.0 prints "-0".
            if Swift.abs(double) < 1e14, double == double.rounded(.towardZero), double != 0 || double.sign == .plus {
                self = .number(Int(double))
            } else {
                self = .other
            }
        case .string(let text): self = SidePipeline.plainInteger(text.utf8).map(LeafSummary.number) ?? .other
        default: self = .other
        }
    }
}

extension JSONObject {
    /// The position of `key` among the keys, or nil; `near` is where it is expected (one key more or less before
    /// it is the usual difference between two chats).
    func position(of key: String, near expected: Int) -> Int? {
        let keys = self.keys
        if expected + 1 < keys.count, keys[expected + 1] == key { return expected + 1 }
        if expected > 0, expected - 1 < keys.count, keys[expected - 1] == key { return expected - 1 }
        // The hash index is private to the object; a scan of a chat-sized object costs about as much.
        return keys.firstIndex(of: key)
    }
}
