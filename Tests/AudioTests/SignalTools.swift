import Foundation
import Audio

/// Signal helpers for tests: sample conversion, correlation, sine generation, temp files.
enum Signal {
    /// Little-endian 16-bit bytes → samples in [-1, 1).
    static func floats(fromLinear16 bytes: [UInt8]) -> [Float] {
        var out = [Float](); out.reserveCapacity(bytes.count / 2)
        var i = 0
        while i + 1 < bytes.count { out.append(Float(Int16(bitPattern: UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8)) / 32768); i += 2 }
        return out
    }

    /// Samples → little-endian 16-bit bytes.
    static func linear16(_ x: [Float]) -> [UInt8] {
        var out = [UInt8]()
        x.withUnsafeBufferPointer { SampleCodec.encode($0, as: .linear16, into: &out) }
        return out
    }

    /// Normalised correlation of `a` and `b[offset...]` over `a`'s length (b padded with zeros).
    static func correlation(_ a: [Float], _ b: [Float], offset: Int) -> Double {
        var ab = 0.0, aa = 0.0, bb = 0.0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                for i in 0..<pa.count {
                    let j = i + offset
                    let y = j >= 0 && j < pb.count ? Double(pb[j]) : 0
                    let x = Double(pa[i])
                    ab += x * y; aa += x * x; bb += y * y
                }
            }
        }
        return aa > 0 && bb > 0 ? ab / (aa * bb).squareRoot() : 0
    }

    /// First index where |x| exceeds `threshold`.
    static func onset(_ x: [Float], threshold: Float = 0.02) -> Int? { x.firstIndex { abs($0) > threshold } }

    /// Aligns `original` inside `captured` by cross-correlation around the onset; returns (offset, correlation).
    static func align(_ original: [Float], in captured: [Float], search: Int = 1600) -> (offset: Int, correlation: Double) {
        guard let o1 = onset(original), let o2 = onset(captured) else { return (0, 0) }
        let guess = o2 - o1
        // Coarse: every 4th lag on a 4× decimated copy, then fine ±8 around the best.
        var best = (offset: guess, correlation: -2.0)
        var lag = guess - search
        while lag <= guess + search {
            let c = correlation(original, captured, offset: lag)
            if c > best.correlation { best = (lag, c) }
            lag += 4
        }
        for l in (best.offset - 4)...(best.offset + 4) {
            let c = correlation(original, captured, offset: l)
            if c > best.correlation { best = (l, c) }
        }
        return best
    }

    /// Like `align`, then also tries sub-sample shifts of the captured signal (a resampler on
    /// the way may delay by a fraction of a sample); returns the best correlation found.
    static func alignFractional(_ original: [Float], in captured: [Float]) -> (offset: Int, fraction: Double, correlation: Double) {
        let (offset, c0) = align(original, in: captured)
        let lo = max(0, offset - 64), hi = min(captured.count, offset + original.count + 64)
        guard lo < hi else { return (offset, 0, c0) }
        let window = Array(captured[lo..<hi])
        var best = (fraction: 0.0, correlation: c0)
        func tryShift(_ d: Double) {
            let shifted = fractionalDelay(window, by: d)
            let c = correlation(original, shifted, offset: offset - lo)
            if c > best.correlation { best = (d, c) }
        }
        for i in -5...5 where i != 0 { tryShift(Double(i) / 10) }
        let centre = best.fraction
        for i in -4...4 where i != 0 { tryShift(centre + Double(i) / 100) }
        return (offset, best.fraction, best.correlation)
    }

    /// `x` delayed by `d` samples (|d| ≤ 1) with a 64-tap Hann-windowed sinc.
    static func fractionalDelay(_ x: [Float], by d: Double) -> [Float] {
        let half = 32
        let h: [Float] = (-half...half).map { k in
            let t = Double(k) - d
            let s = t == 0 ? 1 : sin(.pi * t) / (.pi * t)
            let w = 0.5 + 0.5 * cos(.pi * t / Double(half + 1))
            return Float(s * w)
        }
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { px in
            h.withUnsafeBufferPointer { ph in
                for n in 0..<px.count {
                    var acc: Float = 0
                    for k in -half...half {
                        let i = n - k
                        if i >= 0 && i < px.count { acc += px[i] * ph[k + half] }
                    }
                    y[n] = acc
                }
            }
        }
        return y
    }

    static func sine(frequency: Double, rate: Int, seconds: Double, amplitude: Double = 1) -> [Float] {
        (0..<Int(Double(rate) * seconds)).map { Float(amplitude * sin(2 * .pi * frequency * Double($0) / Double(rate))) }
    }

    /// This run's scratch folder; folders left by earlier runs (whose process is gone) are removed.
    static let tempDir: URL = {
        let fm = FileManager.default
        let tmp = fm.temporaryDirectory
        for name in (try? fm.contentsOfDirectory(atPath: tmp.path)) ?? [] where name.hasPrefix("captty-audio-tests-") {
            if let pid = Int32(name.dropFirst("captty-audio-tests-".count)), kill(pid, 0) != 0 && errno == ESRCH {
                try? fm.removeItem(at: tmp.appendingPathComponent(name))
            }
        }
        let dir = tmp.appendingPathComponent("captty-audio-tests-\(getpid())")
        try? fm.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }()

    static func tempPath(_ name: String) -> String {
        tempDir.appendingPathComponent("\(uniqueSuffix())-\(name)").path
    }

    /// Speaks `text` with espeak-ng and converts it with sox to 16-bit mono `rate` Hz WAV with
    /// `lead` seconds of leading silence. Returns the path.
    static func speechWAV(_ text: String, rate: Int = 16_000, lead: Double = 0.5) throws -> String {
        let raw = tempPath("espeak.wav"), out = tempPath("speech.wav")
        let e = try Subprocess.run(["espeak-ng", "-w", raw, text], timeout: 60)
        guard e.status == 0 else { throw DaemonError(message: "espeak-ng failed: \(e.stderr)") }
        let s = try Subprocess.run(["sox", raw, "-r", String(rate), "-c", "1", "-b", "16", "-e", "signed-integer", out,
                                    "pad", String(lead), "0.3"], timeout: 60)
        guard s.status == 0 else { throw DaemonError(message: "sox failed: \(s.stderr)") }
        return out
    }

    /// Decodes any file sox reads to mono 16-bit samples at `rate` (sox is the reference decoder).
    static func soxSamples(_ path: String, rate: Int) throws -> [Float] {
        let raw = tempPath("ref.raw")
        let s = try Subprocess.run(["sox", path, "-t", "raw", "-r", String(rate), "-c", "1", "-b", "16", "-e", "signed-integer", raw], timeout: 60)
        guard s.status == 0 else { throw DaemonError(message: "sox failed: \(s.stderr)") }
        return floats(fromLinear16: [UInt8](try Data(contentsOf: URL(fileURLWithPath: raw))))
    }
}
