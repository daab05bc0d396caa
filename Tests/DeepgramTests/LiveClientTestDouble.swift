import Foundation
import Logging
import TestSupport
@testable import Deepgram

/// Runs `Tests/Peers/deepgram_double.py`, the TEST DOUBLE of Deepgram's live endpoint (Deepgram
/// itself cannot be reached here), and reads what it recorded. Stopped in every path.
final class DeepgramDouble: @unchecked Sendable {
    let process: Process
    let port: Int
    let recordDir: URL
    private let stdinPipe: Pipe

    struct Stats: Decodable {
        struct Conn: Decodable {
            var index: Int
            var request_id: String
            var bytes: Int
            var frames: Int
            var empty_frames: Int
            var keepalives: Int
            var finalize: Int
            var close_stream: Int
            var auth: String
            var end: String?
            var killed: Bool
            var close_code: Int?
        }
        struct Refusal: Decodable { var status: Int; var request_id: String }
        var connections: [Conn]
        var refused: [Refusal]
        var total_bytes: Int
        var keepalives: Int
    }

    struct LaunchError: Error, CustomStringConvertible { var description: String }

    private init(process: Process, port: Int, recordDir: URL, stdinPipe: Pipe) {
        self.process = process; self.port = port; self.recordDir = recordDir; self.stdinPipe = stdinPipe
    }

    static func launch(_ args: [String] = []) async throws -> DeepgramDouble {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-dg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestPaths.python)
        p.arguments = [TestPaths.peers.appendingPathComponent("deepgram_double.py").path, "--record-dir", dir.path] + args
        let out = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardInput = inp
        p.standardError = FileHandle.standardError
        try p.run()
        let handle = out.fileHandleForReading
        let line: String? = await withTaskGroup(of: String?.self) { g in
            g.addTask {
                var data = Data()
                while !data.contains(UInt8(ascii: "\n")) {
                    let d = handle.availableData
                    if d.isEmpty { return nil }
                    data.append(d)
                }
                return String(decoding: data, as: UTF8.self)
            }
            g.addTask { try? await Task.sleep(for: .seconds(60)); return nil }
            let first = await g.next() ?? nil
            g.cancelAll()
            return first
        }
        guard let line, line.hasPrefix("PORT "),
              let port = Int(line.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            p.terminate(); p.waitUntilExit()
            throw LaunchError(description: "the Deepgram test double did not print its port (got \(line ?? "nothing"))")
        }
        return DeepgramDouble(process: p, port: port, recordDir: dir, stdinPipe: inp)
    }

    var baseURL: String { "ws://127.0.0.1:\(port)" }

    func stats() throws -> Stats {
        let data = try Data(contentsOf: recordDir.appendingPathComponent("stats.json"))
        return try JSONDecoder().decode(Stats.self, from: data)
    }

    /// Bytes received on connection `i`, byte-exact.
    func received(connection i: Int) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: recordDir.appendingPathComponent(String(format: "conn-%03d.bin", i))))
    }

    func stop() {
        if process.isRunning {
            try? stdinPipe.fileHandleForWriting.close()
            process.terminate()
            for _ in 0..<100 where process.isRunning { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: recordDir)
    }

    deinit { stop() }
}

/// Runs `body` with a fresh double; the double is stopped however `body` ends.
func withDeepgramDouble<T>(_ args: [String] = [], _ body: (DeepgramDouble) async throws -> T) async throws -> T {
    let d = try await DeepgramDouble.launch(args)
    defer { d.stop() }
    return try await body(d)
}

/// Audio whose bytes say where they are: a running little-endian uint32 counter, starting at
/// counter `from` (byte offset 4 × from).
func counterAudio(from: Int, count: Int) -> [UInt8] {
    var out = [UInt8](); out.reserveCapacity(count * 4)
    for j in from..<(from + count) {
        let v = UInt32(truncatingIfNeeded: j)
        out.append(UInt8(v & 0xff)); out.append(UInt8((v >> 8) & 0xff))
        out.append(UInt8((v >> 16) & 0xff)); out.append(UInt8(v >> 24))
    }
    return out
}

/// The counters in `bytes` (4-byte little-endian), or nil if `bytes` is not a whole number of them.
func counters(_ bytes: [UInt8]) -> [UInt32]? {
    guard bytes.count % 4 == 0 else { return nil }
    return stride(from: 0, to: bytes.count, by: 4).map {
        UInt32(bytes[$0]) | UInt32(bytes[$0 + 1]) << 8 | UInt32(bytes[$0 + 2]) << 16 | UInt32(bytes[$0 + 3]) << 24
    }
}

/// A client configuration for the double: fast reconnects, no pacing, the double's URL.
func doubleConfiguration(_ d: DeepgramDouble, logger: Logger? = nil) -> LiveClientConfiguration {
    var c = LiveClientConfiguration(environment: [:])
    c.baseURL = d.baseURL
    c.reconnect = ReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(400), maxAttempts: 10)
    c.replayPacing = .unlimited
    c.webSocket.connectTimeout = .seconds(20)
    c.logger.logLevel = .critical // keep test output readable; the 401 test captures a trace log
    if let logger { c.logger = logger }
    return c
}

let pcm16k = LiveOptions(model: .nova3, encoding: .linear16, sampleRate: 16_000, channels: 1, interimResults: true)

/// Collects every event of a client until `.close`, on a task, for inspection afterwards.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [LiveEvent] = []
    private var task: Task<Void, Never>?

    init(_ events: AsyncStream<LiveEvent>) {
        task = Task { [weak self] in
            for await e in events { self?.append(e) }
        }
    }
    private func append(_ e: LiveEvent) { lock.withLock { list.append(e) } }
    var events: [LiveEvent] { lock.withLock { list } }
    /// Waits until the stream ended (at most 60 s, so a test can fail but never hang).
    func ended() async {
        guard let task else { return }
        _ = try? await within(.seconds(60), "the event stream's end") { await task.value }
    }

    var finals: [Results] { events.compactMap { if case .results(let r) = $0, r.isFinal { return r } else { return nil } } }
    var errors: [LiveError] { events.compactMap { if case .error(let e) = $0 { return e } else { return nil } } }
    var reconnects: Int { events.filter { if case .reconnecting = $0 { return true } else { return false } }.count }
    var opens: Int { events.filter { if case .open = $0 { return true } else { return false } }.count }
}

/// A log handler that keeps every message (to check that no secret is logged).
struct CapturingLogHandler: LogHandler {
    final class Box: @unchecked Sendable {
        let lock = NSLock()
        var lines: [String] = []
        func add(_ s: String) { lock.withLock { lines.append(s) } }
        var all: [String] { lock.withLock { lines } }
    }
    let box: Box
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] } set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        box.add("\(event.level) \(event.message) \(event.metadata ?? [:]) \(self.metadata) \(event.error.map { "\($0)" } ?? "")")
    }
}

/// Fails the test if `operation` takes longer than `limit` (tests must never hang): on timeout
/// the operation is cancelled and abandoned, and this throws at once.
func within<T: Sendable>(_ limit: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let once = ResumeOnce<T>()
    return try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
        once.set(c)
        let work = Task {
            do { once.resume(.success(try await operation())) } catch { once.resume(.failure(error)) }
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            if Task.isCancelled { return }
            work.cancel()
            once.resume(.failure(DeepgramDouble.LaunchError(description: "\(what) did not finish within \(limit)")))
        }
        once.onResume { timer.cancel() }
    }
}

/// A continuation resumed exactly once, by whichever side comes first.
final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Error>?
    private var done: (@Sendable () -> Void)?

    func set(_ c: CheckedContinuation<T, Error>) { lock.withLock { continuation = c } }
    func onResume(_ f: @escaping @Sendable () -> Void) {
        let already = lock.withLock { () -> Bool in
            if continuation == nil { return true }
            done = f; return false
        }
        if already { f() }
    }
    func resume(_ r: Result<T, Error>) {
        let (c, f) = lock.withLock { () -> (CheckedContinuation<T, Error>?, (@Sendable () -> Void)?) in
            let c = continuation; continuation = nil
            let f = done; done = nil
            return (c, f)
        }
        c?.resume(with: r)
        f?()
    }
}
