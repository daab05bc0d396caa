import Audio

/// Converts any supported stream into what the recognizer takes: 16 kHz linear16, mono (mixed
/// down) or one array per channel. A thin layer over the Audio module's `AudioConverter`.
public struct SpeechConverter: Sendable {
    private var converter: AudioConverter
    /// Output channels: 1, or the input's count when channels are kept apart.
    public let channels: Int

    public init(from format: AudioFormat, separateChannels: Bool = false) throws(LocalEngineError) {
        channels = separateChannels ? format.channels : 1
        do {
            converter = try AudioConverter(input: PCMFormat(format), output: AudioFormat(encoding: .linear16, sampleRate: 16_000, channels: channels))
        } catch {
            throw .unsupportedFormat("\(format) (\(error))")
        }
    }

    /// Output frames given early by `drainForFinalize`, to be left out of what comes next.
    private var skipFrames = 0

    /// Mono samples (channels mixed down, or the first channel when kept apart).
    public mutating func convert(_ bytes: [UInt8]) -> [Int16] { skipping(Self.samples(converter.convert(bytes))) }
    public mutating func flush() -> [Int16] { skipping(Self.samples(converter.flush())) }

    /// One array of samples per output channel.
    public mutating func convertChannels(_ bytes: [UInt8]) -> [[Int16]] { deinterleave(skipping(Self.samples(converter.convert(bytes)))) }
    public mutating func flushChannels() -> [[Int16]] { deinterleave(skipping(Self.samples(converter.flush()))) }

    /// The samples the resampler still holds back (a few milliseconds of the audio given), as
    /// the end of the input would give them, without ending it: for a Finalize, whose final
    /// must cover all the audio sent (8 kHz audio's ended 6 ms short, the rest coming in a
    /// final of its own after CloseStream). The same number of samples is left out of what
    /// comes next (they stand for the same instants), so the timeline stays exact.
    public mutating func drainForFinalize() -> [[Int16]] {
        var probe = converter
        let tail = Self.samples(probe.flush())
        let frames = tail.count / channels
        let fresh = frames - skipFrames
        guard fresh > 0 else { return deinterleave([]) }
        skipFrames = frames
        return deinterleave(Array(tail.suffix(fresh * channels)))
    }

    private mutating func skipping(_ s: [Int16]) -> [Int16] {
        guard skipFrames > 0 else { return s }
        let n = min(skipFrames, s.count / channels)
        skipFrames -= n
        return Array(s.dropFirst(n * channels))
    }

    private func deinterleave(_ s: [Int16]) -> [[Int16]] {
        guard channels > 1 else { return [s] }
        let frames = s.count / channels
        return (0..<channels).map { c in (0..<frames).map { s[$0 * channels + c] } }
    }

    static func samples(_ bytes: [UInt8]) -> [Int16] {
        var out = [Int16](repeating: 0, count: bytes.count / 2)
        for i in out.indices { out[i] = Int16(bitPattern: UInt16(bytes[2 * i]) | UInt16(bytes[2 * i + 1]) << 8) }
        return out
    }
}
