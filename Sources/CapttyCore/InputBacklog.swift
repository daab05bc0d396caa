import Audio
import Synchronization

/// Audio handed to an engine run but not yet taken by the engine.
///
/// A file read as fast as possible (`transcribe`-like speeds, `--speed 0`) would otherwise be
/// read ahead of a slower engine into memory, the whole file in the end. The session's pump
/// waits for room (`waitForRoom`) when the engine is more than `limit` bytes behind. Live
/// capture never waits here: a microphone cannot be paused, and the Deepgram client already
/// bounds what it holds (its replay buffer drops the oldest audio while disconnected).
final class InputBacklog: Sendable {
    private struct State {
        var bytes = 0
        var closed = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())
    /// The pump waits while more than this many bytes are waiting for the engine.
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Bytes given to the engine's input.
    func added(_ n: Int) { state.withLock { $0.bytes += n } }

    /// Bytes the engine took; wakes the pump when the backlog is down to half the limit.
    func taken(_ n: Int) {
        let ready: [CheckedContinuation<Void, Never>] = state.withLock { s in
            s.bytes -= n
            guard s.bytes <= limit / 2 else { return [] }
            defer { s.waiters = [] }
            return s.waiters
        }
        for c in ready { c.resume() }
    }

    /// The engine run ended: nobody will take the rest, so nobody may wait for it.
    func close() {
        let ready: [CheckedContinuation<Void, Never>] = state.withLock { s in
            s.closed = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for c in ready { c.resume() }
    }

    /// Bytes waiting for the engine (tests, the benchmark).
    var waitingBytes: Int { state.withLock { $0.bytes } }

    /// Whether the pump is waiting for the engine to take audio (no chunks come meanwhile,
    /// and that is not silence).
    var holdsThePump: Bool { state.withLock { !$0.waiters.isEmpty } }

    /// Returns at once while the backlog is within `limit`; otherwise when the engine has taken
    /// enough (or the run ended).
    func waitForRoom() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now: Bool = state.withLock { s in
                if s.closed || s.bytes <= limit { return true }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    /// `input` as the engine should see it: every chunk it takes is subtracted here.
    func counting(_ input: AsyncThrowingStream<AudioChunk, Error>) -> AsyncThrowingStream<AudioChunk, Error> {
        let iterator = IteratorBox(input.makeAsyncIterator())
        return AsyncThrowingStream(unfolding: { [self] in
            let chunk = try await iterator.next()
            if let chunk { taken(chunk.data.count) }
            return chunk
        })
    }

    /// The input's iterator, used by the engine's one consumer task.
    private final class IteratorBox: @unchecked Sendable {
        var iterator: AsyncThrowingStream<AudioChunk, Error>.Iterator
        init(_ iterator: AsyncThrowingStream<AudioChunk, Error>.Iterator) { self.iterator = iterator }
        func next() async throws -> AudioChunk? { try await iterator.next() }
    }
}
