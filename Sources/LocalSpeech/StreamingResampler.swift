import Foundation

/// Band-limited sample-rate conversion of a mono stream, chunk by chunk (windowed sinc).
///
/// Feeding a signal in pieces gives the same output as feeding it whole; `flush()` returns the
/// samples held back for the filter's look-ahead.
public struct StreamingResampler: Sendable {
    public let inputRate: Int
    public let outputRate: Int
    private let ratio: Double      // input samples per output sample
    private let cutoff: Double     // normalised to the input rate (0.5 = Nyquist)
    private let halfWidth: Int     // taps on each side, in input samples
    private var buffer: [Float] = []
    private var bufferStart = 0    // input index of buffer[0]
    private var nextOutput = 0     // index of the next output sample
    private var inputCount = 0

    public init(from inputRate: Int, to outputRate: Int, zeroCrossings: Int = 16) {
        self.inputRate = inputRate; self.outputRate = outputRate
        ratio = Double(inputRate) / Double(outputRate)
        cutoff = 0.5 * min(1, Double(outputRate) / Double(inputRate)) * 0.95
        halfWidth = Int((Double(zeroCrossings) / (2 * cutoff)).rounded(.up))
    }

    /// Converts the next piece of input.
    public mutating func process(_ input: [Float]) -> [Float] {
        buffer += input
        inputCount += input.count
        return produce()
    }

    /// Returns the rest once the input has ended.
    public mutating func flush() -> [Float] {
        let total = Int((Double(inputCount) / ratio).rounded(.down))
        var out: [Float] = []
        while nextOutput < total { out.append(sample(at: Double(nextOutput) * ratio)); nextOutput += 1 }
        return out
    }

    private mutating func produce() -> [Float] {
        if inputRate == outputRate {
            let out = buffer; buffer = []; bufferStart += out.count; nextOutput += out.count; return out
        }
        var out: [Float] = []
        while true {
            let t = Double(nextOutput) * ratio
            if Int(t) + halfWidth >= inputCount { break }
            out.append(sample(at: t)); nextOutput += 1
        }
        // Drop input no longer inside any future window.
        let keepFrom = Int(Double(nextOutput) * ratio) - halfWidth - 1
        if keepFrom > bufferStart {
            let n = min(keepFrom - bufferStart, buffer.count)
            buffer.removeFirst(n); bufferStart += n
        }
        return out
    }

    private func sample(at t: Double) -> Float {
        if inputRate == outputRate {
            let i = Int(t) - bufferStart
            return i >= 0 && i < buffer.count ? buffer[i] : 0
        }
        let center = Int(t.rounded(.down))
        var acc = 0.0
        for n in (center - halfWidth + 1)...(center + halfWidth) {
            let i = n - bufferStart
            guard i >= 0, i < buffer.count else { continue }
            let x = t - Double(n)
            let arg = 2 * cutoff * x
            let sinc = arg == 0 ? 1 : sin(.pi * arg) / (.pi * arg)
            let w = 0.5 + 0.5 * cos(.pi * x / Double(halfWidth))   // Hann window
            acc += Double(buffer[i]) * 2 * cutoff * sinc * w
        }
        return Float(acc)
    }
}
