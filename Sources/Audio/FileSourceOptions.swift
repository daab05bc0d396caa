/// How a file or stdin source delivers audio.
public struct FileSourceOptions: Sendable, Hashable {
    /// How fast chunks come out.
    public enum Pacing: Sendable, Hashable {
        /// As if captured live: each chunk when its last sample would have been recorded.
        case realTime
        /// As fast as the consumer takes them (`captty transcribe`).
        case asFastAsPossible
        /// Like `realTime`, `factor` times faster (benchmarks, soak and fault tests; `captty live --speed`).
        case faster(Double)
    }

    /// Encoding and rate the engine wants; channels 1 mixes down.
    public var output: AudioFormat
    /// Keep the file's channels instead of mixing down to `output.channels`.
    public var keepChannels: Bool
    /// Encodings the engine accepts natively: a file in one of them (at any rate) is sent as-is.
    public var passThrough: Set<SampleEncoding>
    public var pacing: Pacing
    /// Chunk length in seconds, 0.02…0.25.
    public var chunkDuration: Double
    /// The format of raw (headerless) input; a RIFF header always wins.
    public var rawFormat: PCMFormat?

    public init(output: AudioFormat = .speech16k, keepChannels: Bool = false, passThrough: Set<SampleEncoding> = [],
                pacing: Pacing = .realTime, chunkDuration: Double = 0.05, rawFormat: PCMFormat? = nil) {
        self.output = output; self.keepChannels = keepChannels; self.passThrough = passThrough
        self.pacing = pacing; self.chunkDuration = chunkDuration; self.rawFormat = rawFormat
    }
}

/// Checks a chunk duration (seconds) is within the supported 20–250 ms.
func validateChunkDuration(_ d: Double) throws(AudioError) {
    guard d >= 0.02 - 1e-9 && d <= 0.25 + 1e-9 else {
        throw .invalidParameter("chunk duration \(Int((d * 1000).rounded())) ms is outside the supported 20–250 ms")
    }
}
