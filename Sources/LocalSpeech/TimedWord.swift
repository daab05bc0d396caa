/// A recognised word with its time span, in seconds since the stream started.
///
/// The engines' common currency: PocketSphinx yields these with real times, Moonshine yields
/// text only and gets times by alignment (`WordAligner`).
public struct TimedWord: Sendable, Equatable {
    /// Lower-case word without punctuation (Deepgram `word`).
    public var word: String
    /// The word as written, with case and punctuation (Deepgram `punctuated_word`).
    public var punctuated: String
    public var start: Double
    public var end: Double
    public var confidence: Double

    public init(word: String, punctuated: String? = nil, start: Double, end: Double, confidence: Double) {
        self.word = word; self.punctuated = punctuated ?? word
        self.start = start; self.end = end; self.confidence = confidence
    }
}
