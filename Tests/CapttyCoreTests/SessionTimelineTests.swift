import Testing
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
