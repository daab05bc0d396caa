import Foundation
import Testing
@testable import LocalSpeech

/// DC offset and mains hum are taken out of the offline engine's input; speech frequencies pass.
struct LowCutFilterTests {
    /// `seconds` of `f(t)` (full scale 1) at 16 kHz, through the filter in 10 ms frames (as the
    /// pipeline feeds it); the energy (dBFS) of the last second.
    static func filteredEnergy(seconds: Double = 2, _ f: (Double) -> Double) -> (before: Double, after: Double) {
        var filter = LowCutFilter()
        let n = Int(seconds * 16_000)
        let samples = (0..<n).map { Int16(max(-32768, min(32767, (f(Double($0) / 16_000) * 32767).rounded()))) }
        var out: [Int16] = []
        for i in stride(from: 0, to: n, by: 160) { out += filter.process(samples[i..<min(n, i + 160)]) }
        return (SpeechSegmenter.energy(samples[(n - 16_000)...]), SpeechSegmenter.energy(out[(n - 16_000)...]))
    }

    @Test func aDCOffsetIsRemoved() {
        let (before, after) = Self.filteredEnergy { t in 0.2 + 0.000_1 * sin(2 * .pi * 1000 * t) }
        #expect(before > -15, "\(before)")
        #expect(after < -75, "a 0.2 offset leaves \(after) dBFS")
    }

    @Test(arguments: [50.0, 60.0])
    func mainsHumIsTakenDown(hz: Double) {
        let (before, after) = Self.filteredEnergy { t in 0.1 * sin(2 * .pi * hz * t) }
        #expect(before - after >= 23, "\(hz) Hz hum only \(before - after) dB down")
    }

    @Test(arguments: [250.0, 1000.0, 3000.0])
    func speechFrequenciesPass(hz: Double) {
        let (before, after) = Self.filteredEnergy { t in 0.3 * sin(2 * .pi * hz * t) }
        #expect(abs(before - after) < 1, "\(hz) Hz changed by \(after - before) dB")
    }

    /// The first frame starts at the offset: no step is taken for a sound.
    @Test func anOffsetFromTheFirstSampleDoesNotRing() {
        var filter = LowCutFilter()
        let first = filter.process(ArraySlice(repeating: Int16(8_000), count: 160))
        #expect(first.allSatisfy { abs($0) <= 1 }, "\(first.prefix(8))")
    }
}
