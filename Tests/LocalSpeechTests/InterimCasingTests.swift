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
}
