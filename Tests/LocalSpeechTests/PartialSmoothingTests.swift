import LocalSpeech
import Testing

/// Interim hypotheses that rewrite earlier words are steadied.
struct PartialSmoothingTests {
    func hyp(_ s: String) -> [TimedWord] {
        s.split(separator: " ").enumerated().map { i, w in
            TimedWord(word: String(w), start: Double(i) * 0.3, end: Double(i) * 0.3 + 0.3, confidence: 1)
        }
    }

    @Test func wordsTwoHypothesesAgreeOnAreNotRewritten() {
        var s = PartialSmoother()
        _ = s.update(hyp("we the"))
        _ = s.update(hyp("we the people"))            // "we the" now fixed
        let shown = s.update(hyp("when the people of"))  // the engine rewrote "we"
        #expect(shown.map(\.word).prefix(2) == ["we", "the"])
        #expect(shown.map(\.word).last == "of", "the tail follows the newest hypothesis")
    }

    @Test func theNewestWordIsNeverFixed() {
        var s = PartialSmoother()
        _ = s.update(hyp("we"))
        _ = s.update(hyp("we"))
        #expect(s.update(hyp("wee")).map(\.word) == ["wee"])
    }

    @Test func resetStartsAFreshUtterance() {
        var s = PartialSmoother()
        _ = s.update(hyp("a b c")); _ = s.update(hyp("a b c d"))
        s.reset()
        #expect(s.update(hyp("x y")).map(\.word) == ["x", "y"])
    }
}
