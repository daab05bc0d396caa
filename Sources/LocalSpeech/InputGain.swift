import Foundation

/// Brings input recorded far too quietly (a distant or turned-down microphone, a low-level
/// recording) up to a normal level before voice detection and recognition, which are tuned for
/// speech at normal levels (the segmenter's absolute thresholds sit at −50 dBFS).
///
/// It watches the 95th percentile of 10 ms frame energies over the last 5 s (roughly the level of
/// the speech in it; digital silence left out). Only when that level is below −40 dBFS does it
/// boost, to bring it to −25 dBFS (by at most 36 dB); at a normal level it does nothing, so
/// normal recordings are processed exactly as before. It switches off again above −37 dBFS. The
/// gain is decided between utterances only (`update`), never in the middle of one. Pure.
public struct InputGain: Sendable, Equatable {
    /// Frames of recent energies kept (5 s of 10 ms frames).
    public static let window = 500
    /// Below this level (dBFS) the input counts as too quiet…
    public static let quietBelow = -40.0
    /// …until it rises above this one.
    public static let normalAbove = -37.0
    /// The level boosted input is brought to, and the most it is boosted.
    public static let target = -25.0
    public static let maxGain = 36.0

    /// The gain applied now, in dB (0 or more).
    public private(set) var gainDB = 0.0
    private var energies: [Double] = []
    private var next = 0

    public init() {}

    /// The linear factor for `gainDB`.
    public var factor: Float { Float(pow(10, gainDB / 20)) }

    /// Records one frame's energy in dBFS, measured before the gain.
    public mutating func observe(_ energy: Double) {
        guard energy > -90 else { return }   // digital silence says nothing about the speech level
        if energies.count < Self.window { energies.append(energy) } else { energies[next] = energy }
        next = (next + 1) % Self.window
    }

    /// The level the gain is decided on: the 95th percentile of recent frames, nil with less than
    /// a second of sound.
    public var level: Double? {
        guard energies.count >= 100 else { return nil }
        let sorted = energies.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.95))]
    }

    /// Decides the gain from the frames seen so far; returns the change in dB (0: none).
    public mutating func update() -> Double {
        guard let level else { return 0 }
        let wanted: Double
        if level < Self.quietBelow || (gainDB > 0 && level <= Self.normalAbove) {
            wanted = min(Self.maxGain, max(0, Self.target - level))
        } else {
            wanted = 0
        }
        // Small moves are not worth a change of level under the voice detector.
        guard abs(wanted - gainDB) >= 3 || (wanted == 0 && gainDB != 0) else { return 0 }
        let change = wanted - gainDB
        gainDB = wanted
        return change
    }

    /// `samples` times the current gain, clipped to 16 bits.
    public func apply(_ samples: [Int16]) -> [Int16] {
        guard gainDB > 0 else { return samples }
        let g = factor
        return samples.map { Int16(max(-32768, min(32767, (Float($0) * g).rounded()))) }
    }
}
