/// One caption line: consecutive words of one speaker on one channel, closed by a pause
/// (`speech_final`, `UtteranceEnd`) or a speaker change.
///
/// `text` is kept up to date as words are appended (never re-joined), so appending a word
/// costs amortised O(1).
public struct CaptionLine: Sendable, Equatable, Identifiable {
    /// Sequential id, unique within a session (0, 1, 2, …).
    public var id: Int
    public var channel: Int
    /// The diarized speaker (0-based as Deepgram sends it), or nil without diarization.
    public var speaker: Int?
    public private(set) var words: [CaptionWord]
    /// The words' display text joined by single spaces.
    public private(set) var text: String
    /// Whether a pause or speaker change ended the line (no more words will join it).
    public var isClosed: Bool
    private var confidenceSum: Double

    public init(id: Int, channel: Int = 0, speaker: Int? = nil, words: [CaptionWord] = [], isClosed: Bool = false) {
        self.id = id; self.channel = channel; self.speaker = speaker
        self.words = []; self.text = ""; self.isClosed = isClosed; self.confidenceSum = 0
        append(contentsOf: words)
    }

    /// Start of the first word (0 for an empty line).
    public var start: Double { words.first?.start ?? 0 }
    /// End of the last word (0 for an empty line).
    public var end: Double { words.last?.end ?? 0 }
    /// Mean word confidence (0 for an empty line).
    public var confidence: Double { words.isEmpty ? 0 : confidenceSum / Double(words.count) }

    /// Appends one word, keeping `text` current.
    public mutating func append(_ w: CaptionWord) {
        if !text.isEmpty { text.append(" ") }
        text.append(w.text)
        words.append(w)
        confidenceSum += w.confidence
    }

    public mutating func append(contentsOf ws: some Sequence<CaptionWord>) {
        for w in ws { append(w) }
    }

    public static func == (a: CaptionLine, b: CaptionLine) -> Bool {
        a.id == b.id && a.channel == b.channel && a.speaker == b.speaker && a.words == b.words
            && a.isClosed == b.isClosed
    }
}
