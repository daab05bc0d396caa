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
        let dirProblem = configuration.models.modelDirProblem
        guard configuration.mode == .sphinxOnly, configuration.models.moonshine == nil else {
            // Moonshine's models are there but not the program that runs them: every stream
            // fell back to PocketSphinx, said only in the log when the first one opened (a
            // server copied without its worker; found in QA).
            if configuration.mode == .hybrid, configuration.models.moonshine != nil,
               configuration.moonshineWorkerPath == nil, MoonshineProcess.findWorker() == nil {
                return "offline engine: the helper program captty-moonshine-worker is not next to captty (nor named by "
                    + "CAPTTY_MOONSHINE_WORKER), so captions use PocketSphinx only (less accurate); install captty with "
                    + "`make install`, or keep the worker in the same folder as the captty binary"
            }
            // Found elsewhere: the variable still points at the wrong place.
            return dirProblem.map { "offline engine: \($0); using the models found elsewhere" }
        }
        return "offline engine: Moonshine is not installed\(dirProblem.map { " (\($0))" } ?? ""), captions use PocketSphinx "
            + "only (less accurate); install it with `make install` (or scripts/install-local-engine) in captty's source, "
            + "or set CAPTTY_MODEL_DIR to where its models are"
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

    /// 16 kHz linear16: mono, or with `multichannel` one channel per recognizer (`channels` of them).
    public func sourceFormat(for options: LiveOptions) -> AudioFormat { Self.sourceFormat(options) }

    /// What `sourceFormat(for:)` answers, known before an engine is made.
    public static func sourceFormat(_ options: LiveOptions) -> AudioFormat {
        AudioFormat(encoding: .linear16, sampleRate: 16_000, channels: separateChannels(options))
    }

    /// How many channels are recognised separately: `channels` with `multichannel`, else one
    /// (the source mixes them down).
    static func separateChannels(_ options: LiveOptions) -> Int {
        options.multichannel == true ? max(1, min(options.channels ?? 1, 32)) : 1
    }

    /// The model results report (`model_info.arch`: moonshine or pocketsphinx), whatever
    /// `model` the options name.
    public func modelName(for options: LiveOptions) -> String? { configuration.modelInfo.arch }

    /// Why the engine cannot take `options` (a language other than English), as the server
    /// refuses such a request; nil when it can.
    public static func refusal(_ options: LiveOptions) -> String? {
        guard let lang = options.language?.rawValue.lowercased(), lang != "en", !lang.hasPrefix("en-") else { return nil }
        return "the offline engine transcribes English (en) only, not '\(options.language!.rawValue)'; "
            + "for other languages use Deepgram (--engine deepgram with DEEPGRAM_API_KEY set)"
    }

    /// The options the engine does not implement, by their flags (empty when none is asked for).
    public static func ignoredOptions(_ options: LiveOptions) -> [String] {
        var out: [String] = []
        if options.diarize == true { out.append("--diarize") }
        if options.diarizeModel != nil { out.append("--diarize-model") }
        if options.detectEntities == true { out.append("--detect-entities") }
        if !(options.languageHint ?? []).isEmpty { out.append("--language-hint") }
        if !options.redact.isEmpty { out.append("--redact") }
        if !options.keyterm.isEmpty { out.append("--keyterm") }
        if !options.keywords.isEmpty { out.append("--keywords") }
        if !options.search.isEmpty { out.append("--search") }
        if !options.replace.isEmpty { out.append("--replace") }
        return out
    }

    public func transcribe(_ audio: AsyncThrowingStream<AudioChunk, Error>, options: LiveOptions) -> AsyncThrowingStream<LiveEvent, Error> {
        if let why = Self.refusal(options) {
            return AsyncThrowingStream { $0.finish(throwing: LiveError(kind: .badRequest, message: why, isFatal: true)) }
        }
        let ignored = Self.ignoredOptions(options)
        let notice: LiveEvent? = ignored.isEmpty || !IgnoredOptionsNotice.shared.first(ignored) ? nil
            : .error(LiveError(kind: .engine, message: "the offline engine does not implement \(ignored.joined(separator: ", ")): "
                               + "\(ignored.count == 1 ? "it is" : "they are") ignored", isFatal: false))
        let channels = Self.separateChannels(options)
        return channels > 1 ? transcribeChannels(audio, options: options, count: channels, notice: notice)
            : transcribeMono(audio, options: options, notice: notice)
    }

    /// `notice` (if any) follows `.open`.
    private func transcribeMono(_ audio: AsyncThrowingStream<AudioChunk, Error>, options: LiveOptions,
                                notice: LiveEvent?) -> AsyncThrowingStream<LiveEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<LiveEvent, Error>.makeStream()
        let session = RecognitionSession(continuation: continuation)
        let config = configuration
        let logger = logger
        let task = Task {
            do {
                try await session.start(config: config, options: options, logger: logger)
                if let notice { continuation.yield(notice) }
                for try await chunk in audio {
                    // An empty chunk: the audio has stalled; what was heard is made final.
                    if chunk.data.isEmpty { await session.finalize(); continue }
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

    /// `multichannel`: one recognition session per channel (`channel_index [c, count]`), as the
    /// server does for a multichannel stream; one `.open`, then every channel's results as they
    /// come, then one Metadata (for all channels) and one close.
    private func transcribeChannels(_ audio: AsyncThrowingStream<AudioChunk, Error>, options: LiveOptions,
                                    count: Int, notice: LiveEvent?) -> AsyncThrowingStream<LiveEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<LiveEvent, Error>.makeStream()
        let requestID = UUID().uuidString.lowercased()
        let opened = (0..<count).map { _ in openStream(requestID: requestID) }
        let sessions = opened.map(\.session)
        let config = configuration
        let logger = logger
        let format = Self.sourceFormat(options)
        let task = Task {
            var forwarders: [Task<Metadata?, Never>] = []
            do {
                for (c, s) in sessions.enumerated() {
                    try await s.start(config: config, options: options, channelIndex: [c, count], logger: logger)
                }
                continuation.yield(.open(requestID: requestID))
                if let notice { continuation.yield(notice) }
                for (_, events) in opened {
                    forwarders.append(Task {
                        var meta: Metadata?
                        do {
                            for try await e in events {
                                switch e {
                                case .open, .close: continue
                                case .metadata(let m): meta = m
                                default: continuation.yield(e)
                                }
                            }
                        } catch {
                            continuation.yield(.error(LiveError(kind: .engine, message: "\(error)", isFatal: false)))
                        }
                        return meta
                    })
                }
                // The server's channel splitter (16 kHz linear16 in, one array per channel out).
                var splitter = try SpeechConverter(from: format, separateChannels: true)
                for try await chunk in audio {
                    if chunk.data.isEmpty {
                        for s in sessions { await s.finalize() }
                        continue
                    }
                    guard chunk.format == format else {
                        throw LiveError(kind: .badAudio, message: LocalEngineError.unsupportedFormat(chunk.format.description).description, isFatal: true)
                    }
                    let perChannel = splitter.convertChannels(chunk.data)
                    for (c, s) in sessions.enumerated() where !perChannel[c].isEmpty {
                        await s.push(samples: perChannel[c], gapBefore: chunk.gapBefore)
                    }
                }
                for s in sessions { await s.finish(); s.end() }
                var meta: Metadata?
                for f in forwarders { if let m = await f.value, meta == nil { meta = m } }
                if var m = meta {
                    m.channels = count
                    continuation.yield(.metadata(m))
                }
                continuation.yield(.close(code: 1000, reason: ""))
                continuation.finish()
            } catch let e as LocalEngineError {
                for s in sessions { s.cancel(); s.end() }
                continuation.finish(throwing: LiveError(kind: .engine, message: e.description, isFatal: true))
            } catch {
                for s in sessions { s.cancel(); s.end() }
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in
            for s in sessions { s.cancel(); s.end() }
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

/// Whether a key was seen before (thread-safe): the one "only the first time" of this module.
final class FirstTimes<Key: Hashable & Sendable>: @unchecked Sendable {
    private let lock = Lock()
    private var seen = Set<Key>()
    /// True the first time `key` is asked about, false after.
    func first(_ key: Key) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return seen.insert(key).inserted
    }
}

/// Which sets of ignored options were already pointed out (once per process: a live session
/// restarts the engine on every option change).
enum IgnoredOptionsNotice {
    static let shared = FirstTimes<[String]>()
}

/// Says a message once per process.
final class NoticeOnce: Sendable {
    static let shared = NoticeOnce()
    private let said = FirstTimes<String>()
    func say(_ message: String, logger: Logger) {
        if said.first(message) { logger.warning("\(message)") }
    }
}
