import Deepgram

/// One committed (or pending) word with its timing, confidence and speaker.
///
/// Times are seconds on the session's clock (absolute across reconnects: the live client
/// offsets each connection's timestamps before the store sees them).
public struct CaptionWord: Sendable, Equatable, Hashable, Codable {
    /// The bare word as recognised (`"united"`).
    public var word: String
    /// The word as shown, with punctuation and capitals (`"United"`); equals `word` when the
    /// engine sent no punctuated form.
    public var text: String
    public var start: Double
    public var end: Double
    public var confidence: Double
    public var speaker: Int?
    public var speakerConfidence: Double?
    public var language: String?

    public init(word: String, text: String? = nil, start: Double, end: Double, confidence: Double,
                speaker: Int? = nil, speakerConfidence: Double? = nil, language: String? = nil) {
        self.word = word; self.text = text ?? word; self.start = start; self.end = end
        self.confidence = confidence; self.speaker = speaker
        self.speakerConfidence = speakerConfidence; self.language = language
    }

    /// A word from a Deepgram `Results` word.
    public init(_ w: Word) {
        self.init(word: w.word, text: w.display, start: w.start, end: max(w.start, w.end),
                  confidence: w.confidence, speaker: w.speaker, speakerConfidence: w.speakerConfidence,
                  language: w.language)
    }

    /// The Deepgram `Word` this word came from (for Deepgram-shaped exports).
    public var deepgramWord: Word {
        Word(word: word, start: start, end: end, confidence: confidence, punctuatedWord: text,
             speaker: speaker, speakerConfidence: speakerConfidence, language: language)
    }

    enum CodingKeys: String, CodingKey {
        case word, text = "punctuated_word", start, end, confidence, speaker
        case speakerConfidence = "speaker_confidence", language
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        word = try c.decode(String.self, forKey: .word)
        text = try c.decodeIfPresent(String.self, forKey: .text) ?? word
        start = try c.decode(Double.self, forKey: .start)
        end = try c.decodeIfPresent(Double.self, forKey: .end) ?? start
        confidence = try c.decodeIfPresent(Double.self, forKey: .confidence) ?? 0
        speaker = try c.decodeIfPresent(Int.self, forKey: .speaker)
        speakerConfidence = try c.decodeIfPresent(Double.self, forKey: .speakerConfidence)
        language = try c.decodeIfPresent(String.self, forKey: .language)
    }
}
