import Audio
import Deepgram
import FoundationEssentials
import Dispatch
import Glibc
import SystemSupport
import Logging

/// One stream being recognised: owns a `RecognitionPipeline` on a private serial queue, so the
/// blocking C engines never run on the cooperative thread pool.
///
/// Audio is queued with a bound (`maxInFlight` chunks): a producer faster than the decoder
/// waits instead of piling up memory.
final class RecognitionSession: @unchecked Sendable {
    // Everything below `queue` is touched only on `queue`, except `state` (under `lock`).
    private let queue: DispatchQueue
    private var pipeline: RecognitionPipeline?
    private var leftover: UInt8?

    private let lock = Lock()
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var cancelled = false

    private let continuation: AsyncThrowingStream<LiveEvent, Error>.Continuation
    let requestID: String
    static let maxInFlight = 64

    init(continuation: AsyncThrowingStream<LiveEvent, Error>.Continuation, requestID: String = UUID().uuidString.lowercased()) {
        self.continuation = continuation
        self.requestID = requestID
        queue = DispatchQueue(label: "captty.local-recognizer.\(requestID.prefix(8))")
    }

    private var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }

    /// Whether queued audio or a Finalize is still being worked through (the engine is behind).
    var hasPendingWork: Bool { lock.lock(); defer { lock.unlock() }; return inFlight > 0 }

    /// Stops work; queued audio is dropped.
    func cancel() { lock.lock(); cancelled = true; lock.unlock() }

    /// Loads the engines (on the queue) and reports `.open`. Throws when they cannot load.
    func start(config: LocalEngineConfiguration, options: LiveOptions, channelIndex: [Int] = [0, 1], logger: Logger) async throws {
        let cont = continuation
        let id = requestID
        try await run { () throws -> Void in
            self.pipeline = try RecognitionPipeline(config: config, options: options, requestID: id, channelIndex: channelIndex,
                                                    logger: logger) { cont.yield($0) }
            cont.yield(.open(requestID: id))
        }
    }

    /// Queues a chunk of 16 kHz mono linear16 audio.
    func push(_ chunk: AudioChunk) async {
        await waitForRoom()
        enqueue {
            guard let p = self.pipeline else { return }
            p.push(self.samples(from: chunk.data), gapBefore: chunk.gapBefore)
        }
    }

    /// Queues 16 kHz mono samples; `gapBefore` seconds of audio were lost just before them.
    func push(samples: [Int16], gapBefore: Double = 0) async {
        await waitForRoom()
        enqueue { self.pipeline?.push(samples, gapBefore: gapBefore) }
    }

    /// Ends the event stream (after `finish`, or on failure).
    func end(throwing error: Error? = nil) {
        if let error { continuation.finish(throwing: error) } else { continuation.finish() }
    }

    /// Deepgram's Finalize (`marked: false`: the same flush, its finals not `from_finalize`).
    func finalize(marked: Bool = true) async { await waitForRoom(); enqueue { self.pipeline?.finalize(marked: marked) } }

    /// Processes everything queued, then emits the last final, Metadata and close.
    func finish() async {
        try? await run { self.pipeline?.finish() }
    }

    /// Converts little-endian bytes into samples, carrying an odd byte to the next chunk.
    private func samples(from bytes: [UInt8]) -> [Int16] {
        var b = bytes
        if let l = leftover { b.insert(l, at: 0); leftover = nil }
        if b.count % 2 == 1 { leftover = b.removeLast() }
        var out = [Int16](repeating: 0, count: b.count / 2)
        for i in 0..<out.count { out[i] = Int16(bitPattern: UInt16(b[2 * i]) | UInt16(b[2 * i + 1]) << 8) }
        return out
    }

    // MARK: queue plumbing

    private func enqueue(_ work: @escaping @Sendable () -> Void) {
        lock.lock(); inFlight += 1; lock.unlock()
        queue.async {
            if !self.isCancelled { work() }
            self.lock.lock()
            self.inFlight -= 1
            let ready = self.inFlight < Self.maxInFlight ? self.waiters : []
            if !ready.isEmpty { self.waiters = [] }
            self.lock.unlock()
            for w in ready { w.resume() }
        }
    }

    private func waitForRoom() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            if inFlight < Self.maxInFlight { lock.unlock(); c.resume(); return }
            waiters.append(c)
            lock.unlock()
        }
    }

    /// Runs `work` on the queue after everything queued before it, and waits for it.
    private func run(_ work: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            queue.async {
                if self.isCancelled { c.resume(throwing: CancellationError()); return }
                do { try work(); c.resume() } catch { c.resume(throwing: error) }
            }
        }
    }
}
