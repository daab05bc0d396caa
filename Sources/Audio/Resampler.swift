import FoundationEssentials
import Glibc

/// A streaming sample-rate converter for one channel: polyphase windowed-sinc (Kaiser window).
///
/// The rate ratio is exact (`outputRate/inputRate` reduced to L/M); each output sample is a dot
/// product of the input around its exact position with one phase of the filter. The filter
/// stops at the Nyquist frequency of the lower rate (stopband ≥ 80 dB, passband up to 90% of it),
/// so nothing above the output's Nyquist aliases back. Output sample `n` sits at input time
/// `n·inputRate/outputRate` (zero delay), and after `flush()` exactly
/// `ceil(inputCount·outputRate/inputRate)` samples have come out. State carries across calls,
/// so feeding a signal in any chunking gives the same output.
public struct Resampler: Sendable {
    public let inputRate: Int
    public let outputRate: Int
    /// Filter taps per output sample (a multiple of 8).
    public let taps: Int

    private let up: Int          // L
    private let down: Int        // M
    private let halfTaps: Int
    private let rows: Int        // table rows: L (exact) or interpolated phases + 1
    private let exact: Bool
    private let table: [Float]   // rows × taps
    private var buffer: [Float]
    private var bufferStart: Int64
    private var k0: Int64 = 0
    private var phase = 0
    private var inputCount: Int64 = 0
    private var outputCount: Int64 = 0

    /// Stopband attenuation of the filter design, dB.
    public static let attenuationDB: Double = 80
    /// Passband edge as a fraction of the lower Nyquist frequency.
    public static let passbandFraction: Double = 0.9
    static let maxExactPhases = 1024

    public init(inputRate: Int, outputRate: Int) {
        precondition(inputRate > 0 && outputRate > 0, "sample rates must be positive")
        self.inputRate = inputRate; self.outputRate = outputRate
        (up, down, halfTaps) = Self.shape(inputRate: inputRate, outputRate: outputRate)
        let lower = Double(min(inputRate, outputRate))
        let a = Self.attenuationDB
        taps = 2 * halfTaps
        exact = up <= Self.maxExactPhases
        rows = Self.tableRows(up: up)
        let cutoff = (1 + Self.passbandFraction) / 2 * lower / 2           // Hz, middle of the transition
        let gain = 2 * cutoff / Double(inputRate)                          // cutoff as a fraction of input rate/2
        let beta = 0.1102 * (a - 8.7)
        let i0Beta = Self.besselI0(beta)
        var t = [Float](repeating: 0, count: rows * taps)
        for r in 0..<rows {
            let frac = exact ? Double(r) / Double(up) : Double(r) / Double(Self.maxExactPhases)
            var row = [Double](repeating: 0, count: taps)
            var sum = 0.0
            for j in 0..<taps {
                let d = frac + Double(halfTaps - 1 - j)                    // distance in input samples
                let x = d / Double(halfTaps)
                let w = abs(x) >= 1 ? 0 : Self.besselI0(beta * (1 - x * x).squareRoot()) / i0Beta
                let s = d == 0 ? 1 : sin(Double.pi * gain * d) / (Double.pi * gain * d)
                row[j] = gain * s * w
                sum += row[j]
            }
            for j in 0..<taps { t[r * taps + j] = Float(row[j] / sum) }
        }
        table = t
        buffer = [Float](repeating: 0, count: halfTaps - 1)
        bufferStart = -Int64(halfTaps - 1)
    }

    /// Output samples for an input of `count` samples: `ceil(count·outputRate/inputRate)`.
    public func expectedOutputCount(forInput count: Int64) -> Int64 {
        (count * Int64(up) + Int64(down) - 1) / Int64(down)
    }

    /// Feeds input samples; returns the output samples that are now complete.
    public mutating func process(_ input: [Float]) -> [Float] {
        input.withUnsafeBufferPointer { process($0) }
    }

    /// Feeds input samples; returns the output samples that are now complete.
    public mutating func process(_ input: UnsafeBufferPointer<Float>) -> [Float] {
        buffer.append(contentsOf: input)
        inputCount += Int64(input.count)
        var out = [Float]()
        out.reserveCapacity(input.count * up / down + 2)
        run(into: &out, limit: nil)
        return out
    }

    /// Ends the input (as if followed by silence) and returns the remaining output samples.
    public mutating func flush() -> [Float] {
        let wanted = expectedOutputCount(forInput: inputCount)
        var out = [Float]()
        while outputCount < wanted {
            buffer.append(contentsOf: repeatElement(0, count: halfTaps + down))
            run(into: &out, limit: wanted)
        }
        return out
    }

    private mutating func run(into out: inout [Float], limit: Int64?) {
        let taps = self.taps, halfTaps = Int64(self.halfTaps), up = self.up, down = self.down
        let exact = self.exact, phases = Self.maxExactPhases
        var k0 = self.k0, phase = self.phase, produced = outputCount
        let start = bufferStart
        let end = bufferStart + Int64(buffer.count)
        buffer.withUnsafeBufferPointer { buf in
            table.withUnsafeBufferPointer { tab in
                let x = UnsafeRawPointer(buf.baseAddress!)
                let h = UnsafeRawPointer(tab.baseAddress!)
                while k0 + halfTaps < end {
                    if let limit, produced >= limit { break }
                    let base = Int(k0 - halfTaps + 1 - start)
                    let xs = x + base * 4
                    let y: Float
                    if exact {
                        y = Self.dot(xs, h + phase * taps * 4, taps)
                    } else {
                        let pos = Double(phase) / Double(up) * Double(phases)
                        let r = min(Int(pos), phases - 1)
                        let a = Float(pos - Double(r))
                        let y0 = Self.dot(xs, h + r * taps * 4, taps)
                        let y1 = Self.dot(xs, h + (r + 1) * taps * 4, taps)
                        y = y0 + a * (y1 - y0)
                    }
                    out.append(y)
                    produced += 1
                    phase += down
                    k0 += Int64(phase / up)
                    phase %= up
                }
            }
        }
        self.k0 = k0; self.phase = phase; outputCount = produced
        let drop = Int(k0 - halfTaps + 1 - bufferStart)
        if drop > 0 {
            buffer.removeFirst(min(drop, buffer.count))
            bufferStart += Int64(drop)
        }
    }

    @inline(__always)
    private static func dot(_ x: UnsafeRawPointer, _ h: UnsafeRawPointer, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i < n {
            acc += x.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * h.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        return acc.sum()
    }

    static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0
        let q = x * x / 4
        var k = 1.0
        while term > sum * 1e-17 {
            term *= q / (k * k)
            sum += term
            k += 1
        }
        return sum
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    /// The up and down factors and the half length in taps of the filter for a rate pair.
    static func shape(inputRate: Int, outputRate: Int) -> (up: Int, down: Int, halfTaps: Int) {
        let g = gcd(inputRate, outputRate)
        let lower = Double(min(inputRate, outputRate))
        let transition = (1 - passbandFraction) * lower / 2          // Hz, stopband edge at lower/2
        // Kaiser: length N (in input samples) ≈ (A − 7.95) / (14.36 · Δf/fs)
        let half = Int(((attenuationDB - 7.95) * Double(inputRate) / (14.36 * transition) / 2).rounded(.up)) + 1
        return (outputRate / g, inputRate / g, (half + 3) / 4 * 4)
    }

    /// Filter coefficients `init` computes for a rate pair (table rows × taps): what designing
    /// the filter costs (an odd pair far apart, e.g. 106257 → 8000 Hz, is about two million).
    public static func designCost(inputRate: Int, outputRate: Int) -> Int {
        let s = shape(inputRate: inputRate, outputRate: outputRate)
        return tableRows(up: s.up) * 2 * s.halfTaps
    }

    /// Rows of the coefficient table: one per phase when there are few enough to be exact,
    /// else `maxExactPhases` + 1 rows to interpolate between.
    static func tableRows(up: Int) -> Int { up <= maxExactPhases ? up : maxExactPhases + 1 }
}
