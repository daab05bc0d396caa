import Audio
import Deepgram

/// A speech recognizer that turns audio into Deepgram-shaped events.
///
/// Implemented by the Deepgram cloud client and by the offline recognizer alike, so the
/// session, store, UI and tests do not care which engine runs.
public protocol SpeechEngine: Sendable {
    /// A short name for the status bar (`deepgram`, `local`).
    var name: String { get }
    /// Transcribes `audio` until it ends, then finishes cleanly (Finalize/CloseStream or the
    /// local equivalent) and ends the returned stream. An empty chunk says the audio has
    /// stalled: what was heard so far is made final (Finalize), and the stream goes on.
    func transcribe(_ audio: AsyncThrowingStream<AudioChunk, Error>, options: LiveOptions) -> AsyncThrowingStream<LiveEvent, Error>
    /// The format audio sources should deliver for `options` (16 kHz mono linear16 unless the
    /// engine takes what the options ask for).
    func sourceFormat(for options: LiveOptions) -> AudioFormat
    /// The model that transcribes with `options`, for journals and exports (the options' `model`
    /// unless the engine has its own).
    func modelName(for options: LiveOptions) -> String?
    /// Why the engine runs degraded (the offline engine without Moonshine, a wrong
    /// `CAPTTY_MODEL_DIR`), said once to the user; nil when all is well.
    var notice: String? { get }
}

extension SpeechEngine {
    public var notice: String? { nil }
    public func sourceFormat(for options: LiveOptions) -> AudioFormat { .speech16k }
    public func modelName(for options: LiveOptions) -> String? { options.model?.rawValue }
}
