import LocalSpeech
import Testing

/// Accurate text without times gets times from a rougher timed hypothesis.
struct WordAlignmentTests {
    let timed = [
        TimedWord(word: "we", start: 0.3, end: 0.6, confidence: 1),
        TimedWord(word: "the", start: 0.6, end: 0.8, confidence: 1),
        TimedWord(word: "peoples", start: 0.8, end: 1.2, confidence: 1),
        TimedWord(word: "of", start: 1.2, end: 1.4, confidence: 1),
        TimedWord(word: "united", start: 1.6, end: 1.9, confidence: 1),
        TimedWord(word: "states", start: 1.9, end: 2.5, confidence: 1),
    ]

    @Test func matchedWordsTakeTheirTimesAndTheRestFillTheGaps() {
        let tokens = TextNormalizer.tokens("We, the people of the United States,")
        let out = WordAligner.align(tokens, with: timed, span: 0...3)
        #expect(out.map(\.word) == ["we", "the", "people", "of", "the", "united", "states"])
        #expect(out.map(\.punctuated) == ["We,", "the", "people", "of", "the", "United", "States,"])
        #expect(out[0].start == 0.3 && out[0].end == 0.6)
        #expect(out[2].start == 0.8, "a substitution keeps the timed word's span")
        #expect(out[2].confidence < out[0].confidence)
        // "the" (only in the accurate text) sits between "of" and "united".
        #expect(out[4].start >= 1.4 && out[4].end <= 1.6)
        for (a, b) in zip(out, out.dropFirst()) { #expect(b.start >= a.end - 1e-9) }
    }

    @Test func withNothingToAlignWordsShareTheSpan() {
        let out = WordAligner.align(TextNormalizer.tokens("hello there world"), with: [], span: 1...4)
        #expect(out.count == 3)
        #expect(out.first?.start == 1)
        #expect(abs((out.last?.end ?? 0) - 4) < 1e-9)
        for (a, b) in zip(out, out.dropFirst()) { #expect(abs(b.start - a.end) < 1e-9) }
    }

    /// The two engines heard very differently (no word in common) and the timed hypothesis has
    /// more words: the accurate words spread over the speech the timed words cover. Pairing by
    /// position used to give them the timed hypothesis's *last* words, so "please", spoken at
    /// 1.0 s, was timed at 4.0 s and the whole caption came 3 s late.
    @Test func wordsWithNothingInCommonSpreadOverTheSpeechNotItsEnd() {
        let tokens = TextNormalizer.tokens("please remember to bring seven yellow bananas")
        let timed = (0..<24).map { k in
            TimedWord(word: "x\(k)", start: 1.0 + Double(k) * 0.25, end: 1.2 + Double(k) * 0.25, confidence: 1)
        }
        let out = WordAligner.align(tokens, with: timed, span: 0.5...8)
        #expect(abs(out[0].start - 1.0) < 0.01, "the first word starts with the speech: \(out[0].start)")
        #expect(abs((out.last?.end ?? 0) - timed[23].end) < 0.01, "the last ends with it: \(out.last?.end ?? -1)")
        #expect(out.allSatisfy { $0.confidence == 0.4 })
        for (a, b) in zip(out, out.dropFirst()) { #expect(b.start >= a.end - 1e-9) }

        // One word in common in the middle: each side spreads over its own stretch of speech.
        var t2 = timed
        t2[12] = TimedWord(word: "bring", start: t2[12].start, end: t2[12].end, confidence: 1)
        let mid = WordAligner.align(tokens, with: t2, span: 0.5...8)
        #expect(mid[3].start == t2[12].start && mid[3].confidence == 0.95)
        #expect(abs(mid[0].start - 1.0) < 0.01 && mid[2].end <= t2[12].start + 1e-9, "\(mid.map(\.start))")
        #expect(mid[4].start >= t2[12].end - 1e-9 && abs((mid.last?.end ?? 0) - t2[23].end) < 0.01, "\(mid.map(\.start))")
    }

    /// The timed engine mistook the start of the speech for silence (compressed speech: its words
    /// began 2.2 s into a 9.5 s utterance, and every caption was that late; found in QA). With no
    /// word in common and its words covering under half the span, the words share the span; with
    /// anchors but its first word over a second in, the words before the first anchor share the
    /// stretch from the span's start.
    @Test func aTimedHypothesisThatBeginsLateIsNotFollowed() {
        let tokens = TextNormalizer.tokens("good morning everyone today we will discuss the budget")
        let late = (0..<6).map { k in TimedWord(word: "x\(k)", start: 3.2 + Double(k) * 0.3, end: 3.45 + Double(k) * 0.3, confidence: 1) }
        let out = WordAligner.align(tokens, with: late, span: 0.8...9)
        #expect(abs(out[0].start - 0.8) < 0.01, "\(out.map(\.start))")
        #expect(abs((out.last?.end ?? 0) - 9) < 0.01, "\(out.map(\.end))")

        var anchored = late
        anchored[4] = TimedWord(word: "discuss", start: late[4].start, end: late[4].end, confidence: 1)
        let mid = WordAligner.align(tokens, with: anchored, span: 0.8...9)
        #expect(abs(mid[0].start - 0.8) < 0.01, "\(mid.map(\.start))")
        #expect(mid[6].start == anchored[4].start && mid[6].confidence == 0.95)
        for (a, b) in zip(mid, mid.dropFirst()) { #expect(b.start >= a.end - 1e-9) }
    }

    @Test func timesStayInsideTheSpan() {
        let out = WordAligner.align(TextNormalizer.tokens("we the"), with: timed, span: 0.5...0.7)
        #expect(out.allSatisfy { $0.start >= 0.5 && $0.end <= 0.7 && $0.end >= $0.start })
    }
}
