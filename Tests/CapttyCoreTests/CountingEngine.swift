import Audio
import Deepgram
import Foundation
import SpeechEngines

/// Wraps a real engine and counts the audio bytes each run (each `transcribe` call) actually
/// pulled from its input stream: what reached the engine, not what the session meant to send.
final class CountingEngine: SpeechEngine, @unchecked Sendable {
    let inner: any SpeechEngine
    private let lock = NSLock()
    private var perRun: [Int] = []

    init(_ inner: any SpeechEngine) { self.inner = inner }

    var name: String { inner.name }

    /// Bytes read by each run, in the order the runs started.
    var bytesPerRun: [Int] { lock.withLock { perRun } }

    func transcribe(_ audio: AsyncThrowingStream<AudioChunk, Error>, options: LiveOptions) -> AsyncThrowingStream<LiveEvent, Error> {
        let run = lock.withLock { perRun.append(0); return perRun.count - 1 }
        let (counted, c) = AsyncThrowingStream.makeStream(of: AudioChunk.self)
        let forward = Task { [self] in
            do {
                for try await chunk in audio {
                    lock.withLock { perRun[run] += chunk.data.count }
                    c.yield(chunk)
                }
                c.finish()
            } catch { c.finish(throwing: error) }
        }
        c.onTermination = { _ in forward.cancel() }
        return inner.transcribe(counted, options: options)
    }
}
