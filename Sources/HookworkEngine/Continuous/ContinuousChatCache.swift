import HookworkCore
import HookworkStore
import Synchronization

/// The open chats as conditions see them, kept in memory between passes and brought up to date from the store's
/// change log: a pass re-reads and re-assembles only the chats whose record, messages, department, statistics or
/// operator changed since the last pass, instead of every open chat and message.
///
/// A full reload happens on the first pass, when the log was purged past this cache's position or holds too many
/// changes, and every `fullReloadEvery` passes as a backstop. On PostgreSQL a change-log position can become visible
/// after a higher one (transactions commit out of order), so each pass re-reads the last `lookback` positions too.
final class ContinuousChatCache: Sendable {
    /// The chats open at the last pass, to notice chats that closed since.
    let lastOpen = Mutex<Set<Int>?>(nil)
    /// The (webhook, chat) pairs the last pass found will hold at the next tick, and that tick's second.
    let dueNext = Mutex<(at: Int, pairs: [ContinuousScheduler.DuePair])?>(nil)
    /// One open chat, assembled.
    struct Entry: Sendable {
        var chat: ContinuousScheduler.LoadedChat
        /// max(`time`, `pnd_time`), for `wait_time_seconds`.
        var started: Int
    }

    struct State: Sendable {
        var loaded = false
        var cursor = 0
        var passes = 0
        var chats: [Int: JSONObject] = [:]
        var messages: [Int: [JSONObject]] = [:]
        var departments: [Int: JSONObject] = [:]
        var stats: [Int: JSONObject] = [:]
        var operators: [Int: JSONObject] = [:]
        var entries: [Int: Entry] = [:]
        var order: [Int] = []
    }

    private let state = Mutex(State())
    /// Passes run, for the periodic trim of the change log.
    let passCount = Atomic<Int>(0)
    let fullReloadEvery = 300
    let lookback = 1_000
    let maxChanges = 50_000

    /// Brings the cache up to date with the store's change log (a full reload when it must). With `history`, returns
    /// the chats whose assembled state changed (nil state: closed or gone), for the chat history backtests replay.
    @discardableResult
    func refresh(store: any Store, window: Int, now: Int, history: Bool = false) async throws -> [ChatHistoryEntry] {
        var current = state.withLock { state in
            let taken = state
            state = State()
            return taken
        }
        // On an error the state stays taken, so the next pass rebuilds the cache from scratch.
        let touched = try await refresh(&current, store: store, window: window, now: now)
        current.passes += 1
        let finished = current
        state.withLock { $0 = finished }
        guard history else { return [] }
        // Only the chats whose assembled state differs from what the cache held before are history.
        var entries: [ChatHistoryEntry] = []
        for id in touched.ids.sorted() {
            let was = touched.previous[id]
            if let current = finished.entries[id] {
                if let was, was.chat.object == current.chat.object, was.chat.messages == current.chat.messages { continue }
                entries.append(ChatHistoryEntry(chatID: id, at: now, state: Self.historyState(current.chat)))
            } else if was != nil {
                entries.append(ChatHistoryEntry(chatID: id, at: now, state: nil))
            }
        }
        return entries
    }

    /// A chat's state as the history keeps it: the assembled chat and its messages as conditions read them.
    static func historyState(_ chat: ContinuousScheduler.LoadedChat) -> JSONValue {
        .object(
            JSONObject([
                ("chat", .object(chat.object)),
                ("messages", .array(chat.messages.map { .array([.int($0.id), .int($0.userID), .string($0.text)]) })),
            ]))
    }

    /// A chat read back from the history (`historyState`), or nil when the state is not one.
    static func loaded(history state: JSONValue, id: Int) -> ContinuousScheduler.LoadedChat? {
        guard case .object(let chat)? = state["chat"] else { return nil }
        let messages = (state["messages"]?.arrayValue ?? []).compactMap { item -> ConditionMessage? in
            guard case .array(let parts) = item, parts.count == 3 else { return nil }
            return ConditionMessage(id: parts[0].looseInt ?? 0, userID: parts[1].looseInt ?? 0, text: parts[2].stringValue ?? "")
        }
        return ContinuousScheduler.LoadedChat(id: id, object: chat, value: .object(chat), messages: messages)
    }

    /// The open chats, newest first, at most `limit`, as of the last refresh; `wait_time_seconds` at `now`.
    func snapshot(limit: Int?, now: Int, refreshWaitTime: Bool) -> [ContinuousScheduler.LoadedChat] {
        state.withLock { current in
            let ids = limit.map { Array(current.order.prefix($0)) } ?? current.order
            return Self.loaded(ids, from: current, now: now, refreshWaitTime: refreshWaitTime)
        }
    }

    /// The chats `ids` that are open, as of the last refresh, in the order given.
    func chats(_ ids: [Int], now: Int, refreshWaitTime: Bool) -> [ContinuousScheduler.LoadedChat] {
        state.withLock { Self.loaded(ids, from: $0, now: now, refreshWaitTime: refreshWaitTime) }
    }

    private static func loaded(_ ids: [Int], from current: State, now: Int, refreshWaitTime: Bool) -> [ContinuousScheduler.LoadedChat] {
        var result: [ContinuousScheduler.LoadedChat] = []
        result.reserveCapacity(ids.count)
        for id in ids {
            guard var entry = current.entries[id] else { continue }
            if refreshWaitTime {
                entry.chat.object["wait_time_seconds"] = .int(now - entry.started)
                entry.chat.value = .object(entry.chat.object)
            }
            result.append(entry.chat)
        }
        return result
    }

    /// The chats a refresh re-assembled or dropped, with the entries they had before it (none: a chat new to the cache).
    struct Touched {
        var ids: Set<Int> = []
        var previous: [Int: Entry] = [:]
    }

    /// Returns the chats it touched. Only their earlier entries are kept aside, so that the cache's dictionary of
    /// entries is never copied whole on a pass.
    private func refresh(_ state: inout State, store: any Store, window: Int, now: Int) async throws -> Touched {
        if !state.loaded || state.passes % fullReloadEvery == 0 {
            return try await reload(&state, store: store, window: window, now: now)
        }
        let from = max(0, state.cursor - lookback)
        let (changes, oldest) = try await store.changes(after: from, limit: maxChanges + 1)
        if changes.count > maxChanges || (oldest.map { $0 > from + 1 } ?? false) && from > 0 {
            return try await reload(&state, store: store, window: window, now: now)
        }
        guard !changes.isEmpty else { return Touched() }
        state.cursor = max(state.cursor, changes.last?.sequence ?? 0)
        var chatIDs = Set<Int>()
        var messageChats = Set<Int>()
        var departmentIDs = Set<Int>()
        var operatorIDs = Set<Int>()
        for change in changes {
            switch change.kind {
            case .chat: chatIDs.insert(change.id)
            case .message: if let chatID = change.chatID { messageChats.insert(chatID) }
            case .department, .departmentStats: departmentIDs.insert(change.id)
            case .operator: operatorIDs.insert(change.id)
            default: break
            }
        }
        var dirty = Set<Int>()
        var touched = Touched()
        var orderChanged = false
        if !chatIDs.isEmpty {
            let fetched = try await store.records(.chat, ids: Array(chatIDs))
            for id in chatIDs {
                if let chat = fetched[id], ContinuousFiring.openStatuses.contains(chat["status"]?.looseInt ?? 0) {
                    // Changes re-read for the look-back are usually known already: only a different record counts.
                    guard state.chats[id] != chat else { continue }
                    if state.chats[id] == nil {
                        messageChats.insert(id)
                        orderChanged = true
                    }
                    state.chats[id] = chat
                    dirty.insert(id)
                } else if state.chats.removeValue(forKey: id) != nil {
                    state.messages[id] = nil
                    if let entry = state.entries.removeValue(forKey: id) { touched.previous[id] = entry }
                    touched.ids.insert(id)
                    orderChanged = true
                }
            }
        }
        let reread = messageChats.filter { state.chats[$0] != nil }
        if !reread.isEmpty {
            let messages = try await store.messages(chatIDs: Array(reread), perChat: window)
            for id in reread {
                let fresh = messages[id] ?? []
                if state.messages[id] != fresh || state.entries[id] == nil {
                    state.messages[id] = fresh
                    dirty.insert(id)
                }
            }
        }
        if !departmentIDs.isEmpty {
            let departments = try await store.records(.department, ids: Array(departmentIDs))
            let stats = try await store.records(.departmentStats, ids: Array(departmentIDs))
            let changed = departmentIDs.filter { state.departments[$0] != departments[$0] || state.stats[$0] != stats[$0] }
            for id in changed {
                state.departments[id] = departments[id]
                state.stats[id] = stats[id]
            }
            if !changed.isEmpty {
                for (id, chat) in state.chats where changed.contains(chat["dep_id"]?.looseInt ?? 0) { dirty.insert(id) }
            }
        }
        if !operatorIDs.isEmpty {
            let operators = try await store.records(.operator, ids: Array(operatorIDs))
            var changed = Set<Int>()
            for id in operatorIDs {
                let decorated = operators[id].map { ChatAssembler.decorate(operator: $0) }
                if state.operators[id] != decorated {
                    state.operators[id] = decorated
                    changed.insert(id)
                }
            }
            if !changed.isEmpty {
                for (id, chat) in state.chats where changed.contains(chat["user_id"]?.looseInt ?? 0) { dirty.insert(id) }
            }
        }
        for id in dirty { if let entry = state.entries[id] { touched.previous[id] = entry } }
        touched.ids.formUnion(dirty)
        try await assemble(&state, ids: dirty, store: store, now: now)
        if orderChanged { state.order = state.chats.keys.sorted(by: >) }
        return touched
    }

    private func reload(_ state: inout State, store: any Store, window: Int, now: Int) async throws -> Touched {
        var fresh = State()
        // The position first: a change made while loading is applied again on the next pass, which is harmless.
        fresh.cursor = try await store.changeCursor()
        fresh.passes = state.passes
        for chat in try await store.list(.chat, query: EntityQuery(statuses: ContinuousFiring.openStatuses)) {
            if let id = chat["id"]?.looseInt { fresh.chats[id] = chat }
        }
        fresh.messages = try await store.messages(chatIDs: Array(fresh.chats.keys), perChat: window)
        for department in try await store.list(.department, query: EntityQuery()) {
            if let id = department["id"]?.looseInt { fresh.departments[id] = department }
        }
        for stats in try await store.list(.departmentStats, query: EntityQuery()) {
            if let id = stats["id"]?.looseInt { fresh.stats[id] = stats }
        }
        for user in try await store.list(.operator, query: EntityQuery()) {
            if let id = user["id"]?.looseInt { fresh.operators[id] = ChatAssembler.decorate(operator: user) }
        }
        try await assemble(&fresh, ids: Set(fresh.chats.keys), store: store, now: now)
        fresh.order = fresh.chats.keys.sorted(by: >)
        fresh.loaded = true
        // The earlier entries leave with the earlier state (the whole of it is replaced, so nothing is copied).
        let previous = state.entries
        state = fresh
        return Touched(ids: Set(previous.keys).union(fresh.entries.keys), previous: previous)
    }

    /// Re-assembles the chats `ids` from the cached records (one more read for `last_msg_id`s outside the window).
    private func assemble(_ state: inout State, ids: Set<Int>, store: any Store, now: Int) async throws {
        guard !ids.isEmpty else { return }
        var missing: [Int] = []
        for id in ids {
            guard let chat = state.chats[id] else { continue }
            let lastID = chat["last_msg_id"]?.looseInt ?? 0
            if lastID > 0, !(state.messages[id] ?? []).contains(where: { $0["id"]?.looseInt == lastID }) { missing.append(lastID) }
        }
        let extra = try await store.records(.message, ids: missing)
        var departments: [Int: JSONObject] = [:]
        for id in ids {
            guard let chat = state.chats[id] else { continue }
            let departmentID = chat["dep_id"]?.looseInt ?? 0
            var department: JSONObject?
            if let cached = departments[departmentID] {
                department = cached
            } else if let stored = state.departments[departmentID] {
                let decorated = ChatAssembler.decorate(department: stored, stats: state.stats[departmentID])
                departments[departmentID] = decorated
                department = decorated
            }
            let last = extra[chat["last_msg_id"]?.looseInt ?? 0].flatMap { $0["chat_id"]?.looseInt == id ? $0 : nil }
            let assembled = ChatAssembler.derive(
                chat: chat, department: department, user: state.operators[chat["user_id"]?.looseInt ?? 0], messages: state.messages[id] ?? [],
                lastMessage: last, now: now)
            state.entries[id] = Entry(
                chat: ContinuousScheduler.LoadedChat(
                    id: id, object: assembled.chat, value: .object(assembled.chat),
                    messages: CompiledConditions.conditionMessages(newestFirst: assembled.messages)),
                started: max(chat["time"]?.looseInt ?? 0, chat["pnd_time"]?.looseInt ?? 0))
        }
    }
}
