import Audio
import Foundation
import LocalSpeech
import Testing
import TestSupport

/// Any encoding, rate and channel count becomes 16 kHz mono linear16 for the recognizer.
struct AudioConversionTests {
    @Test func stereoIsMixedDownOrKeptApartAndOddChunkBoundariesAreCarried() throws {
        let stereo = AudioFormat(encoding: .linear16, sampleRate: 16_000, channels: 2)
        // Frames (1000, 3000) and (-2000, 0), split mid-sample.
        let bytes: [UInt8] = [0xE8, 0x03, 0xB8, 0x0B, 0x30, 0xF8, 0x00, 0x00]
        var mix = try SpeechConverter(from: stereo)
        let a = mix.convert(Array(bytes[0..<3])), b = mix.convert(Array(bytes[3...]))
        #expect(a.isEmpty)
        #expect(b == [2000, -1000])
        var apart = try SpeechConverter(from: stereo, separateChannels: true)
        #expect(apart.convertChannels(bytes) == [[1000, -2000], [3000, 0]])
    }

    @Test func muLawAndALawBecomeLinear16() throws {
        // G.711: mu-law 0x80 and A-law 0xAA are the loudest positive codes.
        var mu = try SpeechConverter(from: AudioFormat(encoding: .mulaw, sampleRate: 16_000, channels: 1))
        var a = try SpeechConverter(from: AudioFormat(encoding: .alaw, sampleRate: 16_000, channels: 1))
        #expect(mu.convert([0x80, 0xFF]) == [32124, 0])
        #expect(a.convert([0xAA, 0xD5]) == [32256, 8])
    }

    /// Dominant frequency by counting zero crossings.
    func frequency(_ x: [Int16], rate: Double) -> Double {
        var crossings = 0
        for (a, b) in zip(x, x.dropFirst()) where (a < 0) != (b < 0) { crossings += 1 }
        return Double(crossings) / 2 / (Double(x.count) / rate)
    }

    @Test(arguments: [8_000, 22_050, 44_100, 48_000])
    func resamplingKeepsLengthAndPitch(rate: Int) throws {
        let seconds = 1.0
        let input = (0..<Int(Double(rate) * seconds)).map { Int16(10_000 * sin(2 * .pi * 440 * Double($0) / Double(rate))) }
        var bytes = [UInt8]()
        for s in input { let u = UInt16(bitPattern: s); bytes += [UInt8(u & 0xff), UInt8(u >> 8)] }
        var conv = try SpeechConverter(from: AudioFormat(encoding: .linear16, sampleRate: rate, channels: 1))
        // In uneven pieces, as a network stream would deliver them.
        var out: [Int16] = []
        var i = 0, step = 333
        while i < bytes.count { out += conv.convert(Array(bytes[i..<min(bytes.count, i + step)])); i += step; step = step == 333 ? 1_001 : 333 }
        out += conv.flush()
        #expect(abs(out.count - 16_000) <= 2, "\(out.count) samples")
        #expect(abs(frequency(out, rate: 16_000) - 440) < 5)
        let peak = out.dropFirst(100).dropLast(100).map { abs(Int($0)) }.max() ?? 0
        #expect(peak > 9_000 && peak < 11_000, "amplitude kept, got \(peak)")
    }

    @Test func aboveTheNewNyquistIsFilteredOut() throws {
        // 7 kHz at 48 kHz would alias to 9 kHz → 7 kHz ... it lies below 8 kHz, so use 11 kHz,
        // which must vanish (it would alias to 5 kHz without a filter).
        let rate = 48_000
        let input = (0..<rate).map { Int16(10_000 * sin(2 * .pi * 11_000 * Double($0) / Double(rate))) }
        var bytes = [UInt8]()
        for s in input { let u = UInt16(bitPattern: s); bytes += [UInt8(u & 0xff), UInt8(u >> 8)] }
        var conv = try SpeechConverter(from: AudioFormat(encoding: .linear16, sampleRate: rate, channels: 1))
        let out = conv.convert(bytes) + conv.flush()
        let peak = out.dropFirst(100).dropLast(100).map { abs(Int($0)) }.max() ?? 0
        #expect(peak < 500, "aliasing left a peak of \(peak)")
    }

    @Test func theMuLawRecordingReadsAs16kMono() throws {
        let url = TestPaths.deepgramFixtures.appendingPathComponent("audio/preamble-websocket.wav")
        let (format, _) = try WAVReader.read(url)
        #expect(format == AudioFormat(encoding: .mulaw, sampleRate: 8_000, channels: 1))
        let samples = try WAVReader.read16kMono(url)
        #expect(abs(Double(samples.count) / 16_000 - 19.1) < 0.05)
    }

    @Test func aFileThatIsNotWAVGivesAClearError() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("captty-not-a-wav-\(UUID()).wav")
        try Data("hello".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: LocalEngineError.unreadableAudio(path: url.path, detail: "not a RIFF/WAVE file (it starts with 'hell')")) {
            try WAVReader.read(url)
        }
    }

    /// A Finalize takes what the resampler holds back (8 kHz audio's final ended 6 ms short of
    /// the audio sent); what comes after leaves out as many samples, so the timeline is the one
    /// an undisturbed stream has, sample for sample after the drained stretch.
    @Test(arguments: [1, 2]) func aFinalizeDrainsTheResamplerWithoutShiftingTime(channels: Int) throws {
        let f = AudioFormat(encoding: .linear16, sampleRate: 8_000, channels: channels)
        let frames = 8_000
        let bytes = (0..<frames * channels).flatMap { i -> [UInt8] in
            let v = Int16(8_000 * sin(Double(i / channels) * 2 * .pi * 300 / 8_000))
            return [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8)]
        }
        var whole = try SpeechConverter(from: f, separateChannels: true)
        let reference = zip(whole.convertChannels(bytes), whole.flushChannels()).map { $0 + $1 }
        var split = try SpeechConverter(from: f, separateChannels: true)
        let cut = bytes.count / 2 - (bytes.count / 2) % (2 * channels)
        let before = split.convertChannels(Array(bytes[..<cut]))
        let drained = split.drainForFinalize()
        let held = drained.map { $0.count }
        #expect(held.count == channels && !held.contains(0), "nothing was held back: \(held)")
        let again = split.drainForFinalize()
        #expect(again.allSatisfy { $0.isEmpty }, "a second Finalize with no audio between gives nothing again")
        let after = zip(split.convertChannels(Array(bytes[cut...])), split.flushChannels()).map { $0 + $1 }
        for c in 0..<channels {
            let early = before[c].count + drained[c].count
            // As long as the undisturbed stream, and by the end of the first half it covers all of it.
            #expect(early + after[c].count == reference[c].count, "channel \(c): \(early) + \(after[c].count) vs \(reference[c].count)")
            #expect(early == cut / (2 * channels) * 2, "channel \(c): the first half's \(cut / (2 * channels)) frames give \(early) samples")
            let same = Array(reference[c].suffix(after[c].count)) == after[c]
            #expect(same, "channel \(c): the samples after the drained stretch moved")
        }
    }
}
