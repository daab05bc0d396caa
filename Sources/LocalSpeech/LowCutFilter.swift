import FoundationEssentials
import Glibc

/// Takes what is not speech out of the offline engine's input before anything measures it.
///
/// Found in QA: a small DC offset (a cheap sound card, a recording made with a bias) or 50 Hz
/// mains hum filled every 10 ms frame with steady energy, so the voice detector's noise floor sat
/// just under the speech and whole sentences, or all of them, were never captioned (and the
/// message blamed the language and the level); with the detector fixed, hum left in still cost
/// Moonshine a third of the words. Two stages, each carrying its state from frame to frame:
/// - a DC blocker (first order, about 13 Hz);
/// - a fourth-order Butterworth high-pass at `speechBandLow` (two biquads): hum at 50 or 60 Hz
///   and rumble (traffic, handling noise) go, while a voice's harmonics stay.
/// Everything after it (the level checks, the voice detector, the recognizers) gets the result;
/// on the preamble recordings the word error rate did not rise.
struct LowCutFilter {
    /// The corner of the high-pass, Hz: 50 Hz is 30 dB down, 60 Hz 24 dB.
    static let speechBandLow = 120.0
    static let sampleRate = 16_000.0

    /// DC blocker: y[n] = x[n] − x[n−1] + r·y[n−1].
    private static let r = 0.995
    private var lastIn = 0.0
    private var lastOut = 0.0
    private var first = true
    private var sections: [Biquad]

    init() {
        // Q of the two sections of a fourth-order Butterworth filter.
        sections = [0.541_196_1, 1.306_563].map { Biquad.highPass(Self.speechBandLow, q: $0, sampleRate: Self.sampleRate) }
    }

    /// `frame` without its DC offset and hum.
    mutating func process(_ frame: ArraySlice<Int16>) -> ArraySlice<Int16> {
        guard !frame.isEmpty else { return frame }
        if first {
            // Start from the first sample's level: a step from 0 to the offset would ring.
            lastIn = Double(frame[frame.startIndex]); lastOut = 0; first = false
        }
        var out = [Int16]()
        out.reserveCapacity(frame.count)
        for s in frame {
            let x = Double(s)
            let y = x - lastIn + Self.r * lastOut
            lastIn = x; lastOut = y
            var band = y
            for i in sections.indices { band = sections[i].process(band) }
            out.append(Int16(max(-32768, min(32767, band.rounded()))))
        }
        return out[...]
    }

    /// One second-order section (direct form I), coefficients from the Audio EQ Cookbook.
    struct Biquad {
        var b0, b1, b2, a1, a2: Double
        var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0

        static func highPass(_ f: Double, q: Double, sampleRate: Double) -> Biquad {
            let w = 2 * Double.pi * f / sampleRate
            let c = cos(w), alpha = sin(w) / (2 * q)
            let a0 = 1 + alpha
            return Biquad(b0: (1 + c) / 2 / a0, b1: -(1 + c) / a0, b2: (1 + c) / 2 / a0,
                          a1: -2 * c / a0, a2: (1 - alpha) / a0)
        }

        mutating func process(_ x: Double) -> Double {
            let y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            x2 = x1; x1 = x; y2 = y1; y1 = y
            return y
        }
    }
}
