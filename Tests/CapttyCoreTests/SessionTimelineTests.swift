import Deepgram
import Testing
import Transcript
@testable import CapttyCore

/// Engine time maps onto session time across pauses, gaps and restarts.
@Suite struct SessionTimelineTests {
    @Test func contiguousAudioIsIdentityPlusStart() {
        var t = SessionTimeline()
        for i in 0..<10 { t.sent(sessionTime: 5 + Double(i) * 0.05, duration: 0.05) }
        #expect(abs(t.sessionTime(0) - 5) < 1e-9)
        #expect(abs(t.sessionTime(0.3) - 5.3) < 1e-9)
        #expect(abs(t.engineSent - 0.5) < 1e-9)
    }

    @Test func pauseStartsANewStretch() {
        var t = SessionTimeline()
        t.sent(sessionTime: 0, duration: 1)      // engine 0–1 = session 0–1
        t.sent(sessionTime: 11, duration: 2)     // paused 1–11; engine 1–3 = session 11–13
        #expect(abs(t.sessionTime(0.5) - 0.5) < 1e-9)
        #expect(abs(t.sessionTime(1.0) - 11) < 1e-9)
        #expect(abs(t.sessionTime(2.5) - 12.5) < 1e-9)
    }

    /// A word that ends where a gap begins ends before the gap (found in QA: a word spoken at
    /// 6.0–6.5 s before a 2 s gap was journaled 6.0–8.47 s, its cue over the gap's note).
    @Test func anEndOnAStretchBoundaryEndsTheEarlierStretch() {
        var t = SessionTimeline()
        t.sent(sessionTime: 0, duration: 1)      // engine 0–1 = session 0–1
        t.sent(sessionTime: 3, duration: 1)      // a 2 s gap; engine 1–2 = session 3–4
        #expect(abs(t.sessionEndTime(1.0) - 1) < 1e-9)
        #expect(abs(t.sessionTime(1.0) - 3) < 1e-9, "a start there begins the later stretch")
        #expect(abs(t.sessionEndTime(1.5) - 3.5) < 1e-9)
        #expect(abs(t.sessionEndTime(0) - 0) < 1e-9)
        let w = Word(word: "six", start: 0.5, end: 1.0, confidence: 1)
        let r = Results(start: 0, duration: 1, isFinal: true, channel: Channel(alternatives: [Alternative(transcript: "six", confidence: 1, words: [w])]))
        guard case .results(let m) = t.map(.results(r)) else { Issue.record("not results"); return }
        #expect(m.channel.alternatives[0].words[0].end == 1.0 && m.start + m.duration == 1.0, "\(m)")
    }

    /// Separate pauses stay separate gaps (three quick pauses with words between them were one
    /// note that said the words were skipped).
    @Test func pausesAreNeverJoined() {
        var gaps: [AudioGap] = []
        for start in [5.0, 8.0, 11.0] { gaps = AudioGap.adding(AudioGap(start: start, duration: 2.7, reason: AudioGap.paused), to: gaps) }
        #expect(gaps.count == 3, "\(gaps)")
        let lost = AudioGap.adding(AudioGap(start: 7.9, duration: 1, reason: AudioGap.engineLost),
                                   to: [AudioGap(start: 5, duration: 2.7, reason: AudioGap.engineLost)])
        #expect(lost.count == 1, "an outage reported in pieces is still one")
    }

    @Test func mappingIsMonotonic() {
        var t = SessionTimeline()
        var s = 0.0
        for i in 0..<200 {
            if i % 17 == 0 { s += Double(i % 5) }
            t.sent(sessionTime: s, duration: 0.02)
            s += 0.02
        }
        var last = -1.0
        for k in 0...400 {
            let m = t.sessionTime(Double(k) * 0.01)
            #expect(m >= last - 1e-9)
            last = m
        }
    }

    @Test func resultsWordsAreMapped() {
        var t = SessionTimeline()
        t.sent(sessionTime: 100, duration: 10)
        let r = Results(start: 1, duration: 2, isFinal: true, channel: Channel(alternatives: [
            Alternative(transcript: "hi there", confidence: 1, words: [
                Word(word: "hi", start: 1.1, end: 1.4, confidence: 1),
                Word(word: "there", start: 1.5, end: 2.9, confidence: 1),
            ])]))
        guard case .results(let m) = t.map(.results(r)) else { Issue.record("not results"); return }
        #expect(abs(m.start - 101) < 1e-9)
        #expect(abs(m.duration - 2) < 1e-9)
        #expect(abs(m.best.words[1].end - 102.9) < 1e-9)
    }
}
