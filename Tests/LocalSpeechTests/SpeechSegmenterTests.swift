import Foundation
import LocalSpeech
import Testing
import TestSupport

/// Voice activity and endpointing on synthetic audio whose speech spans are known.
struct SpeechSegmenterTests {
    /// 10 ms frames: `spans` of a loud 300 Hz tone (seconds) over faint noise.
    static func frames(seconds: Double, loud spans: [ClosedRange<Double>]) -> [ArraySlice<Int16>] {
        var rng = SystemRandomNumberGenerator()
        let n = Int(seconds * 16_000)
        var s = [Int16](repeating: 0, count: n)
        for i in 0..<n {
            let t = Double(i) / 16_000
            var x = Double(Int.random(in: -30...30, using: &rng))
            if spans.contains(where: { $0.contains(t) }) { x += 8_000 * sin(2 * .pi * 300 * t) }
            s[i] = Int16(x)
        }
        return stride(from: 0, to: n - 159, by: 160).map { s[$0..<($0 + 160)] }
    }

    static func run(_ seg: inout SpeechSegmenter, _ frames: [ArraySlice<Int16>]) -> [SpeechSegmenter.Event] {
        frames.flatMap { seg.push($0) }
    }

    @Test func findsEachUtteranceAndEndsItAfterThePause() {
        var seg = SpeechSegmenter()
        let events = Self.run(&seg, Self.frames(seconds: 6, loud: [1.0...2.0, 3.5...4.2]))
        #expect(events.count == 4, "\(events)")
        guard events.count == 4, case .start(let s1) = events[0], case .end(let e1, true) = events[1],
              case .start(let s2) = events[2], case .end(let e2, true) = events[3] else { return }
        #expect(abs(s1 - 100) <= 2 && abs(e1 - 200) <= 3, "first utterance \(s1)..<\(e1)")
        #expect(abs(s2 - 350) <= 2 && abs(e2 - 420) <= 3, "second utterance \(s2)..<\(e2)")
    }

    /// Speech spans at `speechRMS` with pauses holding noise at `pauseRMS` (both full scale 1),
    /// over a floor of faint noise; deterministic.
    static func scene(seconds: Double, speech spans: [ClosedRange<Double>], speechRMS: Double, pauseRMS: Double,
                      breaths: [ClosedRange<Double>] = [], breathRMS: Double = 0) -> [ArraySlice<Int16>] {
        var rng = SeededRandom(seed: 7)
        let n = Int(seconds * 16_000)
        var s = [Int16](repeating: 0, count: n)
        for i in 0..<n {
            let t = Double(i) / 16_000
            let white = Double(rng.next() % 2001) / 1000 - 1            // uniform −1…1, RMS ≈ 0.577
            var x = white * pauseRMS / 0.577
            if spans.contains(where: { $0.contains(t) }) {
                x = (sin(2 * .pi * 220 * t) + 0.5 * sin(2 * .pi * 660 * t)) * speechRMS / 0.79
            } else if breaths.contains(where: { $0.contains(t) }) {
                x = white * breathRMS / 0.577
            }
            s[i] = Int16(max(-32768, min(32767, x * 32768)))
        }
        return stride(from: 0, to: n - 159, by: 160).map { s[$0..<($0 + 160)] }
    }

    static func boundaries(_ events: [SpeechSegmenter.Event]) -> [Int] {
        events.map { e in
            switch e {
            case .start(let f): f
            case .end(let f, _): f
            }
        }
    }

    /// At a normal level, a breath in a pause (−50 dBFS and below, well over the floor) neither
    /// starts an utterance nor keeps one going.
    @Test func aBreathInAPauseOfNormalSpeechIsNotSpeech() {
        var seg = SpeechSegmenter()
        let events = Self.run(&seg, Self.scene(seconds: 5, speech: [0.5...1.5, 3.0...4.0], speechRMS: 0.1, pauseRMS: 0.0002,
                                              breaths: [2.0...2.3], breathRMS: 0.0025))
        #expect(Self.boundaries(events).count == 4, "\(events)")
    }

    @Test func aShortPauseDoesNotEndTheUtterance() {
        var seg = SpeechSegmenter()   // hangover 350 ms
        let events = Self.run(&seg, Self.frames(seconds: 4, loud: [0.5...1.5, 1.7...2.5]))
        #expect(events.count == 2, "a 200 ms pause splits nothing: \(events)")
    }

    @Test func anOverlongUtteranceIsSplitAtItsQuietestPoint() {
        var config = SpeechSegmenter.Config()
        config.maxUtteranceFrames = 500      // 5 s
        config.splitSearchFrames = 300
        var seg = SpeechSegmenter(config: config)
        // 7.5 s of speech with a 150 ms dip (too short for endpointing) at 3.8 s.
        let events = Self.run(&seg, Self.frames(seconds: 9, loud: [0.5...3.8, 3.95...8.0]))
        let ends = events.compactMap { if case .end(let f, let pause) = $0 { return (f, pause) } else { return nil } }
        #expect(ends.count == 2, "\(events)")
        guard ends.count == 2 else { return }
        #expect(ends[0].1 == false, "the split is not a pause")
        #expect(ends[0].0 >= 380 && ends[0].0 <= 396, "split at the dip, got frame \(ends[0].0)")
        #expect(ends[1].1 == true)
        // Every utterance is bounded.
        var start = 0
        for e in events {
            switch e {
            case .start(let f): start = f
            case .end(let f, _): #expect(f - start <= 500)
            }
        }
    }

    @Test func silenceAloneNeverStartsSpeech() {
        var seg = SpeechSegmenter()
        #expect(Self.run(&seg, Self.frames(seconds: 3, loud: [])).isEmpty)
        #expect(seg.noiseFloor < -50)
    }
}

