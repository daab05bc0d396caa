import Foundation
import TestSupport
import Testing
import Audio

/// The polyphase resampler: no aliasing or imaging above −60 dB on a sine sweep, exact length,
/// unity gain, and the same output however the input is chunked.
@Suite(.timeLimit(.minutes(3)))
struct ResamplerTests {
    static let pairs: [(Int, Int)] = [(22_050, 16_000), (44_100, 16_000), (8_000, 16_000), (48_000, 16_000), (16_000, 44_100), (44_100, 16_001)]

    /// Linear sweep 0 → input Nyquist over `seconds`, amplitude `a`; returns the phase function too.
    static func sweep(rate: Int, seconds: Double, a: Double = 0.5) -> (samples: [Float], phase: (Double) -> Double, freq: (Double) -> Double) {
        let f1 = Double(rate) / 2
        let phase: (Double) -> Double = { t in 2 * .pi * (f1 * t * t / (2 * seconds)) }
        let freq: (Double) -> Double = { t in f1 * t / seconds }
        let n = Int(Double(rate) * seconds)
        return ((0..<n).map { Float(a * sin(phase(Double($0) / Double(rate)))) }, phase, freq)
    }

    static func resampleInRandomChunks(_ x: [Float], _ r: inout Resampler, seed: UInt64) -> [Float] {
        var rng = SeededRandom(seed: seed)
        var out: [Float] = []
        var i = 0
        while i < x.count {
            let n = min(x.count - i, 1 + Int(rng.next() % 3000))
            out += r.process(Array(x[i..<(i + n)]))
            i += n
        }
        return out + r.flush()
    }

    @Test(arguments: pairs)
    func sineSweepHasNoAliasingAboveMinus60dB(inRate: Int, outRate: Int) {
        let seconds = 2.0
        let (x, phase, freq) = Self.sweep(rate: inRate, seconds: seconds)
        var r = Resampler(inputRate: inRate, outputRate: outRate)
        let y = Self.resampleInRandomChunks(x, &r, seed: 7)

        // Length: within one sample of ideal.
        let ideal = Double(x.count) * Double(outRate) / Double(inRate)
        #expect(abs(Double(y.count) - ideal) <= 1, "\(y.count) vs \(ideal)")

        let nyquist = Double(min(inRate, outRate)) / 2
        var errPass = 0.0, sigPass = 0.0, alias = 0.0, stopCount = 0
        for n in y.indices {
            let t = Double(n) / Double(outRate)
            guard t > 0.02 && t < seconds - 0.02 else { continue }
            let f = freq(t)
            if f < 0.88 * nyquist {
                let ref = 0.5 * sin(phase(t))
                errPass += (Double(y[n]) - ref) * (Double(y[n]) - ref)
                sigPass += ref * ref
            } else if f > nyquist * 1.01 {
                alias += Double(y[n]) * Double(y[n])
                stopCount += 1
            }
        }
        let passErrorDB = 10 * log10(errPass / sigPass)
        print("resampler \(inRate)->\(outRate): passband error \(passErrorDB) dB, stopband \(10 * log10(alias / (Double(max(stopCount, 1)) * 0.125))) dB, taps \(r.taps)")
        #expect(passErrorDB < -60, "passband error (aliasing/imaging + ripple) \(passErrorDB) dB")
        if inRate > outRate {
            // Everything above the output Nyquist must be removed, not folded back.
            let aliasDB = 10 * log10(alias / (Double(stopCount) * 0.125))
            #expect(stopCount > 1000)
            #expect(aliasDB < -60, "aliasing \(aliasDB) dB")
        }
    }

    @Test func chunkingDoesNotChangeTheOutput() {
        let x = Signal.sine(frequency: 440, rate: 22_050, seconds: 1).enumerated().map { $1 + Float($0 % 7) * 0.001 }
        var whole = Resampler(inputRate: 22_050, outputRate: 16_000)
        let a = whole.process(x) + whole.flush()
        var pieces = Resampler(inputRate: 22_050, outputRate: 16_000)
        let b = Self.resampleInRandomChunks(x, &pieces, seed: 99)
        #expect(a == b)
        var ones = Resampler(inputRate: 22_050, outputRate: 16_000)
        var c: [Float] = []
        for s in x.prefix(3000) { c += ones.process([s]) }
        var ref = Resampler(inputRate: 22_050, outputRate: 16_000)
        #expect(c == Array(ref.process(Array(x.prefix(3000))).prefix(c.count)))
    }

    @Test(arguments: pairs)
    func unityGainAtDC(inRate: Int, outRate: Int) {
        var r = Resampler(inputRate: inRate, outputRate: outRate)
        let y = r.process([Float](repeating: 0.5, count: inRate)) + r.flush()
        let middle = y[y.count / 4..<(3 * y.count / 4)]
        #expect(middle.allSatisfy { abs($0 - 0.5) < 1e-4 })
    }

    @Test func toneKeepsItsFrequencyAndTiming() {
        // A 1 kHz tone at 48 kHz → 16 kHz is the same tone with zero delay.
        let x = Signal.sine(frequency: 1000, rate: 48_000, seconds: 0.5, amplitude: 0.8)
        var r = Resampler(inputRate: 48_000, outputRate: 16_000)
        let y = r.process(x) + r.flush()
        let ref = Signal.sine(frequency: 1000, rate: 16_000, seconds: 0.5, amplitude: 0.8)
        let maxErr = zip(y, ref).dropFirst(400).dropLast(400).map { abs($0 - $1) }.max() ?? 1
        #expect(maxErr < 1e-3)
    }
}
