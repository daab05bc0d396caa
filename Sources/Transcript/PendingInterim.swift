/// The interim (not yet final) guess for the span after the last final on one channel.
public struct PendingInterim: Sendable, Equatable {
    public var channel: Int
    public var words: [CaptionWord]
    /// The words' display text, or the engine's transcript when it sent no words.
    public var text: String
    /// The span the guess covers, in session seconds.
    public var start: Double
    public var end: Double

    public init(channel: Int, words: [CaptionWord], text: String, start: Double, end: Double) {
        self.channel = channel; self.words = words; self.text = text; self.start = start; self.end = end
    }

    /// The diarized speaker of the first word, if any.
    public var speaker: Int? { words.first?.speaker }
}
