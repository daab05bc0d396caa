import LocalSpeech
import Testing

/// Word error rate ignores case and punctuation and counts each kind of error.
struct WordErrorRateTests {
    @Test func identicalTextsAfterNormalisationScoreZero() {
        #expect(WordErrorRate(reference: "We, the People of The United States.", hypothesis: "we the people of the united states").rate == 0)
    }

    @Test func substitutionsDeletionsAndInsertionsAreCounted() {
        let w = WordErrorRate(reference: "a b c d", hypothesis: "a x c d e")
        #expect(w.substitutions == 1 && w.deletions == 0 && w.insertions == 1)
        #expect(w.rate == 0.5)
        let d = WordErrorRate(reference: "a b c d", hypothesis: "a d")
        #expect(d.deletions == 2 && d.rate == 0.5)
    }

    @Test func emptyHypothesisIsAllDeletions() {
        #expect(WordErrorRate(reference: "one two", hypothesis: "").rate == 1)
        #expect(WordErrorRate(reference: "", hypothesis: "").rate == 0)
    }
}
