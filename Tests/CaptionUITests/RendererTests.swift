import Testing
@testable import CaptionUI

@Suite("Renderer and frame limiter")
struct RendererTests {
    @Test func drawsOnlyWhenTheSnapshotChanges() {
        let term = MemoryTerminal(width: 60, height: 12)
        let renderer = Renderer(terminal: term)
        let snap = SampleScreens.snapshot()
        #expect(renderer.render(snap, now: 0) == .drawn)
        #expect(renderer.render(snap, now: 1) == .unchanged)
        #expect(term.refreshCount == 1)
        #expect(term.text() == ScreenView.render(snap, size: term.size).text())
    }

    @Test func atMostThirtyFramesASecond() {
        let term = MemoryTerminal(width: 60, height: 12)
        let renderer = Renderer(terminal: term)
        var snap = SampleScreens.snapshot()
        var drawn = 0
        // 200 changed snapshots over one second: at most 30 frames (+1 at t=0).
        for i in 0..<200 {
            snap.interim = "word \(i)"
            if renderer.render(snap, now: Double(i) / 200) == .drawn { drawn += 1 }
        }
        #expect(drawn <= 31 && drawn >= 25)
        snap.interim = "later"
        if case .deferred(let s) = renderer.render(snap, now: renderer.limiter.lastFrameTime! + 0.01) {
            #expect(s > 0.02 && s < 0.034)
        } else {
            Issue.record("expected a deferred frame")
        }
    }

    @Test func sendsOnlyChangedRows() {
        let term = MemoryTerminal(width: 80, height: 24)
        let renderer = Renderer(terminal: term)
        var snap = SampleScreens.snapshot()
        renderer.render(snap, now: 0)
        let before = term.putCount
        snap.status.elapsedSeconds += 1          // only the status bar changes
        renderer.render(snap, now: 1)
        let runsInStatusRow = ScreenView.render(snap, size: term.size).runs(row: 23).count
        #expect(term.putCount - before == runsInStatusRow)
        #expect(term.text().contains("01:02:04"))
    }

    @Test func resizeAndRedrawRepaintEverything() {
        let term = MemoryTerminal(width: 80, height: 24)
        let renderer = Renderer(terminal: term)
        let snap = SampleScreens.snapshot()
        renderer.render(snap, now: 0)
        term.resize(width: 40, height: 10)
        #expect(term.readKey(timeoutMilliseconds: 0) == .resize)
        #expect(renderer.render(snap, now: 1) == .drawn)
        #expect(term.text() == ScreenView.render(snap, size: TerminalSize(width: 40, height: 10)).text())
        renderer.invalidate()
        #expect(renderer.render(snap, now: 2) == .drawn)
        #expect(renderer.framesDrawn == 3)
    }

    @Test func memoryTerminalMatchesTheSurfaceCellForCell() {
        let term = MemoryTerminal(width: 40, height: 10)
        let snap = SampleScreens.snapshot(lines: [CaptionLineView(id: 1, start: 0, text: "日本語のテキスト and e\u{0301}")], interim: "…")
        Renderer(terminal: term).render(snap, now: 0)
        #expect(term.screen == ScreenView.render(snap, size: term.size))
    }
}
