@testable import LocalSpeech
import Testing

/// With punctuation asked for, PocketSphinx's interim words read as the start of a sentence, as
/// the final will: the first word capitalised and "I" upper-case.
struct InterimCasingTests {
    static func words(_ s: String) -> [TimedWord] {
        s.split(separator: " ").enumerated().map { k, w in
            TimedWord(word: String(w), punctuated: String(w), start: Double(k), end: Double(k) + 0.5, confidence: 0.5)
        }
    }

    @Test func theFirstWordAndIAreCapitalised() {
        let out = RecognitionPipeline.sentenceCased(Self.words("so i think i'm right and i'll go"))
        #expect(out.map(\.punctuated) == ["So", "I", "think", "I'm", "right", "and", "I'll", "go"])
        #expect(out.map(\.word) == ["so", "i", "think", "i'm", "right", "and", "i'll", "go"], "the bare words stay as heard")
        #expect(RecognitionPipeline.sentenceCased([]).isEmpty)
        #expect(RecognitionPipeline.sentenceCased(Self.words("it is")).map(\.punctuated) == ["It", "is"])
        #expect(RecognitionPipeline.sentenceCased(Self.words("ice in")).map(\.punctuated) == ["Ice", "in"])
    }

    /// A final after one that ended a sentence starts with a capital, even when Moonshine,
    /// seeing the utterance alone, wrote it in lower case ("It was cold. after an hour").
    @Test func aFinalAfterASentenceEndStartsWithACapital() {
        let after = RecognitionPipeline.startingSentence(Self.words("after an hour"), afterSentenceEnd: true)
        #expect(after.map(\.punctuated) == ["After", "an", "hour"] && after[0].word == "after")
        // Mid-sentence (the last final ended without a full stop) it stays as written.
        #expect(RecognitionPipeline.startingSentence(Self.words("after an hour"), afterSentenceEnd: false).map(\.punctuated)
                == ["after", "an", "hour"])
        #expect(RecognitionPipeline.startingSentence(Self.words("3 pm"), afterSentenceEnd: true).map(\.punctuated) == ["3", "pm"])
        for (word, ends) in [("cold.", true), ("why?", true), ("now!\"", true), ("end.)", true), ("wait…", true),
                             ("cold,", false), ("Dr", false), ("", false), ("e.g", false)] {
            #expect(RecognitionPipeline.endsSentence(word) == ends, "\(word)")
        }
    }

    /// Interim words never overlap: PocketSphinx's segments can share a frame ("even" to 57.99,
    /// "people" from 57.98 in a `captty serve` stream), and the contract promises monotonic times.
    @Test func interimWordTimesAreMonotonic() {
        let heard = [TimedWord(word: "even", punctuated: "even", start: 57.79, end: 57.99, confidence: 0.5),
                     TimedWord(word: "people", punctuated: "people", start: 57.98, end: 58.42, confidence: 0.5),
                     TimedWord(word: "who", punctuated: "who", start: 58.30, end: 58.35, confidence: 0.5)]
        let out = RecognitionPipeline.clamp(heard, to: 57.5...58.4)
        #expect(out.map(\.start) == [57.79, 57.99, 58.4])
        #expect(out.map(\.end) == [57.99, 58.4, 58.4])
        #expect(zip(out, out.dropFirst()).allSatisfy { $0.end <= $1.start })
    }
}
