import Audio
import Deepgram
import FoundationEssentials
import SystemSupport
import Logging
import SpeechEngines

/// The built-in offline speech engine: captions with no API key and no network.
///
/// PocketSphinx finds utterances and streams interim results; Moonshine, when installed,
/// re-decodes each utterance for an accurate final (see docs/local-engine.md for why). It
/// emits the same `LiveEvent`s as Deepgram — `.open`, `.speechStarted`, interim and final
/// `.results` with word timings and `model_info`, `.utteranceEnd`, then `.metadata` and
/// `.close(1000)` — so the store and UI cannot tell it from the cloud.
///
/// Input: 16 kHz mono linear16 chunks only; the caller converts other formats.
public struct LocalRecognizer: SpeechEngine {
    public let configuration: LocalEngineConfiguration
    private let logger: Logger

    /// `local` with Moonshine finals; `local-sphinx` when only PocketSphinx is available.
    public var name: String { configuration.mode == .hybrid ? "local" : "local-sphinx" }

    /// Why the engine runs degraded (Moonshine absent), to show once; nil when all is well.
    public var notice: String? {
        guard configuration.mode == .sphinxOnly, configuration.models.moonshine == nil else { return nil }
        return "offline engine: Moonshine is not installed, captions use PocketSphinx only (less accurate); run scripts/install-local-engine"
    }

    public init(configuration: LocalEngineConfiguration, logger: Logger = Logger(label: "captty.local")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Finds the installed models (see `LocalModels.discover`) and picks the best mode.
    public static func discover(mode: LocalEngineConfiguration.Mode? = nil, logger: Logger = Logger(label: "captty.local")) throws(LocalEngineError) -> LocalRecognizer {
        let models = try LocalModels.discover()
        let r = LocalRecognizer(configuration: LocalEngineConfiguration(models: models, mode: mode), logger: logger)
        if let n = r.notice { NoticeOnce.shared.say(n, logger: logger) }
        return r
    }

    public func transcribe(_ audio: AsyncThrowingStream<AudioChunk, Error>, options: LiveOptions) -> AsyncThrowingStream<LiveEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<LiveEvent, Error>.makeStream()
        let session = RecognitionSession(continuation: continuation)
        let config = configuration
        let logger = logger
        let task = Task {
            do {
                try await session.start(config: config, options: options, logger: logger)
                for try await chunk in audio {
                    guard chunk.format == .speech16k else {
                        throw LiveError(kind: .badAudio, message: LocalEngineError.unsupportedFormat(chunk.format.description).description, isFatal: true)
                    }
                    await session.push(chunk)
                }
                await session.finish()
                continuation.finish()
            } catch let e as LocalEngineError {
                continuation.finish(throwing: LiveError(kind: .engine, message: e.description, isFatal: true))
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in
            session.cancel()
            task.cancel()
        }
        return stream
    }

    /// Opens a stream driven by the caller (the server): samples, Finalize and finish go to the
    /// returned session; events come out of the returned stream. `start` must be awaited first.
    func openStream(requestID: String) -> (session: RecognitionSession, events: AsyncThrowingStream<LiveEvent, Error>) {
        let (stream, continuation) = AsyncThrowingStream<LiveEvent, Error>.makeStream()
        let session = RecognitionSession(continuation: continuation, requestID: requestID)
        continuation.onTermination = { _ in session.cancel() }
        return (session, stream)
    }

    var engineLogger: Logger { logger }

    /// Transcribes 16 kHz mono samples (a whole file) and returns every event, in order.
    /// The simple entry point behind `captty transcribe`.
    public func transcribe(samples: [Int16], options: LiveOptions = .captionDefaults) async throws -> [LiveEvent] {
        var events: [LiveEvent] = []
        for try await e in transcribe(Self.chunks(of: samples), options: options) { events.append(e) }
        return events
    }

    /// Transcribes a WAV file (any rate, channels mixed down) and returns every event, in order.
    public func transcribe(file: URL, options: LiveOptions = .captionDefaults) async throws -> [LiveEvent] {
        try await transcribe(samples: try WAVReader.read16kMono(file), options: options)
    }

    /// Splits samples into 100 ms chunks of `AudioFormat.speech16k`.
    public static func chunks(of samples: [Int16], chunkSeconds: Double = 0.1) -> AsyncThrowingStream<AudioChunk, Error> {
        let n = max(1, Int(chunkSeconds * 16_000))
        return AsyncThrowingStream { c in
            var i = 0
            while i < samples.count {
                let part = samples[i..<min(samples.count, i + n)]
                var bytes = [UInt8](); bytes.reserveCapacity(part.count * 2)
                for s in part { let u = UInt16(bitPattern: s); bytes.append(UInt8(u & 0xff)); bytes.append(UInt8(u >> 8)) }
                c.yield(AudioChunk(format: .speech16k, data: bytes, startFrame: Int64(i)))
                i += n
            }
            c.finish()
        }
    }
}

/// Says a message once per process.
final class NoticeOnce: @unchecked Sendable {
    static let shared = NoticeOnce()
    private let lock = Lock()
    private var said = Set<String>()
    func say(_ message: String, logger: Logger) {
        lock.lock(); let first = said.insert(message).inserted; lock.unlock()
        if first { logger.warning("\(message)") }
    }
}
