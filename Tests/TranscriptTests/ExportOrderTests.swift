import Testing
@testable import Transcript

/// The order exports list lines in, when lines are stored out of time order (channels commit
/// independently; a journal may hold them so).
struct ExportOrderTests {
    static func line(_ id: Int, channel: Int = 0, speaker: Int? = nil, at start: Double, _ text: String) -> CaptionLine {
        let words = text.split(separator: " ").enumerated().map { k, w in
            CaptionWord(word: String(w), start: start + Double(k) * 0.4, end: start + Double(k) * 0.4 + 0.3, confidence: 1)
        }
        return CaptionLine(id: id, channel: channel, speaker: speaker, words: words, isClosed: true)
    }

    /// Two channels speaking at the same moment: channel order, whatever order they were stored
    /// in (`captty transcribe --multichannel` printed [ch 2] before [ch 1] on some runs).
    @Test func equalStartsGoInChannelOrder() {
        let stored = [Self.line(0, channel: 1, at: 1, "second channel"), Self.line(1, channel: 0, at: 1, "first channel"),
                      Self.line(2, channel: 1, at: 0.5, "earlier")]
        #expect(ExportOrder.lines(stored).map(\.id) == [2, 1, 0])
        for format in ExportFormat.allCases where format != .json {
            let text = Exporter.render(stored, format: format, header: nil, metadata: nil)
            let first = text.range(of: "first channel")?.lowerBound, second = text.range(of: "second channel")?.lowerBound
            #expect(first != nil && second != nil && first! < second!, "\(format): \(text)")
        }
    }

    /// Speaker labels are worked out in time order: a line stored first but spoken later was
    /// labelled against the wrong neighbour, and a change of speaker went unmarked in SRT.
    @Test func speakerLabelsFollowTheTimeOrder() {
        let stored = [Self.line(0, speaker: 0, at: 10, "Alice speaks here."), Self.line(1, speaker: 1, at: 5, "Bob speaks first."),
                      Self.line(2, speaker: 1, at: 20, "Bob again later.")]
        let srt = Exporter.render(stored, format: .srt, header: nil, metadata: nil)
        let cues = srt.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(cues.count == 3, "\(srt)")
        #expect(cues.count == 3 && cues[0].contains("Bob speaks first.") && cues[1].contains("Alice speaks here."), "\(srt)")
        // Bob speaks again after Alice: said, as the txt export does.
        let bobAgain = cues.last ?? ""
        #expect(bobAgain.contains("Bob again later.") && bobAgain.range(of: "Speaker 2") != nil, "\(srt)")
    }
}
