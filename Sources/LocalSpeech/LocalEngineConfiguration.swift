import Deepgram

/// How the offline engine decodes, and the models it uses.
public struct LocalEngineConfiguration: Sendable, Equatable {
    /// Which engines make the finals.
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        /// PocketSphinx endpoints and partials, Moonshine finals (accurate; needs Moonshine).
        case hybrid
        /// PocketSphinx for everything (fast, ~28% WER on read speech).
        case sphinxOnly = "sphinx"
    }

    public var models: LocalModels
    public var mode: Mode
    /// Audio time between interim results while speaking.
    public var interimInterval: Double = 0.25
    /// Voice activity and endpointing (frame lengths are 10 ms).
    public var segmenter = SpeechSegmenter.Config()
    /// Silence after which Moonshine starts decoding an utterance that has probably ended, so
    /// its final is ready when the pause is confirmed (0 disables; hybrid mode only).
    public var speculationDelay: Double = 0.15
    /// Audio time between Moonshine re-decodes of the utterance so far, which replace the start
    /// of interim results with accurate text (0 disables; hybrid mode only). Off by default:
    /// measured, it brought interims only a little closer to the finals (56 → 46% word
    /// difference on the preamble) for 1.8× the CPU and 0.6 s later finals (docs/local-engine.md).
    public var moonshineInterimInterval: Double = 0
    /// The end of such a partial decode is not trusted (a word may be cut off): its words that
    /// end within this many seconds of the decoded audio's end are taken from PocketSphinx.
    public var moonshineInterimHoldback: Double = 0.6
    /// Resident memory past which the Moonshine worker process is replaced (it leaks).
    public var moonshineMemoryLimitMB: Double = 1_200
    /// The Moonshine worker program; nil looks for it (`$CAPTTY_MOONSHINE_WORKER`, next to captty).
    public var moonshineWorkerPath: String?
    /// How long the worker may take to load and to answer before it is killed and replaced.
    public var moonshineDeadlines = MoonshineDeadlines()
    /// Silence (zeros) appended to a segment before Moonshine decodes it.
    public var moonshinePadding: Double = 0.25
    /// Silence (zeros) put before a segment Moonshine decodes. A segment that began mid-speech
    /// (a Finalize cut the sentence, a split) came back empty: "jumps over the lazy dog" after a
    /// Finalize at 2.0 s was lost, though the interims had shown words.
    public var moonshineLeadIn: Double = 0.15
    /// Speech before the detected onset kept with an utterance (the detector starts late).
    public var preroll: Double = 0.2
    /// Silence after the last speech frame kept with an utterance.
    public var tail: Double = 0.15
    /// Between utterances, an empty final closes each this many seconds of silence (as Deepgram
    /// sends empty transcripts for silence), so clients that track time from Results see no gaps.
    /// It trails the audio by the reach of the next utterance's start (preroll, input boost).
    public var silenceFinalInterval: Double = 1
    /// A Moonshine transcript faster than this (words per second of segment) is treated as
    /// invented text and replaced by PocketSphinx's.
    public var maxWordsPerSecond: Double = 7

    /// Hybrid when Moonshine is installed, else PocketSphinx only.
    public init(models: LocalModels, mode: Mode? = nil) {
        self.models = models
        self.mode = mode ?? (models.moonshine == nil ? .sphinxOnly : .hybrid)
        if self.mode == .hybrid, models.moonshine == nil { self.mode = .sphinxOnly }
    }

    /// Longest utterance before it is split, in seconds.
    public var maxUtteranceSeconds: Double {
        get { Double(segmenter.maxUtteranceFrames) / 100 }
        set { segmenter.maxUtteranceFrames = max(200, Int(newValue * 100)) }
    }

    /// Pause that ends an utterance (speech_final), in seconds.
    public var endpointingSeconds: Double {
        get { Double(segmenter.hangoverFrames) / 100 }
        set { segmenter.hangoverFrames = max(5, Int(newValue * 100)) }
    }

    /// `metadata.model_info` of the results this configuration produces.
    public var modelInfo: ModelInfo {
        switch mode {
        case .hybrid:
            return ModelInfo(name: "captty-local-moonshine-base-en",
                             version: "moonshine-\(models.moonshine?.version ?? "?")+pocketsphinx-5prealpha", arch: "moonshine")
        case .sphinxOnly:
            return ModelInfo(name: "captty-local-pocketsphinx-en-us", version: "pocketsphinx-5prealpha", arch: "pocketsphinx")
        }
    }

    /// A stable UUID-shaped identifier for `modelInfo` (Deepgram's `model_uuid`).
    public var modelUUID: String {
        // FNV-1a over the model name and version, spread over 128 bits.
        var h1: UInt64 = 0xcbf29ce484222325, h2: UInt64 = 0x84222325cbf29ce4
        for b in (modelInfo.name + "|" + modelInfo.version).utf8 {
            h1 = (h1 ^ UInt64(b)) &* 0x100000001b3
            h2 = (h2 ^ UInt64(b)) &* 0x100000001b3 &+ 7
        }
        let hex = String(h1, radix: 16).leftPad(16) + String(h2, radix: 16).leftPad(16)
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }
}

private extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
