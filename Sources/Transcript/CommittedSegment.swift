/// The words one final added to one caption line: what the journal records.
///
/// A final whose words change speaker commits one segment per line. Replayed words (after a
/// reconnect) are already removed.
public struct CommittedSegment: Sendable, Equatable {
    /// The line the words joined.
    public var lineID: Int
    public var channel: Int
    public var speaker: Int?
    /// Span of the words, in session seconds.
    public var start: Double
    public var end: Double
    /// The final's confidence (its best alternative's).
    public var confidence: Double
    public var words: [CaptionWord]
    /// Whether the final had `speech_final` (the line closes after these words).
    public var speechFinal: Bool
    public var fromFinalize: Bool
    /// Words the engine never made final (its last interim guess, kept when the stream ended
    /// without confirming it): journaled as `"unconfirmed":true` and marked in exports.
    public var unconfirmed: Bool

    public init(lineID: Int, channel: Int, speaker: Int?, start: Double, end: Double, confidence: Double,
                words: [CaptionWord], speechFinal: Bool, fromFinalize: Bool = false, unconfirmed: Bool = false) {
        self.lineID = lineID; self.channel = channel; self.speaker = speaker; self.start = start
        self.end = end; self.confidence = confidence; self.words = words
        self.speechFinal = speechFinal; self.fromFinalize = fromFinalize; self.unconfirmed = unconfirmed
    }

    /// The words' display text joined by spaces.
    public var text: String { words.map(\.text).joined(separator: " ") }
}
