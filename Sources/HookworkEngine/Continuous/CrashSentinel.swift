public import HookworkStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small memory-mapped file in which each continuous worker notes the chat or mail message it is evaluating or
/// firing for, and clears the note when done. Its pages belong to the kernel's cache, so a note outlives a process
/// that dies at once (a trap, a stack overflow, SIGKILL): the next process reads what the dead one had in flight.
/// A note costs a few stores to memory, nothing more, so every evaluation is noted.
///
/// The file is locked while open; a second process on the same path takes the next free name (`PATH.1` ... `PATH.7`),
/// so several processes never share notes. Without a usable file, passes run unnoted.
public final class CrashSentinel: @unchecked Sendable {
    // Unchecked: every slot is written by the one task that holds it (an evaluation slice, or a firing that took it
    // from `freeFiringSlots`); the file is read only in `init`, before any slot is handed out.

    /// Slots for evaluation slices (one per core, at most this many are noted).
    public static let evaluationSlots = 16
    /// Slots for firings running at the same time (more wait for none: they run unnoted).
    public static let firingSlots = 64
    static let magic: UInt64 = 0x3130_544E_4553_5748  // "HWSENT01"
    static let headerBytes = 16
    static let slotBytes = 32
    static var slotCount: Int { evaluationSlots + firingSlots }
    static var fileBytes: Int { headerBytes + slotCount * slotBytes }

    /// The file actually used.
    public let path: String
    /// What the previous process on this file had in flight when it stopped.
    public let leftOver: [ContinuousCrash]
    let base: UnsafeMutableRawPointer
    let descriptor: Int32
    let freeFiringSlots: Mutex<[Int]>

    /// What went wrong opening the file.
    public struct OpenError: Error, CustomStringConvertible {
        /// In words, with the path.
        public var description: String
    }

    /// Opens (or creates) the sentinel at `path`, or the first of `PATH.1` ... `PATH.7` no other process holds.
    public init(path: String) throws(OpenError) {
        var chosen: (path: String, descriptor: Int32)?
        for candidate in [path] + (1...7).map({ "\(path).\($0)" }) {
            let descriptor = open(candidate, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw OpenError(description: "cannot open the crash sentinel \(candidate): \(String(cString: strerror(errno)))")
            }
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
                chosen = (candidate, descriptor)
                break
            }
            close(descriptor)
        }
        guard let chosen else { throw OpenError(description: "every crash sentinel name beside \(path) is held by another process") }
        let size = Self.fileBytes
        guard ftruncate(chosen.descriptor, off_t(size)) == 0,
            let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, chosen.descriptor, 0), mapped != MAP_FAILED
        else {
            let reason = String(cString: strerror(errno))
            close(chosen.descriptor)
            throw OpenError(description: "cannot map the crash sentinel \(chosen.path): \(reason)")
        }
        let base = UnsafeMutableRawPointer(mapped)
        self.path = chosen.path
        self.descriptor = chosen.descriptor
        self.base = base
        self.leftOver = Self.read(base)
        memset(base, 0, size)
        base.storeBytes(of: Self.magic, as: UInt64.self)
        base.storeBytes(of: UInt64(Self.slotCount), toByteOffset: 8, as: UInt64.self)
        self.freeFiringSlots = Mutex(Array((Self.evaluationSlots..<Self.slotCount).reversed()))
    }

    deinit {
        munmap(base, Self.fileBytes)
        close(descriptor)  // releases the lock
    }

    /// The notes in a mapped file (none unless it was written by this version).
    static func read(_ base: UnsafeMutableRawPointer) -> [ContinuousCrash] {
        guard base.load(as: UInt64.self) == magic, base.load(fromByteOffset: 8, as: UInt64.self) == UInt64(slotCount) else { return [] }
        return (0..<slotCount).compactMap { slot in
            let offset = headerBytes + slot * slotBytes
            guard let what = Note(rawValue: base.load(fromByteOffset: offset, as: UInt64.self)) else { return nil }
            let id = base.load(fromByteOffset: offset + 8, as: Int64.self)
            let webhookID = base.load(fromByteOffset: offset + 16, as: Int64.self)
            return ContinuousCrash(subject: what.subject, id: Int(id), webhookID: Int(webhookID), phase: what.phase)
        }
    }

    /// What a slot holds.
    enum Note: UInt64 {
        case chatEvaluating = 1, chatFiring, mailEvaluating, mailFiring

        init(_ subject: ContinuousSubject, _ phase: ContinuousFaultPhase) {
            switch (subject, phase) {
            case (.chat, .evaluating): self = .chatEvaluating
            case (.chat, .firing): self = .chatFiring
            case (.mailMessage, .evaluating): self = .mailEvaluating
            case (.mailMessage, .firing): self = .mailFiring
            }
        }

        var subject: ContinuousSubject { self == .chatEvaluating || self == .chatFiring ? .chat : .mailMessage }
        var phase: ContinuousFaultPhase { self == .chatEvaluating || self == .mailEvaluating ? .evaluating : .firing }
    }

    /// Notes that the holder of `slot` starts on (`subject`, `id`) for `webhookID`.
    @inline(__always)
    func note(slot: Int, _ subject: ContinuousSubject, _ phase: ContinuousFaultPhase, id: Int, webhookID: Int) {
        let offset = Self.headerBytes + slot * Self.slotBytes
        base.storeBytes(of: Int64(truncatingIfNeeded: id), toByteOffset: offset + 8, as: Int64.self)
        base.storeBytes(of: Int64(truncatingIfNeeded: webhookID), toByteOffset: offset + 16, as: Int64.self)
        base.storeBytes(of: Note(subject, phase).rawValue, toByteOffset: offset, as: UInt64.self)
    }

    /// Clears `slot`: its holder finished.
    @inline(__always)
    func clear(slot: Int) {
        base.storeBytes(of: UInt64(0), toByteOffset: Self.headerBytes + slot * Self.slotBytes, as: UInt64.self)
    }

    /// Runs `body` with (`subject`, `id`) noted as firing for `webhookID` in a free firing slot (unnoted when all are taken).
    func firing<T>(_ subject: ContinuousSubject, id: Int, webhookID: Int, _ body: () async throws -> T) async rethrows -> T {
        guard let slot = freeFiringSlots.withLock({ $0.popLast() }) else { return try await body() }
        note(slot: slot, subject, .firing, id: id, webhookID: webhookID)
        defer {
            clear(slot: slot)
            freeFiringSlots.withLock { $0.append(slot) }
        }
        return try await body()
    }
}

/// The notes one evaluation slice writes: its slot, or nothing without a sentinel.
struct EvaluationNotes {
    let sentinel: CrashSentinel?
    let slot: Int

    init(_ sentinel: CrashSentinel?, slice: Int) {
        self.sentinel = slice < CrashSentinel.evaluationSlots ? sentinel : nil
        self.slot = slice
    }

    @inline(__always)
    func note(_ subject: ContinuousSubject, id: Int, webhookID: Int) {
        sentinel?.note(slot: slot, subject, .evaluating, id: id, webhookID: webhookID)
    }

    @inline(__always)
    func clear() { sentinel?.clear(slot: slot) }
}
