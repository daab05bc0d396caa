import CaptionUI
import Transcript

/// The transcript store's committed lines as the screen reads them: a view over the store's
/// chunked line storage (shared, not copied), mapping only the lines a frame asks for.
public struct TranscriptLineSource: CaptionLineSource {
    public let lines: LineStorage
    public let revision: Int

    public init(_ lines: LineStorage, revision: Int) {
        self.lines = lines
        self.revision = revision
    }

    public var count: Int { lines.count }

    public func line(at index: Int) -> CaptionLineView {
        Self.view(of: lines[index])
    }

    /// One transcript line as a caption line (words with confidences, speaker, start).
    public static func view(of line: CaptionLine) -> CaptionLineView {
        CaptionLineView(id: line.id, start: line.start, speaker: line.speaker,
                        words: line.words.map { CaptionUI.CaptionWord($0.text, confidence: $0.confidence) })
    }
}
