import FoundationEssentials
import Glibc

/// Voice activity detection and endpointing on 10 ms frames of 16 kHz audio.
///
/// An energy detector with an adaptive noise floor: a frame is speech when it is `onsetMargin`
/// dB above the floor (and above an absolute minimum). Speech starts after `minSpeechFrames`
/// consecutive speech frames; it ends after `hangoverFrames` frames below `floor + offsetMargin`
/// (hysteresis). An utterance longer than `maxUtteranceFrames` is split at its quietest point in
/// the last `splitSearchFrames` frames, so no segment grows without bound.
public struct SpeechSegmenter: Sendable {
    /// Tuning knobs; all lengths in 10 ms frames.
    public struct Config: Sendable, Equatable {
        public var onsetMargin: Double = 10
        public var offsetMargin: Double = 6
        public var absoluteMinimum: Double = -50
        public var minSpeechFrames = 3
        public var hangoverFrames = 35
        public var maxUtteranceFrames = 1_000
        public var splitSearchFrames = 400
        public init() {}
    }

    /// A boundary found while pushing frames.
    public enum Event: Sendable, Equatable {
        /// Speech began at `frame` (the first speech frame of the run).
        case start(frame: Int)
        /// Speech ended; the utterance covers frames up to (not including) `frame`. `pause` is true
        /// for a real pause (speech_final), false for a split of an over-long utterance, in which
        /// case a new utterance starts at `frame` at once.
        case end(frame: Int, pause: Bool)
    }

    public static let samplesPerFrame = 160
    public var config: Config
    /// Frames seen so far.
    public private(set) var frameCount = 0
    public private(set) var inSpeech = false
    /// First frame of the current utterance.
    public private(set) var utteranceStart = 0
    /// The last frame classified as speech.
    public private(set) var lastSpeechFrame = -1

    private var floor: Double = -60
    private var floorInitialised = false
    private var speechRun = 0
    private var silenceRun = 0
    /// Energies (dB) of the current utterance's frames, for choosing split points.
    private var energies: [Double] = []

    public init(config: Config = Config()) { self.config = config }

    /// Energy of one frame in dBFS.
    public static func energy(_ frame: ArraySlice<Int16>) -> Double {
        guard !frame.isEmpty else { return -100 }
        var sum = 0.0
        for s in frame { let x = Double(s); sum += x * x }
        let rms = (sum / Double(frame.count)).squareRoot() / 32768
        return 20 * log10(max(rms, 1e-5))
    }

    /// Classifies one 10 ms frame and returns the boundaries it causes.
    public mutating func push(_ frame: ArraySlice<Int16>) -> [Event] {
        let e = Self.energy(frame)
        let index = frameCount
        frameCount += 1
        trackFloor(e)
        var events: [Event] = []
        let loud = e > floor + config.onsetMargin && e > config.absoluteMinimum
        let quiet = e < floor + config.offsetMargin || e <= config.absoluteMinimum
        if !inSpeech {
            speechRun = loud ? speechRun + 1 : 0
            if speechRun >= config.minSpeechFrames {
                inSpeech = true
                utteranceStart = index - speechRun + 1
                energies = Array(repeating: e, count: speechRun)
                silenceRun = 0
                lastSpeechFrame = index
                events.append(.start(frame: utteranceStart))
            }
            return events
        }
        energies.append(e)
        if quiet { silenceRun += 1 } else { silenceRun = 0; lastSpeechFrame = index }
        if silenceRun >= config.hangoverFrames {
            inSpeech = false
            speechRun = 0
            energies = []
            events.append(.end(frame: lastSpeechFrame + 1, pause: true))
        } else if index + 1 - utteranceStart >= config.maxUtteranceFrames {
            let split = quietestFrame()
            events.append(.end(frame: split, pause: false))
            energies.removeFirst(split - utteranceStart)
            utteranceStart = split
            events.append(.start(frame: split))
        }
        return events
    }

    /// The start of the quietest 100 ms window in the last `splitSearchFrames` frames (at least
    /// one second into the utterance, so a split always makes progress).
    private func quietestFrame() -> Int {
        let n = energies.count
        let w = 10
        let lo = max(100, n - config.splitSearchFrames)
        guard n - w > lo else { return utteranceStart + n }
        var best = lo, bestSum = Double.infinity
        var sum = energies[lo..<(lo + w)].reduce(0, +)
        for i in lo...(n - w) {
            if i > lo { sum += energies[i + w - 1] - energies[i - 1] }
            if sum < bestSum { bestSum = sum; best = i }
        }
        return utteranceStart + best + w / 2
    }

    /// The noise floor follows quiet frames quickly and rises slowly, so speech does not lift it.
    private mutating func trackFloor(_ e: Double) {
        if !floorInitialised { floor = max(e, -75); floorInitialised = true; return }
        if e < floor { floor = max(-75, floor + 0.2 * (e - floor)) }
        else if !inSpeech || e < floor + config.offsetMargin { floor += min(0.05, 0.01 * (e - floor)) }
        else { floor += 0.002 }
    }

    /// Ends the current utterance without an event (after a Finalize flushed it); speech that
    /// goes on starts a new utterance after `minSpeechFrames`.
    public mutating func reset() {
        inSpeech = false; speechRun = 0; silenceRun = 0; energies = []
    }

    /// Moves the noise floor by `dB` when the input's gain changed by that much (`InputGain`), so
    /// that the step in level is not taken for speech.
    public mutating func rescale(by dB: Double) {
        floor = max(-75, floor + dB)
    }

    /// Consecutive quiet frames at the end of the current utterance (0 when not in speech).
    public var trailingSilenceFrames: Int { inSpeech ? silenceRun : 0 }

    /// The current noise floor in dBFS.
    public var noiseFloor: Double { floor }
}
