import Foundation
import Testing
import Audio

/// Float files may hold NaN and infinities (a broken or hostile writer); converting them to
/// integer encodings gives silence for NaN and full scale for ±infinity, never a trap.
/// Found by the WAV fuzzer (fuzz/wav/regressions/nan-float-sample-to-int16.bin).
struct NonFiniteSampleTests {
    private func f32(_ xs: [Float]) -> [UInt8] {
        xs.flatMap { x -> [UInt8] in let v = x.bitPattern; return [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
    }

    @Test func nanAndInfinityBecomeSilenceAndFullScaleInLinear16() throws {
        var c = try AudioConverter(input: PCMFormat(encoding: .f32le, sampleRate: 16_000, channels: 1),
                                   output: AudioFormat(encoding: .linear16, sampleRate: 16_000, channels: 1))
        let out = c.convert(f32([.nan, .infinity, -.infinity, 0.5, -.nan]))
        let samples = stride(from: 0, to: out.count, by: 2).map { Int16(bitPattern: UInt16(out[$0]) | UInt16(out[$0 + 1]) << 8) }
        #expect(samples == [0, 32767, -32768, 16384, 0])
    }

    /// Also in 32-bit float (Deepgram's `linear32`): NaN and infinities were passed on as they were.
    @Test func nanAndInfinityBecomeSilenceAndFullScaleInFloat32() throws {
        var c = try AudioConverter(input: PCMFormat(encoding: .f64le, sampleRate: 8_000, channels: 1),
                                   output: AudioFormat(encoding: .float32, sampleRate: 8_000, channels: 1))
        let doubles: [Double] = [.nan, 1e300, -1e300, 0, .infinity, -0.25]
        let bytes = doubles.flatMap { d -> [UInt8] in let v = d.bitPattern; return (0..<8).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        let out = c.convert(bytes)
        let samples = stride(from: 0, to: out.count, by: 4).map { i in
            Float(bitPattern: UInt32(out[i]) | UInt32(out[i + 1]) << 8 | UInt32(out[i + 2]) << 16 | UInt32(out[i + 3]) << 24)
        }
        #expect(samples == [0, 1, -1, 0, 1, -0.25])
    }

    /// An infinite sample every 1000 went through the resampler as is and made all of its
    /// output NaN, which became silence: a 6 s recording gave "no speech was recognised" while
    /// sox reads it, clipping (found in QA). Decoded floats are within [-1, 1].
    @Test func scatteredInfinitiesAreClippedAndTheAudioAroundThemKept() throws {
        var c = try AudioConverter(input: PCMFormat(encoding: .f32le, sampleRate: 22_050, channels: 1),
                                   output: AudioFormat(encoding: .linear16, sampleRate: 16_000, channels: 1))
        let tone = (0 ..< 22_050).map { i -> Float in i % 1000 == 0 ? .infinity : 0.5 * Float(sin(Double(i) * 2 * .pi * 440 / 22_050)) }
        let out = c.convert(f32(tone)) + c.flush()
        let samples = stride(from: 0, to: out.count, by: 2).map { Int16(bitPattern: UInt16(out[$0]) | UInt16(out[$0 + 1]) << 8) }
        #expect(samples.count > 15_000)
        // The tone is there: most samples are neither silence nor stuck at full scale.
        let live = samples.filter { abs(Int($0)) > 1000 && abs(Int($0)) < 32_000 }.count
        #expect(live > samples.count / 2, "\(live) of \(samples.count) samples carry the tone")
        var decoded: [Float] = []
        f32([.infinity, -.infinity, 2, -3, 0.25, .nan]).withUnsafeBytes { SampleCodec.decode($0, as: .f32le, into: &decoded) }
        #expect(decoded == [1, -1, 1, -1, 0.25, 0])
    }

    @Test func nanSurvivesMixingResamplingAndG711() throws {
        // Stereo float at 48 kHz, mixed down and resampled to 8 kHz mu-law: NaN spreads through the
        // filter, and every output byte is still a valid mu-law code for silence or a sample.
        var c = try AudioConverter(input: PCMFormat(encoding: .f32le, sampleRate: 48_000, channels: 2),
                                   output: AudioFormat(encoding: .mulaw, sampleRate: 8_000, channels: 1))
        let input = f32((0..<4_800).flatMap { i -> [Float] in i == 100 ? [.nan, .infinity] : [0.25, -0.25] })
        let out = c.convert(input) + c.flush()
        #expect(out.count == 800)
        #expect(out.contains(SampleCodec.mulaw(0)))
    }
}
