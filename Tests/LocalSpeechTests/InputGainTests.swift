import Foundation
import LocalSpeech
import Testing

/// `InputGain`: input recorded far too quietly is brought up to a normal level before voice
/// detection; input at a normal level is left exactly as it is.
struct InputGainTests {
    /// Frame energies (dBFS) of speech-like input: `seconds` of alternating syllables at `level`
    /// and pauses 30 dB under it.
    static func speech(at level: Double, seconds: Double) -> [Double] {
        (0..<Int(seconds * 100)).map { i in (i / 20) % 2 == 0 ? level - Double(i % 5) : level - 30 }
    }

    static func run(_ energies: [Double], _ gain: inout InputGain) {
        for (i, e) in energies.enumerated() {
            gain.observe(e)
            if i % 50 == 49 { _ = gain.update() }
        }
    }

    @Test func normalLevelsAreLeftAlone() {
        var gain = InputGain()
        Self.run(Self.speech(at: -20, seconds: 10), &gain)
        #expect(gain.gainDB == 0)
        #expect(gain.apply([1000, -1000]) == [1000, -1000])
    }

    @Test func quietSpeechIsBroughtToANormalLevel() {
        var gain = InputGain()
        Self.run(Self.speech(at: -55, seconds: 10), &gain)
        let level = try! #require(gain.level)
        #expect(abs(level - -55) < 5, "level \(level)")
        #expect(abs((level + gain.gainDB) - InputGain.target) < 3.1, "gain \(gain.gainDB) dB for level \(level)")
        let boosted = gain.apply([100, -100, 30_000])
        #expect(boosted[0] > 1_000 && boosted[1] < -1_000, "\(boosted)")
        #expect(boosted[2] == 32_767, "clipped, not wrapped: \(boosted)")
    }

    @Test func theBoostIsCappedAndDigitalSilenceIsIgnored() {
        var gain = InputGain()
        Self.run(Array(repeating: -100, count: 1000), &gain)
        #expect(gain.level == nil && gain.gainDB == 0, "digital silence says nothing about the level")
        Self.run(Self.speech(at: -85, seconds: 10), &gain)
        #expect(gain.gainDB == InputGain.maxGain)
    }

    @Test func whenTheSpeakerComesCloserTheBoostGoes() {
        var gain = InputGain()
        Self.run(Self.speech(at: -55, seconds: 6), &gain)
        #expect(gain.gainDB > 20)
        Self.run(Self.speech(at: -38.5, seconds: 6), &gain)
        #expect(gain.gainDB > 0, "between −40 and −37 dBFS the boost stays (hysteresis)")
        Self.run(Self.speech(at: -20, seconds: 6), &gain)
        #expect(gain.gainDB == 0)
    }

    /// Room noise with no voice in it, `seconds` long, around `level`.
    static func noise(at level: Double, seconds: Double) -> [Double] {
        (0..<Int(seconds * 100)).map { i in level + Double(i % 3) - 1 }
    }

    @Test func aLongPauseOfRoomNoiseIsNotQuietSpeech() {
        var gain = InputGain()
        Self.run(Self.noise(at: -53, seconds: 10), &gain)
        #expect(gain.level != nil)
        #expect(gain.gainDB == 0, "background alone must not be boosted like quiet speech")
        // A quiet speaker's long pause keeps about the boost the speech got (its last windows
        // still hold some speech); taken for quiet speech, the noise would get the most (36 dB).
        Self.run(Self.speech(at: -50, seconds: 6), &gain)
        let boost = gain.gainDB
        #expect(boost >= 22 && boost <= 28)
        Self.run(Self.noise(at: -80, seconds: 10), &gain)
        #expect(gain.gainDB >= boost && gain.gainDB <= boost + 4, "\(gain.gainDB) dB")
    }

    @Test func inputThatWouldClipEndsTheBoostAtOnce() {
        var gain = InputGain()
        Self.run(Self.speech(at: -55, seconds: 6), &gain)
        let boost = gain.gainDB
        #expect(boost > 20)
        #expect(!gain.wouldOverdrive(-50), "quiet speech's own peaks are fine")
        #expect(gain.wouldOverdrive(-20), "a normal voice at +\(boost) dB would clip")
        #expect(gain.release() == -boost)
        #expect(gain.gainDB == 0 && gain.apply([1000]) == [1000])
        #expect(!InputGain().wouldOverdrive(0), "without a boost nothing is overdriven by it")
    }
}
