import Foundation
import Synchronization
import Testing
@testable import CaptionUI
import Transcript

@Suite("Scroll-back, new-lines indicator and resize")
struct ScrollBackTests {
    let size = TerminalSize(width: 60, height: 12)

    func snapshot(_ n: Int, scroll: ScrollState = .following, interim: String = "") -> ScreenSnapshot {
        var s = SampleScreens.snapshot(lines: SampleScreens.numbered(n), interim: interim)
        s.scroll = scroll
        return s
    }

    @Test func followingShowsTheNewestLines() {
        let surface = ScreenView.render(snapshot(40), size: size)
        #expect(surface.text().contains("Line 40 says"))
        #expect(!surface.text().contains("Line 1 says"))
    }

    @Test func pageUpPinsTheViewAndNewTextDoesNotYankIt() {
        let before = snapshot(40)
        let state = CaptionViewport.scrolled(before, by: .pageUp, screen: size)
        guard case .scrolledBack(let anchor) = state else { Issue.record("expected scrolled back, got \(state)"); return }
        #expect(anchor.lineCountAtScroll == 40)
        let pinned = ScreenView.render(snapshot(40, scroll: state), size: size)
        #expect(!pinned.text().contains("Line 40 says"))
        // Where the view is in the session: the top line's time (line 27 starts at 00:01:07).
        let top = SampleScreens.numbered(40).first { pinned.rowText(0).hasPrefix($0.plainText.prefix(10)) }
        #expect(top != nil, "\(pinned.text())")
        // Every line below counts (they were there before the user scrolled back, too).
        let shown = pinned.text().matches(of: /Line (\d+) says/).compactMap { Int($0.output.1) }
        let last = try! #require(shown.max())
        #expect(pinned.text().contains("↑ \(Timecode.clock(top?.start ?? -1)) · ↓ \(40 - last) lines below · End to follow"), "\(pinned.text())")
        // Five more lines arrive: the same text stays on screen, the indicator counts them.
        let later = ScreenView.render(snapshot(45, scroll: state, interim: "and now"), size: size)
        let captionRows = 0..<(ScreenLayout(size: size).captions.height - 1)
        #expect(captionRows.map { later.rowText($0) } == captionRows.map { pinned.rowText($0) })
        #expect(later.text().contains("· ↓ \(45 - last) lines below, 5 new · End to follow"), "\(later.text())")
        #expect(!later.text().contains("and now"))
        ScreenSnapshotFile.assertMatches(later, named: "scrollback-new-lines-60x12")
    }

    @Test func pageDownAndEndReturnToFollowing() {
        var s = snapshot(40)
        s.scroll = CaptionViewport.scrolled(s, by: .pageUp, screen: size)
        s.scroll = CaptionViewport.scrolled(s, by: .pageUp, screen: size)
        #expect(s.scroll != .following)
        #expect(CaptionViewport.scrolled(s, by: .bottom, screen: size) == .following)
        s.scroll = CaptionViewport.scrolled(s, by: .pageDown, screen: size)
        #expect(s.scroll != .following)
        s.scroll = CaptionViewport.scrolled(s, by: .pageDown, screen: size)
        #expect(s.scroll == .following)
    }

    @Test func pagesDoNotSkipRows() {
        // Scrolling back page by page from the bottom to the top visits every line.
        var s = snapshot(30)
        var seen = Set<String>()
        for _ in 0..<40 {
            let surface = ScreenView.render(s, size: size)
            for r in 0..<ScreenLayout(size: size).captions.height {
                if let m = surface.rowText(r).range(of: #"Line \d+ says"#, options: .regularExpression) {
                    seen.insert(String(surface.rowText(r)[m]))
                }
            }
            let next = CaptionViewport.scrolled(s, by: .pageUp, screen: size)
            if next == s.scroll { break }
            s.scroll = next
        }
        #expect(seen.count == 30)
        guard case .scrolledBack(let a) = s.scroll else { Issue.record("not scrolled"); return }
        #expect(a.lineID == 1 && a.offset == 0)
    }

    @Test func homeGoesToTheFirstLine() {
        let s = snapshot(40)
        let state = CaptionViewport.scrolled(s, by: .top, screen: size)
        #expect(state == .scrolledBack(ScrollAnchor(lineID: 1, offset: 0, lineCountAtScroll: 40)))
        let surface = ScreenView.render(snapshot(40, scroll: state), size: size)
        #expect(surface.rowText(0).hasPrefix("Line 1 says something and more words."))
        // Home says how much is below (it said only "scrolled back").
        let rows = ScreenLayout(size: size).captions.height - 1
        let lastShown = (0..<rows).compactMap { r in surface.rowText(r).firstMatch(of: /Line (\d+) says/).flatMap { Int($0.output.1) } }.max() ?? 0
        #expect(surface.text().contains("↓ \(40 - lastShown) lines below · End to follow"), "\(surface.text())")
    }

    @Test func shortTranscriptCannotScroll() {
        #expect(CaptionViewport.scrolled(snapshot(3), by: .pageUp, screen: size) == .following)
        #expect(CaptionViewport.scrolled(snapshot(3), by: .top, screen: size) == .following)
    }

    @Test func resizeKeepsTheTopAnchor() {
        let lines = (1...30).map { i in
            CaptionLineView(id: i, start: Double(i), text: "Sentence \(i) is long enough to wrap onto more than one row when the screen is narrow, marker\(i).")
        }
        var s = SampleScreens.snapshot(lines: lines)
        let wide = TerminalSize(width: 80, height: 24)
        s.scroll = CaptionViewport.scrolled(s, by: .pageUp, screen: wide)
        s.scroll = CaptionViewport.scrolled(s, by: .lineUp, screen: wide)
        guard case .scrolledBack(let anchor) = s.scroll else { Issue.record("not scrolled"); return }
        let before = ScreenView.render(s, size: wide)
        let narrow = ScreenView.render(s, size: TerminalSize(width: 40, height: 10))
        ScreenSnapshotFile.assertMatches(before, named: "resize-before-80x24")
        ScreenSnapshotFile.assertMatches(narrow, named: "resize-after-40x10")
        // The top row shows the same part of the same line at both widths.
        let topWide = before.rowText(0).trimmingCharacters(in: .whitespaces)
        let topNarrow = narrow.rowText(0).trimmingCharacters(in: .whitespaces)
        let anchorLine = lines.first { $0.id == anchor.lineID }!.plainText
        let anchorText = String(anchorLine.dropFirst(anchor.offset))
        #expect(anchorText.hasPrefix(topWide) || topWide.hasPrefix(String(anchorText.prefix(topWide.count))))
        #expect(anchorText.hasPrefix(topNarrow) || anchorLine.contains(topNarrow))
        // The narrow top row starts at or before the anchor's text and contains its first word.
        let firstWord = anchorText.split(separator: " ").first.map(String.init) ?? ""
        #expect(topNarrow.contains(firstWord))
        #expect(narrow.text().contains("lines below"))
        // And back to wide: the same view as before.
        #expect(ScreenView.render(s, size: wide) == before)
    }

    @Test func renderTouchesOnlyTheLinesOnScreen() {
        let source = CountingSource(count: 100_000)
        var s = ScreenSnapshot(lines: CaptionLines(source), status: SampleScreens.status())
        _ = ScreenView.render(s, size: TerminalSize(width: 80, height: 24))
        let following = source.readCount
        #expect(following > 0 && following <= 2 * 24)
        s.scroll = CaptionViewport.scrolled(s, by: .pageUp, screen: TerminalSize(width: 80, height: 24))
        #expect(source.readCount <= 6 * 24)
        source.resetCount()
        _ = ScreenView.render(s, size: TerminalSize(width: 80, height: 24))
        // Binary search for the anchor (~17 reads) plus the rows on screen.
        #expect(source.readCount > 0 && source.readCount <= 2 * 24 + 40)
    }
}

/// A line source that counts how many lines are read (to prove a frame reads few lines).
final class CountingSource: CaptionLineSource {
    let count: Int
    private let reads = Atomic<Int>(0)
    init(count: Int) { self.count = count }
    var revision: Int { count }
    var readCount: Int { reads.load(ordering: .relaxed) }
    func resetCount() { reads.store(0, ordering: .relaxed) }
    func line(at index: Int) -> CaptionLineView {
        reads.add(1, ordering: .relaxed)
        return CaptionLineView(id: index + 1, start: Double(index), text: "Transcript line number \(index + 1) with a few words.")
    }
}
