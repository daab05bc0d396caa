import FoundationEssentials
import Glibc

/// Brings input recorded far too quietly (a distant or turned-down microphone, a low-level
/// recording) up to a normal level before voice detection and recognition, which are tuned for
/// speech at normal levels (the segmenter's absolute thresholds sit at −50 dBFS).
///
/// It watches the 95th percentile of 10 ms frame energies over the last 5 s (roughly the level of
/// the speech in it; digital silence left out). Only when that level is below −40 dBFS does it
/// boost, to bring it to −25 dBFS (by at most 36 dB); at a normal level it does nothing, so
/// normal recordings are processed exactly as before. It switches off again above −37 dBFS. The
/// gain is decided between utterances only (`update`), never in the middle of one, and only on
/// a window that holds something louder than its background (`minContrast`): a long pause of
/// room noise is not quiet speech, so it neither starts a boost nor ends one. Input that would
/// come out too loud (`releaseAbove`: a normal voice after a quiet one, a door) ends the boost
/// at once (`release`), before the frame is amplified, so nothing is clipped. Pure.
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
    /// How far (dB) the level must stand above the window's 10th percentile for the window to
    /// hold speech rather than only background noise.
    public static let minContrast = 10.0
    /// A frame this loud (dBFS) once amplified ends the boost (`release`).
    public static let releaseAbove = -10.0

    /// The gain applied now, in dB (0 or more).
    public private(set) var gainDB = 0.0
    private var energies: [Double] = []
    private var next = 0

    public init() {}

    /// The linear factor for `gainDB`.
    public var factor: Float { Float(pow(10, gainDB / 20)) }

    /// Records one frame's energy in dBFS, measured before the gain.
    public mutating func observe(_ energy: Double) {
        if energies.count < Self.window { energies.append(energy) } else { energies[next] = energy }
        next = (next + 1) % Self.window
    }

    /// Digital silence (frames at or below this, dBFS) says nothing about the speech level.
    static let digitalSilence = -90.0

    /// The level the gain is decided on: the 95th percentile of recent frames that are not
    /// digital silence, nil with less than a second of them.
    public var level: Double? { levels?.level }

    /// The level (95th percentile of the frames that are not digital silence, nil with less than
    /// a second of them) and the background (10th percentile of all frames, silence included).
    private var levels: (level: Double, background: Double)? {
        let sorted = energies.sorted()
        guard let firstSound = sorted.firstIndex(where: { $0 > Self.digitalSilence }),
              sorted.count - firstSound >= 100 else { return nil }
        let sound = sorted[firstSound...]
        let level = sound[firstSound + min(sound.count - 1, Int(Double(sound.count) * 0.95))]
        return (level, sorted[Int(Double(sorted.count) * 0.10)])
    }

    /// Decides the gain from the frames seen so far; returns the change in dB (0: none). A window
    /// without contrast (background only) keeps the gain as it is.
    public mutating func update() -> Double {
        guard let (level, background) = levels, level - background >= Self.minContrast else { return 0 }
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

    /// Whether a frame of `energy` dBFS (before the gain) would come out too loud with the gain.
    public func wouldOverdrive(_ energy: Double) -> Bool {
        gainDB > 0 && energy + gainDB > Self.releaseAbove
    }

    /// Ends the boost at once; returns the change in dB.
    public mutating func release() -> Double {
        let change = -gainDB
        gainDB = 0
        return change
    }

    /// `samples` times the current gain, clipped to 16 bits.
    public func apply(_ samples: [Int16]) -> [Int16] {
        guard gainDB > 0 else { return samples }
        let g = factor
        return samples.map { Int16(max(-32768, min(32767, (Float($0) * g).rounded()))) }
    }
}
