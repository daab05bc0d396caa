/// Converts a stream of input frames to the format an engine takes: decode, mix down, resample, encode.
///
/// Stateful across calls (partial frames and the resampler's history carry over), so any
/// chunking of the input gives the same output. When input and output formats are the
/// same, bytes pass through untouched (a mu-law 8 kHz file goes out as mu-law 8 kHz).
public struct AudioConverter: Sendable {
    public let input: PCMFormat
    public let output: AudioFormat
    /// True when bytes are passed through unchanged.
    public let isPassThrough: Bool

    private var resamplers: [Resampler]
    private var partial: [UInt8] = []
    /// When channels are mixed down: the largest input sample (absolute, full scale 1) and the
    /// largest mixed one. A loud input that mixes to silence has channels that cancel out (one
    /// the other inverted: a miswired microphone, a stereo effect).
    public private(set) var inputPeak: Float = 0
    public private(set) var mixPeak: Float = 0

    /// Whether the channels cancel out in the mix: the input reached −40 dBFS, the mix stayed
    /// under −60 dBFS.
    public var channelsCancelOut: Bool { inputPeak >= 0.01 && mixPeak < 0.001 }

    /// How each input channel counts in the mix down to one (nil: all alike, an average).
    public let mixWeights: [Float]?

    /// Output channels must be 1 (mixed down: by `mixWeights`, one per input channel, else by
    /// averaging) or the input's count (kept).
    public init(input: PCMFormat, output: AudioFormat, mixWeights: [Float]? = nil) throws(AudioError) {
        guard output.channels == 1 || output.channels == input.channels else {
            let choices = input.channels == 1 ? "1" : "1 (mixed down) or \(input.channels) (kept as they are)"
            throw .invalidParameter("the audio has \(input.channels) channel(s), which cannot become \(output.channels): ask for \(choices) (--channels)")
        }
        guard input.sampleRate > 0, output.sampleRate > 0 else {
            throw .invalidParameter("sample rates must be positive (input \(input.sampleRate), output \(output.sampleRate))")
        }
        self.input = input; self.output = output
        self.mixWeights = mixWeights?.count == input.channels && input.channels > 1 ? mixWeights : nil
        isPassThrough = input.audioFormat == output
        let n = input.sampleRate == output.sampleRate || isPassThrough ? 0 : output.channels
        // One design for every channel: copies share the (immutable) filter table, each keeps its
        // own history. Designing it per channel made a 64-channel file design 64 equal tables.
        resamplers = n == 0 ? [] : Array(repeating: Resampler(inputRate: input.sampleRate, outputRate: output.sampleRate), count: n)
    }

    /// Converts the next input bytes (any length; a partial frame waits for the rest).
    public mutating func convert(_ bytes: [UInt8]) -> [UInt8] {
        if isPassThrough && partial.isEmpty && bytes.count % input.bytesPerFrame == 0 { return bytes }
        var data = partial
        data.append(contentsOf: bytes)
        let whole = data.count - data.count % input.bytesPerFrame
        partial = Array(data[whole...])
        if isPassThrough { return Array(data[..<whole]) }
        var samples = [Float]()
        data.withUnsafeBytes { SampleCodec.decode(UnsafeRawBufferPointer(rebasing: $0[..<whole]), as: input.encoding, into: &samples) }
        return finish(samples)
    }

    /// Ends the input: drains the resampler. A trailing partial frame is dropped (it is not audio).
    public mutating func flush() -> [UInt8] {
        partial = []
        guard !resamplers.isEmpty else { return [] }
        let outs = resamplers.indices.map { resamplers[$0].flush() }
        return encode(interleave(outs))
    }

    private mutating func finish(_ samples: [Float]) -> [UInt8] {
        let ch = input.channels
        var planes: [[Float]]
        if output.channels == 1 {
            if ch == 1 {
                planes = [samples]
            } else {
                let frames = samples.count / ch
                var mono = [Float](repeating: 0, count: frames)
                let weights = mixWeights ?? [Float](repeating: 1 / Float(ch), count: ch)
                var peakIn = inputPeak, peakMix = mixPeak
                samples.withUnsafeBufferPointer { s in
                    weights.withUnsafeBufferPointer { w in
                        for f in 0..<frames {
                            var acc: Float = 0
                            for c in 0..<ch {
                                let v = s[f * ch + c]
                                acc += v * w[c]
                                peakIn = max(peakIn, abs(v))
                            }
                            mono[f] = acc
                            peakMix = max(peakMix, abs(mono[f]))
                        }
                    }
                }
                inputPeak = peakIn; mixPeak = peakMix
                planes = [mono]
            }
        } else {
            if resamplers.isEmpty { return encode(samples) }
            let frames = samples.count / ch
            planes = (0..<ch).map { c in (0..<frames).map { samples[$0 * ch + c] } }
        }
        if !resamplers.isEmpty {
            planes = planes.indices.map { resamplers[$0].process(planes[$0]) }
        }
        return encode(interleave(planes))
    }

    private func interleave(_ planes: [[Float]]) -> [Float] {
        if planes.count == 1 { return planes[0] }
        let frames = planes.map(\.count).min() ?? 0
        var out = [Float](repeating: 0, count: frames * planes.count)
        for (c, p) in planes.enumerated() { for f in 0..<frames { out[f * planes.count + c] = p[f] } }
        return out
    }

    private func encode(_ samples: [Float]) -> [UInt8] {
        var out = [UInt8]()
        samples.withUnsafeBufferPointer { SampleCodec.encode($0, as: output.encoding, into: &out) }
        return out
    }
}
