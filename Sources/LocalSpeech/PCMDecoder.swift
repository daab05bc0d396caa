import Audio
import Foundation

/// Decodes interleaved audio bytes into mono float samples in [-1, 1] (channels averaged).
///
/// Keeps an incomplete trailing frame for the next call, so chunk boundaries may fall anywhere.
public struct PCMDecoder: Sendable {
    public let format: AudioFormat
    private var carry: [UInt8] = []

    public init(format: AudioFormat) { self.format = format }

    public mutating func decode(_ bytes: [UInt8]) -> [Float] {
        let perChannel = decodeChannels(bytes)
        guard perChannel.count > 1 else { return perChannel.first ?? [] }
        var out = perChannel[0]
        for c in perChannel.dropFirst() { for i in out.indices { out[i] += c[i] } }
        let k = Float(perChannel.count)
        for i in out.indices { out[i] /= k }
        return out
    }

    /// Decodes into one array of samples per channel.
    public mutating func decodeChannels(_ bytes: [UInt8]) -> [[Float]] {
        let data = carry.isEmpty ? bytes : carry + bytes
        let fb = format.bytesPerFrame
        guard fb > 0 else { return [] }
        let frames = data.count / fb
        carry = Array(data[(frames * fb)...])
        let ch = format.channels, bps = format.encoding.bytesPerSample
        var out = [[Float]](repeating: [Float](repeating: 0, count: frames), count: ch)
        data.withUnsafeBytes { raw in
            for f in 0..<frames {
                for c in 0..<ch {
                    out[c][f] = Self.sample(raw, at: f * fb + c * bps, encoding: format.encoding)
                }
            }
        }
        return out
    }

    private static func sample(_ raw: UnsafeRawBufferPointer, at o: Int, encoding: SampleEncoding) -> Float {
        switch encoding {
        case .linear16:
            return Float(Int16(bitPattern: UInt16(raw[o]) | UInt16(raw[o + 1]) << 8)) / 32768
        case .linear32:
            let u = UInt32(raw[o]) | UInt32(raw[o + 1]) << 8 | UInt32(raw[o + 2]) << 16 | UInt32(raw[o + 3]) << 24
            return Float(Int32(bitPattern: u)) / 2_147_483_648
        case .float32:
            let u = UInt32(raw[o]) | UInt32(raw[o + 1]) << 8 | UInt32(raw[o + 2]) << 16 | UInt32(raw[o + 3]) << 24
            return Float(bitPattern: u)
        case .mulaw: return Float(mulaw(raw[o])) / 32768
        case .alaw: return Float(alaw(raw[o])) / 32768
        }
    }

    /// G.711 mu-law to linear (ITU-T reference decoding).
    public static func mulaw(_ byte: UInt8) -> Int16 {
        let u = ~byte
        let t = ((Int(u & 0x0f) << 3) + 0x84) << Int((u & 0x70) >> 4)
        return Int16(u & 0x80 != 0 ? 0x84 - t : t - 0x84)
    }

    /// G.711 A-law to linear.
    public static func alaw(_ byte: UInt8) -> Int16 {
        let a = byte ^ 0x55
        var t = Int(a & 0x0f) << 4
        let seg = Int((a & 0x70) >> 4)
        switch seg {
        case 0: t += 8
        case 1: t += 0x108
        default: t += 0x108; t <<= seg - 1
        }
        return Int16(a & 0x80 != 0 ? t : -t)
    }
}

/// Converts any supported stream into what the recognizer takes: 16 kHz mono linear16.
public struct SpeechConverter: Sendable {
    private var decoder: PCMDecoder
    private var resampler: StreamingResampler

    public init(from format: AudioFormat) {
        decoder = PCMDecoder(format: format)
        resampler = StreamingResampler(from: format.sampleRate, to: 16_000)
    }

    public mutating func convert(_ bytes: [UInt8]) -> [Int16] { Self.quantise(resampler.process(decoder.decode(bytes))) }
    public mutating func flush() -> [Int16] { Self.quantise(resampler.flush()) }

    static func quantise(_ x: [Float]) -> [Int16] {
        x.map { Int16(max(-32768, min(32767, ($0 * 32768).rounded()))) }
    }
}
