import Foundation
import Testing
@testable import CaptionUI
import SystemSupport

@Suite("Caption area rendering (snapshots)")
struct CaptionRenderingTests {
    @Test func finalLinesWithInterimGuessAt80x24() {
        let snap = SampleScreens.snapshot(interim: "so the next step is to move the billing")
        let surface = ScreenView.render(snap, size: TerminalSize(width: 80, height: 24))
        ScreenSnapshotFile.assertMatches(surface, named: "captions-interim-80x24")
        // The interim row is drawn in the interim style (dim + italic), the final text is not.
        let theme = Theme(mode: .color)
        let rows = (0..<24).map { surface.rowText($0) }
        let interimRow = try! #require(rows.firstIndex { $0.contains("so the next step") })
        let col = surface.rowText(interimRow).distance(of: "so")
        #expect(surface[interimRow, col].style == theme.interim)
        #expect(surface[interimRow, col].style.attributes.contains(.italic))
        let finalRow = try! #require(rows.firstIndex { $0.contains("Morning!") })
        let fcol = surface.rowText(finalRow).distance(of: "Morning!")
        #expect(surface[finalRow, fcol].style == theme.caption)
    }

    /// A multichannel session's lines and interim carry their channel, as the exports label
    /// them: on screen nothing told which channel a line came from.
    static func text(_ row: WrappedRow) -> String { row.spans.map(\.text).joined() }

    @Test func multichannelLinesAreLabelledByChannel() {
        let theme = Theme(mode: .color)
        let line = CaptionLineView(id: 1, start: 3, speaker: 0, channel: 1, words: [CaptionWord("Thanks.", confidence: 0.9)])
        let rows = LineLayout.rows(for: line, toggles: DisplayToggles(), theme: theme, width: 40)
        #expect(rows.first.map(Self.text)?.hasPrefix("[ch 2] Speaker 1: Thanks.") == true, "\(rows.map(Self.text))")
        let mono = CaptionLineView(id: 2, start: 3, words: [CaptionWord("Thanks.", confidence: 0.9)])
        #expect(LineLayout.rows(for: mono, toggles: DisplayToggles(), theme: theme, width: 40).first.map(Self.text) == "Thanks.")
        let interim = LineLayout.interimRows("so the next", speaker: nil, channel: 0, toggles: DisplayToggles(), theme: theme, width: 40)
        #expect(interim.first.map(Self.text) == "[ch 1] so the next", "\(interim.map(Self.text))")
        #expect(PlainFormatter.finalLine(line, timestamps: true, speakerLabels: true) == "[00:00:03] [ch 2] Speaker 1: Thanks.")
    }

    @Test func interimGuessIsReplacedInPlace() {
        let size = TerminalSize(width: 60, height: 12)
        let first = ScreenView.render(SampleScreens.snapshot(interim: "so the next"), size: size)
        let second = ScreenView.render(SampleScreens.snapshot(interim: "so the next step is"), size: size)
        let row = try! #require((0..<12).first { first.rowText($0).hasPrefix("so the next") })
        #expect(second.rowText(row) == "so the next step is")
        #expect(first.text().components(separatedBy: "so the next").count == 2)
        #expect(second.text().components(separatedBy: "so the next").count == 2)
        // Hidden when the interim toggle is off.
        var toggles = DisplayToggles()
        toggles.showInterim = false
        let hidden = ScreenView.render(SampleScreens.snapshot(interim: "so the next", toggles: toggles), size: size)
        #expect(!hidden.text().contains("so the next"))
    }

    /// A huge interim (a hostile server's) is drawn from its end: the newest words show, the
    /// elided start is marked, and only a bounded tail is wrapped per redraw.
    @Test func aHugeInterimShowsItsEnd() {
        let huge = (0..<200_000).map { "w\($0)" }.joined(separator: " ")
        let size = TerminalSize(width: 80, height: 24)
        let surface = ScreenView.render(SampleScreens.snapshot(interim: huge), size: size)
        #expect(surface.text().contains("w199999"))
        let tail = LineLayout.interimTail(huge)
        #expect(tail.hasPrefix("… w") && tail.hasSuffix("w199999"))
        #expect(tail.utf8.count <= LineLayout.interimLimit + 4)
        #expect(!tail.dropFirst(2).hasPrefix(" "), "starts at a whole word")
        #expect(LineLayout.interimTail("short guess") == "short guess")
    }

    @Test func cjkAndCombiningTextWrapsAt40x10() {
        let e = "e\u{0301}"
        let lines = [
            CaptionLineView(id: 1, start: 0, speaker: 0, text: "The demo in Tokyo: 日本語のテキストを表示します and it wraps."),
            CaptionLineView(id: 2, start: 4, speaker: 1, text: "Le caf\(e) est pr\(e)s de la gare, d\(e)j\u{E0} vu."),
            CaptionLineView(id: 3, start: 8, speaker: 0, text: "한국어 자막도 잘 보입니다"),
        ]
        let surface = ScreenView.render(SampleScreens.snapshot(lines: lines), size: TerminalSize(width: 40, height: 10))
        ScreenSnapshotFile.assertMatches(surface, named: "captions-cjk-combining-40x10")
        #expect(surface.text().contains("caf\(e)"))
        // Every wide character has its continuation cell; no row spills.
        for r in 0..<10 {
            for c in 0..<40 where DisplayWidth.of(surface[r, c].character) == 2 && !surface[r, c].isContinuation {
                #expect(c + 1 < 40 && surface[r, c + 1].isContinuation)
            }
        }
    }

    @Test func timestampsSpeakerLabelsAndDimmedWordsAt80x24() {
        let toggles = DisplayToggles(timestamps: true, speakerLabels: true, confidenceDimming: true, lowConfidenceThreshold: 0.6)
        let surface = ScreenView.render(SampleScreens.snapshot(toggles: toggles), size: TerminalSize(width: 80, height: 24))
        ScreenSnapshotFile.assertMatches(surface, named: "captions-timestamps-speakers-80x24")
        let text = surface.text()
        #expect(text.contains("[00:00:01] Speaker 1: Good morning"))
        #expect(text.contains("[00:00:06] Speaker 2: Morning!"))
        let theme = Theme(mode: .color)
        let row = try! #require((0..<24).first { surface.rowText($0).contains("Kubernetes") })
        let col = surface.rowText(row).distance(of: "Kubernetes")
        #expect(surface[row, col].style == theme.lowConfidence)
    }

    @Test func emptyTranscriptShowsAHintAt60x12() {
        let surface = ScreenView.render(SampleScreens.snapshot(lines: [], state: .connecting), size: TerminalSize(width: 60, height: 12))
        ScreenSnapshotFile.assertMatches(surface, named: "captions-empty-60x12")
        #expect(surface.rowText(0).hasPrefix("Connecting… captions appear here. Press ? for keys."))
        let live = ScreenView.render(SampleScreens.snapshot(lines: [], state: .live), size: TerminalSize(width: 60, height: 12))
        #expect(live.rowText(0).hasPrefix("Listening… captions appear here. Press ? for keys."))
        // Under an engine that stopped (a refused key), not "Listening…" (it said so).
        let failed = ScreenView.render(SampleScreens.snapshot(lines: [], state: .error(message: "HTTP 401")), size: TerminalSize(width: 80, height: 12))
        #expect(failed.rowText(0).hasPrefix("No captions: the engine stopped (why is said below). Press q to quit."), "\(failed.rowText(0))")
        let audio = ScreenView.render(SampleScreens.snapshot(lines: [], state: .error(message: "audio: no audio device matches \"x\"")),
                                      size: TerminalSize(width: 80, height: 12))
        #expect(audio.rowText(0).hasPrefix("No captions: the audio input failed (why is said below)."), "\(audio.rowText(0))")
        // Narrower, the hint wraps: the key to press is not cut (found in QA at 60 columns).
        let narrow = ScreenView.render(SampleScreens.snapshot(lines: [], state: .error(message: "HTTP 401")), size: TerminalSize(width: 40, height: 12))
        #expect(narrow.rowText(0) + " " + narrow.rowText(1) == "No captions: the engine stopped (why is said below). Press q to quit.",
                "\(narrow.rowText(0)) / \(narrow.rowText(1))")
    }

    /// A long refusal under an empty caption area gets the rows it needs (it was cut after four
    /// rows above 17 empty ones at 40x24, found in QA).
    @Test func aLongEngineErrorUsesTheEmptyCaptionArea() {
        let why = "Deepgram refused the connection: HTTP 401 Unauthorized: Invalid credentials. — check the API key (DEEPGRAM_API_KEY or key file) or token; it may be wrong, revoked or expired [request 0123456789abcdef]"
        let surface = ScreenView.render(SampleScreens.snapshot(lines: [], state: .error(message: why)), size: TerminalSize(width: 40, height: 24))
        let text = (0..<22).map { surface.rowText($0).trimmingCharacters(in: .whitespaces) }.joined(separator: " ")   // above the meter
        #expect(text.contains("revoked or expired [request 0123456789abcdef]"), "\(text)")
        #expect(!text.contains("…"), "\(text)")
    }

    @Test func controlCharactersInTranscriptCannotReachTheTerminal() {
        let lines = [CaptionLineView(id: 1, start: 0, text: "evil \u{1B}]0;title\u{07} text")]
        let surface = ScreenView.render(SampleScreens.snapshot(lines: lines), size: TerminalSize(width: 60, height: 12))
        for r in 0..<12 {
            for c in 0..<60 {
                let scalars = surface[r, c].character.unicodeScalars
                #expect(!scalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) })
            }
        }
    }
}

extension String {
    /// Column of the first occurrence of `needle` (for test lookups on rows of narrow text).
    func distance(of needle: String) -> Int {
        guard let r = range(of: needle) else { return 0 }
        return DisplayWidth.of(self[startIndex..<r.lowerBound])
    }
}
