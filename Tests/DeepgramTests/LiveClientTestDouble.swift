import Foundation
import Logging
import TestSupport
@testable import Deepgram

// Helpers for driving `LiveClient` against the Deepgram TEST DOUBLE
// (`Tests/Peers/deepgram_double.py`, launched by TestSupport's `DeepgramDoubleProcess`:
// Deepgram itself cannot be reached here).

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
func doubleConfiguration(_ d: DeepgramDoubleProcess, logger: Logger? = nil) -> LiveClientConfiguration {
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
