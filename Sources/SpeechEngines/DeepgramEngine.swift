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
            // Float audio is sent as linear16 (half the bytes) unless linear32 is asked for.
            case .linear16, .float32: o.encoding = .linear16
            case .mulaw: o.encoding = .mulaw
            case .alaw: o.encoding = .alaw
            }
        }
        if o.sampleRate == nil { o.sampleRate = format.sampleRate }
        if o.channels == nil { o.channels = format.channels }
        return o
    }

    /// Sources deliver linear16 at the sample rate and channel count the options ask for
    /// (16 kHz mono by default): a stereo file with `--channels 2 --multichannel` keeps both
    /// channels. Another encoding is made from it when sending (`WireEncoder`).
    public static func sourceFormat(_ options: LiveOptions) -> AudioFormat {
        AudioFormat(encoding: .linear16, sampleRate: options.sampleRate ?? 16_000, channels: options.channels ?? 1)
    }

    public func sourceFormat(for options: LiveOptions) -> AudioFormat { Self.sourceFormat(options) }

    /// The audio format `options` (as filled by `options(_:for:)`) announce to Deepgram: what
    /// the bytes sent must be. Throws a fatal `LiveError` for an encoding captty cannot produce
    /// (it sends uncompressed audio: linear16, linear32, mu-law or A-law).
    public static func wireFormat(_ options: LiveOptions) throws(LiveError) -> AudioFormat {
        let encoding: SampleEncoding
        switch options.encoding ?? .linear16 {
        case .linear16: encoding = .linear16
        case .linear32: encoding = .float32   // "32-bit, little endian, floating-point PCM"
        case .mulaw: encoding = .mulaw
        case .alaw: encoding = .alaw
        case let other:
            throw LiveError(kind: .badAudio, message: "encoding \(other) cannot be sent: captty sends uncompressed audio, "
                            + "as linear16 (the default), linear32, mulaw or alaw. Choose one of those with --encoding, or leave it out", isFatal: true)
        }
        let rate = options.sampleRate ?? 16_000
        guard (1_000...384_000).contains(rate) else {
            throw LiveError(kind: .badAudio, message: "sample rate \(rate) Hz cannot be sent: it is outside 1000 to 384000 Hz. "
                            + "Speech needs 8000 to 48000 Hz; set one with --sample-rate, or leave it out (16000)", isFatal: true)
        }
        return AudioFormat(encoding: encoding, sampleRate: rate, channels: options.channels ?? 1)
    }

    /// Turns chunks into the bytes `wire` announces: as they are when they already match,
    /// converted (re-encoded, resampled, mixed down) when the options ask for another format,
    /// e.g. `--encoding mulaw --sample-rate 8000` with 16 kHz audio. Deepgram reads the bytes as
    /// the options say, so sending anything else would caption noise or the wrong speed.
    struct WireEncoder {
        let wire: AudioFormat
        private var converter: AudioConverter?

        init(wire: AudioFormat) { self.wire = wire }

        mutating func encode(_ chunk: AudioChunk) throws(LiveError) -> [UInt8] {
            if chunk.format == wire { return chunk.data }
            if converter?.input != PCMFormat(chunk.format) {
                do {
                    converter = try AudioConverter(input: PCMFormat(chunk.format), output: wire)
                } catch {
                    throw LiveError(kind: .badAudio, message: "the audio (\(chunk.format)) cannot be sent as \(wire): \(error)", isFatal: true)
                }
            }
            return converter!.convert(chunk.data)
        }

        /// The resampler's last samples, at the end of the audio.
        mutating func flush() -> [UInt8] { converter?.flush() ?? [] }
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
                    let filled = Self.options(options, for: first.format)
                    var encoder = WireEncoder(wire: try Self.wireFormat(filled))
                    let bytes = try encoder.encode(first)
                    try await client.start(filled, waitForOpen: false)
                    try await client.send(bytes)
                    while let chunk = try await iterator.next() {
                        // An empty chunk: the audio has stalled; what was heard is made final.
                        // (A fatal end is thrown by the next send.)
                        if chunk.data.isEmpty { _ = try? await client.finalize(); continue }
                        let bytes = try encoder.encode(chunk)
                        if !bytes.isEmpty { try await client.send(bytes) }
                    }
                    let tail = encoder.flush()
                    if !tail.isEmpty { try await client.send(tail) }
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
