import CaptionUI
import Transcript

/// The transcript store's committed lines as the screen reads them: a view over the store's
/// chunked line storage (shared, not copied), mapping only the lines a frame asks for.
public struct TranscriptLineSource: CaptionLineSource {
    public let lines: LineStorage
    public let revision: Int
    /// Label each line with its channel (a multichannel session).
    public let multichannel: Bool

    public init(_ lines: LineStorage, revision: Int, multichannel: Bool = false) {
        self.lines = lines
        self.revision = revision
        self.multichannel = multichannel
    }

    public var count: Int { lines.count }

    public func line(at index: Int) -> CaptionLineView {
        Self.view(of: lines[index], multichannel: multichannel)
    }

    /// One transcript line as a caption line (words with confidences, speaker, start).
    public static func view(of line: CaptionLine, multichannel: Bool = false) -> CaptionLineView {
        CaptionLineView(id: line.id, start: line.start, speaker: line.speaker, channel: multichannel ? line.channel : nil,
                        words: line.words.map { CaptionUI.CaptionWord($0.text, confidence: $0.confidence) })
    }
}
