import Audio
import Deepgram
import Foundation
import SpeechEngines

/// Wraps a real engine and counts, per run (each `transcribe` call), the audio bytes it
/// actually pulled from its input stream (what reached the engine, not what the session meant
/// to send), and the interim results it delivered.
final class CountingEngine: SpeechEngine, @unchecked Sendable {
    let inner: any SpeechEngine
    private let lock = NSLock()
    private var perRun: [Int] = []
    private var interimCount = 0

    init(_ inner: any SpeechEngine) { self.inner = inner }

    var name: String { inner.name }

    /// Bytes read by each run, in the order the runs started.
    var bytesPerRun: [Int] { lock.withLock { perRun } }
    /// Interim results delivered, all runs together.
    var interims: Int { lock.withLock { interimCount } }

    func transcribe(_ audio: AsyncThrowingStream<AudioChunk, Error>, options: LiveOptions) -> AsyncThrowingStream<LiveEvent, Error> {
        let run = lock.withLock { perRun.append(0); return perRun.count - 1 }
        let counted = Self.forward(audio) { [self] chunk in lock.withLock { perRun[run] += chunk.data.count } }
        return Self.forward(inner.transcribe(counted, options: options)) { [self] e in
            if case .results(let r) = e, !r.isFinal { lock.withLock { interimCount += 1 } }
        }
    }

    /// A copy of `source` that calls `look` on each element as it passes.
    private static func forward<T: Sendable>(_ source: AsyncThrowingStream<T, Error>,
                                             _ look: @escaping @Sendable (T) -> Void) -> AsyncThrowingStream<T, Error> {
        let (out, c) = AsyncThrowingStream.makeStream(of: T.self)
        let task = Task {
            do {
                for try await x in source {
                    look(x)
                    c.yield(x)
                }
                c.finish()
            } catch { c.finish(throwing: error) }
        }
        c.onTermination = { _ in task.cancel() }
        return out
    }
}
