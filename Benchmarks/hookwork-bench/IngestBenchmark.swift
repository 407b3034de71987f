import ArgumentParser
import AsyncHTTPClient
import Foundation
import HookworkServer
import HookworkStore
import Hummingbird
import Logging
import NIOHTTP1
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `hookwork-bench ingest`: events per second accepted durably over HTTP (DESIGN §7), beside the same server's rate
/// on a route that does nothing, in one run.
///
/// The real server runs in this process on a fresh SQLite file in `queue` mode with ten hook webhooks configured
/// through the HTTP API. Its queue workers are off, so that the figure is ingestion alone (storing the chat the event
/// carries and the queued event); the JSON line says so in `queue_workers`. The load comes from `wrk`, a separate
/// process with keep-alive HTTP/1.1 connections on loopback, so that the client's cost is as small as it can be and
/// not mixed into the server's task scheduling.
struct IngestBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Events per second accepted durably over HTTP (queue mode, SQLite, ten hook webhooks) and the no-op route's rate."
    )

    @Option(help: "Stop once this many events are accepted (default: run for --seconds).")
    var events: Int?

    @Option(help: "Concurrent keep-alive connections.")
    var connections: Int = 32

    @Option(help: "Seconds of load per phase; with --events, the most the event phase may take.")
    var seconds: Int?

    @Option(help: "wrk threads (each drives connections/threads connections).")
    var threads: Int = 2

    @Option(help: "The route measured as doing nothing.")
    var noopPath: String = "/health"

    @Flag(help: "Keep the temporary folder (database, wrk scripts) instead of deleting it.")
    var keep = false

    func validate() throws {
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        guard threads >= 1, threads <= connections else { throw ValidationError("--threads must be from 1 to --connections") }
        if let events, events < threads { throw ValidationError("--events must be at least --threads") }
        if let seconds, seconds < 1 { throw ValidationError("--seconds must be at least 1") }
        guard noopPath.hasPrefix("/") else { throw ValidationError("--noop-path must start with /") }
    }

    func run() async throws {
        let wrk = try WrkRunner.locate()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hookwork-bench-ingest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(at: folder) } }

        var logger = Logger(label: "hookwork-bench")
        // The server logs nothing per request at this level, so logging does not weigh on the figures.
        logger.logLevel = .warning
        let databaseURL = "sqlite://\(folder.appendingPathComponent("hookwork.sqlite").path)"
        let tokens = (admin: "bench-admin-\(UUID().uuidString)", ingest: "bench-ingest-\(UUID().uuidString)")
        let port = try freeLoopbackPort()

        var configuration = HookworkConfiguration()
        configuration.databaseURL = databaseURL
        configuration.host = "127.0.0.1"
        configuration.port = port
        configuration.worker = .queue
        configuration.runQueueWorkers = false
        configuration.adminToken = tokens.admin
        configuration.ingestToken = tokens.ingest
        let app = try await buildApplication(
            configuration: configuration, dependencies: ServerDependencies(logger: logger, announceAdminToken: { _ in })
        )
        let server = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let base = "http://127.0.0.1:\(port)"

        let (events, noop) = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            do {
                let client = SetupClient(base: base, adminToken: tokens.admin)
                try await client.waitUntilUp()
                try await client.configureWebhooks(count: Self.webhookCount)
                let loads = try await measure(wrk: wrk, base: base, ingestToken: tokens.ingest, folder: folder)
                await server.triggerGracefulShutdown()
                try await group.waitForAll()
                return loads
            } catch {
                await server.triggerGracefulShutdown()
                try? await group.waitForAll()
                throw error
            }
        }

        // Reopened after the server closed the file: what was acknowledged must be there.
        let stored = try await storedEventSequences(databaseURL: databaseURL, logger: logger)
        let accepted = Set(events.sequences)
        let missing = accepted.subtracting(stored).count
        // Events the server stored after wrk stopped reading (in flight at the deadline) were never acknowledged.
        let unacknowledged = stored.subtracting(accepted).count
        let durable = missing == 0 && accepted.count == events.accepted && unacknowledged <= connections

        let line = JSONLine([
            ("benchmark", .string("ingest")),
            ("events_per_second", .number(events.rate(of: events.accepted))),
            ("noop_requests_per_second", .number(noop.rate(of: noop.accepted))),
            ("ratio_to_noop", .number(noop.accepted == 0 ? 0 : events.rate(of: events.accepted) / noop.rate(of: noop.accepted))),
            ("connections", .int(connections)),
            ("events", .int(events.accepted)),
            ("rejected", .int(events.rejected)),
            ("socket_errors", .int(events.socketErrors + noop.socketErrors)),
            ("event_seconds", .number(events.seconds)),
            ("event_latency_p50_ms", .number(events.p50Milliseconds)),
            ("event_latency_p99_ms", .number(events.p99Milliseconds)),
            ("noop_path", .string(noopPath)),
            ("noop_requests", .int(noop.accepted)),
            ("noop_latency_p50_ms", .number(noop.p50Milliseconds)),
            ("noop_latency_p99_ms", .number(noop.p99Milliseconds)),
            ("stored_events", .int(stored.count)),
            ("acknowledged_not_stored", .int(missing)),
            ("stored_not_acknowledged", .int(unacknowledged)),
            ("durability_check", .string(durable ? "pass" : "fail")),
            ("webhooks", .int(Self.webhookCount)),
            ("worker_mode", .string("queue")),
            ("queue_workers", .string("off")),
            ("database", .string("sqlite")),
            ("sqlite_synchronous", .string("NORMAL")),
            ("load_generator", .string("wrk")),
            ("wrk_threads", .int(threads)),
            ("cores", .int(ProcessInfo.processInfo.activeProcessorCount)),
        ])
        print(line.text)
        if let sample = events.rejectionSample {
            FileHandle.standardError.write(Data("hookwork-bench ingest: a rejected event was answered \(sample)\n".utf8))
        }
        if !durable { throw ExitCode(2) }
    }

    /// Hook webhooks configured on the server, as the issue asks.
    static let webhookCount = 10

    /// The event phase, then the no-op phase for as long as the event phase took (at least three seconds).
    private func measure(wrk: WrkRunner, base: String, ingestToken: String, folder: URL) async throws -> (WrkResult, WrkResult) {
        let eventSeconds = seconds ?? (events == nil ? 10 : 600)
        let eventScript = WrkScript.events(token: ingestToken, prefix: "bench-\(UUID().uuidString.prefix(8))")
        var stop: (@Sendable () async -> Bool)?
        if let target = events {
            // wrk has no request count, so the server's own counter decides when wrk is interrupted; the figures
            // are those wrk measured up to then (a few more than the target may be accepted).
            let probe = SetupClient(base: base, adminToken: nil)
            stop = { (try? await probe.acceptedEvents()).map { $0 >= target } ?? false }
        }
        let eventLoad = try await wrk.run(
            script: eventScript, name: "events", url: base + "/api/v1/events", connections: connections, threads: threads,
            seconds: eventSeconds, folder: folder, stopWhen: stop
        )
        let noopSeconds = seconds ?? max(3, Int(eventLoad.seconds.rounded(.up)))
        let noop = try await wrk.run(
            script: WrkScript.noop(path: noopPath), name: "noop", url: base + noopPath, connections: connections, threads: threads,
            seconds: noopSeconds, folder: folder, stopWhen: nil
        )
        return (eventLoad, noop)
    }

    /// Every event sequence in the database, read through the store after the server closed it. With the queue
    /// workers off nothing completes, so claiming the whole queue (leases in a throw-away database) lists them all.
    private func storedEventSequences(databaseURL: String, logger: Logger) async throws -> Set<Int> {
        let store = try await makeStore(url: databaseURL, logger: logger)
        do {
            var sequences = Set<Int>()
            let now = Int(Date().timeIntervalSince1970) + 3600
            while true {
                let batch = try await store.claimEvents(limit: 10_000, now: now, worker: "bench-verify", leaseSeconds: 86_400)
                if batch.isEmpty { break }
                sequences.formUnion(batch.map(\.sequence))
            }
            try await store.shutdown()
            return sequences
        } catch {
            try? await store.shutdown()
            throw error
        }
    }
}

/// Creates the Rest API, trigger and webhooks through the admin API, as an operator would.
private struct SetupClient {
    let base: String
    /// Sent as the bearer token; nil for the public routes.
    let adminToken: String?

    /// Polls `/health` until the server answers.
    func waitUntilUp() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let status = try? await call("/health", body: nil).status, status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError("the server did not answer /health within 30 s")
    }

    /// One Rest API, one trigger and `count` type-0 webhooks on the events a chat platform sends, half of them on
    /// `chat.close` with conditions, so that a worker would have real evaluation to do for every benchmark event.
    func configureWebhooks(count: Int) async throws {
        let restAPI = #"""
            {"name":"Receiver","configuration":{"host":"http://127.0.0.1:9","parameters":[
              {"id":"close","name":"Chat closed","method":"POST","suburl":"/closed/{{args.chat.id}}",
               "header":[{"key":"X-Operator","value":"{{args.user_data.name}}"}],
               "body_request_type":"raw","body_request_type_content":"json",
               "body_raw":"{\"chat_id\": {{args.chat.id}}, \"nick\": {{args.chat.nick}}}"}]}}
            """#
        try await expectCreated("/api/v1/rest_apis", restAPI)
        try await expectCreated(
            "/api/v1/triggers", #"{"name":"Tell the receiver","actions":[{"type":"restapi","content":{"rest_api":1,"rest_api_method":"close"}}]}"#
        )
        let names = [
            "chat.close", "chat.accept", "chat.close", "chat.started", "chat.close", "chat.transfered", "chat.close", "chat.msg_received",
            "chat.close", "chat.desktop_client_closed",
        ]
        for index in 0..<count {
            let event = names[index % names.count]
            // Half of them with the conditions of a typical close hook (spec §4: status and department).
            let status = #"{"type":"3","attr":"{args.chat.status}","condition":"eq","value":"2","logic":"and"}"#
            let department = #"{"type":"3","attr":"{args.chat.dep_id}","condition":"gt","value":"\#(index)"}"#
            let conditions = index.isMultiple(of: 2) ? "[\(status),\(department)]" : "[]"
            try await expectCreated(
                "/api/v1/webhooks",
                #"{"name":"Bench \#(index + 1)","event":"\#(event)","type":0,"bot_id":1,"trigger_id":1,"configuration":\#(conditions)}"#
            )
        }
    }

    /// The server's count of accepted events, from `/metrics`.
    func acceptedEvents() async throws -> Int {
        let (_, text) = try await call("/metrics", body: nil)
        let prefix = #"hookwork_events_received_total{mode="queue",result="accepted"} "#
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return 0 }
        return Int(Double(line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)) ?? 0)
    }

    private func expectCreated(_ path: String, _ json: String) async throws {
        let (status, body) = try await call(path, body: json)
        guard status == 201 else { throw BenchError("POST \(path) answered \(status): \(body)") }
    }

    /// `GET path`, or `POST path` with a JSON body.
    private func call(_ path: String, body: String?) async throws -> (status: UInt, body: String) {
        var request = HTTPClientRequest(url: base + path)
        request.method = body == nil ? .GET : .POST
        if let adminToken { request.headers.add(name: "Authorization", value: "Bearer \(adminToken)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return (response.status.code, text)
    }
}

/// What one wrk phase reported (its Lua `done` prints it as JSON).
private struct WrkResult: Decodable {
    /// Wall-clock microseconds of the phase.
    var durationMicroseconds: Double
    /// Answers with the expected status (202 for events, 200 for the no-op route).
    var accepted: Int
    /// Event answers with any other status.
    var rejected: Int
    /// Connect, read, write and timeout errors.
    var socketErrors: Int
    var p50Microseconds: Double
    var p99Microseconds: Double
    /// The first rejected answer, for the report.
    var rejectionSample: String?
    /// The event ids (sequences) of the accepted events, read from the sequences file.
    var sequences: [Int] = []

    enum CodingKeys: String, CodingKey {
        case durationMicroseconds = "duration_us", accepted, rejected, socketErrors = "socket_errors"
        case p50Microseconds = "p50_us", p99Microseconds = "p99_us", rejectionSample = "rejection_sample"
    }

    var seconds: Double { durationMicroseconds / 1_000_000 }
    var p50Milliseconds: Double { p50Microseconds / 1000 }
    var p99Milliseconds: Double { p99Microseconds / 1000 }

    func rate(of count: Int) -> Double { durationMicroseconds > 0 ? Double(count) / seconds : 0 }
}

/// Runs wrk as a child process.
private struct WrkRunner {
    let executable: URL

    /// Finds `wrk` on the PATH.
    static func locate() throws -> WrkRunner {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("wrk")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return WrkRunner(executable: candidate) }
        }
        throw BenchError("wrk is not installed; install it with 'apt-get install wrk' (Debian) and run again")
    }

    /// Runs one phase for `seconds`, or until `stopWhen` (asked every 100 ms) answers true; wrk reports what it
    /// measured when it is interrupted.
    func run(
        script: String, name: String, url: String, connections: Int, threads: Int, seconds: Int, folder: URL,
        stopWhen: (@Sendable () async -> Bool)?
    ) async throws -> WrkResult {
        let scriptFile = folder.appendingPathComponent("\(name).lua")
        let sequencesFile = folder.appendingPathComponent("\(name).sequences")
        try script.replacingOccurrences(of: "@SEQUENCES_FILE@", with: sequencesFile.path).write(to: scriptFile, atomically: true, encoding: .utf8)
        // A long timeout: a slow answer is a latency figure, not an error that drops the request from the count.
        let child = try ChildProcess.spawn(
            executable.path, ["-t", "\(threads)", "-c", "\(connections)", "-d", "\(seconds)s", "--timeout", "30s", "-s", scriptFile.path, url]
        )
        let data = try await withThrowingTaskGroup(of: Data?.self) { group in
            group.addTask {
                let (output, status) = await child.finish()
                guard status == 0 else {
                    throw BenchError("wrk ended with wait status \(status): \(String(decoding: output, as: UTF8.self))")
                }
                return output
            }
            if let stopWhen {
                group.addTask {
                    while !Task.isCancelled {
                        if await stopWhen() {
                            // Cancelled means wrk was already reaped, and its pid may be another process's by now.
                            if !Task.isCancelled { child.interrupt() }
                            break
                        }
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                    return nil
                }
            }
            var data = Data()
            for try await output in group {
                guard let output else { continue }
                data = output
                // wrk has ended; the watcher has nothing left to do.
                group.cancelAll()
            }
            return data
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("WRKJSON ") }) else {
            throw BenchError("wrk printed no result line:\n\(text)")
        }
        var result = try JSONDecoder().decode(WrkResult.self, from: Data(line.dropFirst("WRKJSON ".count).utf8))
        if let contents = try? String(contentsOf: sequencesFile, encoding: .utf8) {
            result.sequences = contents.split(separator: "\n").compactMap { Int($0) }
        }
        return result
    }
}

/// A child process started with `posix_spawn`, its standard output piped here.
///
/// Foundation's `Process` passes on the spawning thread's signal mask, and this process's threads block SIGINT; wrk
/// reports what it measured only when SIGINT reaches it, so the child starts with no signal blocked.
private struct ChildProcess: Sendable {
    let pid: pid_t
    let output: Int32

    static func spawn(_ path: String, _ arguments: [String]) throws -> ChildProcess {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw BenchError("cannot create a pipe for \(path)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
        posix_spawn_file_actions_addclose(&actions, ends[0])
        posix_spawn_file_actions_addclose(&actions, ends[1])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let status = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        close(ends[1])
        guard status == 0 else {
            close(ends[0])
            throw BenchError("cannot start \(path): \(String(cString: strerror(status)))")
        }
        return ChildProcess(pid: pid, output: ends[0])
    }

    /// Asks the child to stop (wrk then prints its results and exits).
    func interrupt() {
        kill(pid, SIGINT)
    }

    /// Reads standard output to its end and reaps the child, on a thread of its own because both calls block.
    func finish() async -> (output: Data, status: Int32) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var data = Data()
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let count = read(output, &buffer, buffer.count)
                    if count > 0 {
                        data.append(contentsOf: buffer[0..<count])
                    } else if count < 0, errno == EINTR {
                        continue
                    } else {
                        break
                    }
                }
                close(output)
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0, errno == EINTR {}
                continuation.resume(returning: (data, status))
            }
        }
    }
}

/// The Lua scripts wrk runs: the requests, the checks of every answer and the result line.
private enum WrkScript {
    /// `POST /api/v1/events` with a distinct idempotency id and a distinct closing chat per request; every answer
    /// must be 202 with the event id, which is kept for the durability check.
    static func events(token: String, prefix: String) -> String {
        """
        local prefix = "\(prefix)"
        local headers = {["Authorization"] = "Bearer \(token)", ["Content-Type"] = "application/json"}
        local threads, counter = {}, 1

        function setup(thread)
            thread:set("id", counter)
            table.insert(threads, thread)
            counter = counter + 1
        end

        function init(args)
            sent, accepted, rejected, sample, sequences = 0, 0, 0, nil, {}
        end

        -- wrk also calls this once to check the script, so one id per run is never sent; ids stay distinct.
        function request()
            sent = sent + 1
            local chat = id * 100000000 + sent
            local body = string.format(
                '{"event":"chat.close","id":"%s-%d-%d","args":{"chat":{"id":%d,"nick":"Visitor %d","status":2,"dep_id":3,' ..
                '"user_status":1,"email":"visitor%d@example.com","referrer":"https://example.com/pricing"},' ..
                '"user_data":{"id":5,"name":"Olga"}}}',
                prefix, id, sent, chat, sent, sent)
            return wrk.format("POST", "/api/v1/events", headers, body)
        end

        function response(status, headers, body)
            local sequence = status == 202 and string.match(body, '"event_id":(%d+)')
            if sequence then
                accepted = accepted + 1
                sequences[accepted] = tonumber(sequence)
            else
                rejected = rejected + 1
                sample = sample or (status .. " " .. body)
            end
        end
        \(done)
        """
    }

    /// `GET path`; 200 counts.
    static func noop(path: String) -> String {
        """
        local threads, counter = {}, 1
        function setup(thread)
            thread:set("id", counter)
            table.insert(threads, thread)
            counter = counter + 1
        end
        function init(args)
            accepted, rejected, sample, sequences = 0, 0, nil, {}
        end
        function response(status, headers, body)
            if status == 200 then
                accepted = accepted + 1
            else
                rejected = rejected + 1
                sample = sample or (status .. " " .. body)
            end
        end
        \(done)
        """
    }

    /// Adds up the threads' counts, writes the accepted sequences and prints one `WRKJSON` line.
    static let done = #"""
        function done(summary, latency, requests)
            local accepted, rejected, sample = 0, 0, nil
            local file = io.open("@SEQUENCES_FILE@", "w")
            for _, thread in ipairs(threads) do
                accepted = accepted + thread:get("accepted")
                rejected = rejected + thread:get("rejected")
                sample = sample or thread:get("sample")
                local sequences = thread:get("sequences")
                for i = 1, #sequences do file:write(sequences[i], "\n") end
            end
            file:close()
            local errors = summary.errors
            local quoted = sample and string.format("%q", sample):gsub("\\\n", "\\n") or "null"
            io.write(string.format(
                'WRKJSON {"duration_us":%d,"accepted":%d,"rejected":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d,"rejection_sample":%s}\n',
                summary.duration, accepted, rejected, errors.connect + errors.read + errors.write + errors.timeout,
                latency:percentile(50), latency:percentile(99), quoted))
        end
        """#
}

/// A port on 127.0.0.1 that nothing listens on (the kernel picks it; it is released for the server to bind).
private func freeLoopbackPort() throws -> Int {
    #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard descriptor >= 0 else { throw BenchError("cannot open a socket to find a free port") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
    }
    guard bound else { throw BenchError("cannot bind a socket on 127.0.0.1 to find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// One flat JSON object with its keys in the given order (JSONSerialization would sort or shuffle them).
private struct JSONLine {
    enum Value {
        case string(String)
        case int(Int)
        case number(Double)
    }

    let members: [(String, Value)]

    init(_ members: [(String, Value)]) {
        self.members = members
    }

    var text: String {
        let body = members.map { key, value in
            let rendered: String
            switch value {
            case .string(let text):
                let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                rendered = "\"\(escaped)\""
            case .int(let number): rendered = String(number)
            case .number(let number): rendered = number.isFinite ? String(format: "%.2f", number) : "null"
            }
            return "\"\(key)\":\(rendered)"
        }
        return "{" + body.joined(separator: ",") + "}"
    }
}

/// A benchmark set-up failure, with what to do about it.
private struct BenchError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
