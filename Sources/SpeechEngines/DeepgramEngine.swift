import Audio
import Deepgram

/// Deepgram's live API as a `SpeechEngine`: streams `AudioChunk`s through a `LiveClient`.
///
/// Encoding, sample rate and channels come from the first chunk's format when the options do
/// not set them (float32 audio is converted to linear16, which Deepgram reads). At the end of
/// the audio it calls `finish()`, so the last results arrive before the stream ends. A fatal
/// error is yielded as `.error` and `.close`, then thrown; an audio source error is thrown
/// after the audio received so far has been finished.
public struct DeepgramEngine: SpeechEngine {
    public let name = "deepgram"
    public let credential: Credential
    public let configuration: LiveClientConfiguration

    public init(credential: Credential, configuration: LiveClientConfiguration = LiveClientConfiguration()) {
        self.credential = credential
        self.configuration = configuration
    }

    /// The options for audio in `format`: fields the caller left unset are filled in.
    public static func options(_ options: LiveOptions, for format: AudioFormat) -> LiveOptions {
        var o = options
        if o.encoding == nil {
            switch format.encoding {
            case .linear16, .float32: o.encoding = .linear16
            case .linear32: o.encoding = .linear32
            case .mulaw: o.encoding = .mulaw
            case .alaw: o.encoding = .alaw
            }
        }
        if o.sampleRate == nil { o.sampleRate = format.sampleRate }
        if o.channels == nil { o.channels = format.channels }
        return o
    }

    /// The bytes to send for `chunk`: float32 becomes linear16, everything else is sent as is.
    static func payload(_ chunk: AudioChunk) -> [UInt8] {
        guard chunk.format.encoding == .float32 else { return chunk.data }
        let n = chunk.data.count / 4
        var out = [UInt8](repeating: 0, count: n * 2)
        chunk.data.withUnsafeBytes { raw in
            for i in 0..<n {
                let bits = raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self).littleEndian
                let f = Float(bitPattern: bits)
                let s = Int16(max(-32768, min(32767, (f * 32767).rounded())))
                let u = UInt16(bitPattern: s)
                out[2 * i] = UInt8(u & 0xff); out[2 * i + 1] = UInt8(u >> 8)
            }
        }
        return out
    }

    public func transcribe(_ audio: AsyncThrowingStream<AudioChunk, Error>, options: LiveOptions) -> AsyncThrowingStream<LiveEvent, Error> {
        let credential = credential, configuration = configuration
        return AsyncThrowingStream { continuation in
            let task = Task(executorPreference: configuration.executor) {
                var iterator = audio.makeAsyncIterator()
                let first: AudioChunk?
                do { first = try await iterator.next() } catch {
                    continuation.finish(throwing: error); return
                }
                guard let first else { continuation.finish(); return } // no audio: nothing to do
                let client = LiveClient(credential: credential, configuration: configuration)
                let events = client.events
                let forward = Task(executorPreference: configuration.executor) {
                    for await e in events { continuation.yield(e) }
                }
                var failure: Error?
                do {
                    // Audio keeps flowing into the client while it connects: it holds what the
                    // replay limit allows (dropping the oldest, and saying so) instead of it
                    // piling up here without bound while the network is down.
                    try await client.start(Self.options(options, for: first.format), waitForOpen: false)
                    try await client.send(Self.payload(first))
                    while let chunk = try await iterator.next() {
                        try await client.send(Self.payload(chunk))
                    }
                } catch {
                    failure = error
                }
                if Task.isCancelled {
                    await client.cancel()
                } else {
                    await client.finish()
                }
                // A fatal end while the audio was still queued (e.g. a refused key on the first
                // connection) is thrown like one seen by `send`.
                if failure == nil, let fatal = await client.fatalFailure { failure = fatal }
                await forward.value
                if let failure { continuation.finish(throwing: failure) } else { continuation.finish() }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
