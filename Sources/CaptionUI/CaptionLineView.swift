/// One committed caption line as the screen shows it (the lead maps transcript lines to it).
public struct CaptionLineView: Equatable, Sendable, Identifiable {
    /// What a line says: recognised words with confidences, plain text, or a note about the
    /// transcript itself (audio lost here), drawn apart from captions.
    public enum Content: Equatable, Sendable {
        case words([CaptionWord])
        case text(String)
        case note(String)
    }

    /// Stable identity; ids must increase with the line's position in the transcript.
    public var id: Int
    /// Start time in seconds since the session began (shown as `[HH:MM:SS]`).
    public var start: Double
    /// The 0-based speaker index from diarization, shown 1-based ("Speaker 1"); nil if unknown.
    public var speaker: Int?
    /// The 0-based channel of a multichannel session, shown 1-based ("[ch 1]"); nil otherwise.
    public var channel: Int?
    public var content: Content

    public init(id: Int, start: Double, speaker: Int? = nil, channel: Int? = nil, content: Content) {
        self.id = id
        self.start = start
        self.speaker = speaker
        self.channel = channel
        self.content = content
    }

    /// A line of plain text.
    public init(id: Int, start: Double, speaker: Int? = nil, text: String) {
        self.init(id: id, start: start, speaker: speaker, content: .text(text))
    }

    /// A line of words with confidences.
    public init(id: Int, start: Double, speaker: Int? = nil, channel: Int? = nil, words: [CaptionWord]) {
        self.init(id: id, start: start, speaker: speaker, channel: channel, content: .words(words))
    }

    /// The words of the line joined by spaces.
    public var plainText: String {
        switch content {
        case .text(let t), .note(let t): return t
        case .words(let ws): return ws.map(\.text).joined(separator: " ")
        }
    }
}
