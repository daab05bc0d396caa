import Foundation
import Testing
@testable import CaptionUI

@Suite("Status bar")
struct StatusBarTests {
    static let states: [(String, ConnectionState, String)] = [
        ("connecting", .connecting, "◌ connecting…"),
        ("live", .live, "● live"),
        ("reconnecting", .reconnecting(inSeconds: 3, attempt: 2), "↻ reconnecting in 3 s (attempt 2)"),
        ("paused", .paused, "‖ paused"),
        ("error", .error(message: "401 Unauthorized: check DEEPGRAM_API_KEY"), "✖ error: 401 Unauthorized"),
        ("finished", .finished, "■ finished"),
    ]

    @Test(arguments: 0..<6)
    func everyConnectionStateAt80x24(_ i: Int) {
        let (name, state, label) = Self.states[i]
        let surface = ScreenView.render(SampleScreens.snapshot(state: state), size: TerminalSize(width: 80, height: 24))
        ScreenSnapshotFile.assertMatches(surface, named: "status-\(name)-80x24")
        let bar = surface.rowText(23)
        #expect(bar.contains(label))
        #expect(bar.contains("01:02:03"))
        // The state segment has its own style, different from the rest of the bar.
        let col = bar.distance(of: String(label.prefix(1)))
        let theme = Theme(mode: .color)
        #expect(surface[23, col].style != theme.statusBar || state == .finished)
    }

    @Test func narrowBarKeepsStateAndTimeAndCutsThePathFromTheLeft() {
        let snap = SampleScreens.snapshot(state: .reconnecting(inSeconds: 3, attempt: 2))
        let bar60 = ScreenView.render(snap, size: TerminalSize(width: 60, height: 12)).rowText(11)
        #expect(bar60.contains("↻ reconnecting in 3 s (attempt 2)"))
        #expect(bar60.contains("01:02:03"))
        let bar100 = ScreenView.render(snap, size: TerminalSize(width: 100, height: 12)).rowText(11)
        #expect(bar100.contains("Deepgram nova-3"))
        #expect(bar100.contains("…") && bar100.contains(".jsonl"))
        let bar140 = ScreenView.render(snap, size: TerminalSize(width: 160, height: 12)).rowText(11)
        #expect(bar140.contains("saving to /home/ana/.local/share/captty/2026-11-25T10-02-11.jsonl"))
        #expect(bar140.contains("lag 320 ms"))
        for (bar, w) in [(bar60, 60), (bar100, 100), (bar140, 160)] { #expect(DisplayWidth.of(bar) <= w) }
        // Left and right groups never run into each other.
        for bar in [bar60, bar100, bar140] { #expect(!bar.contains("mssav") && !bar.contains("ms…") && !bar.contains("ms/")) }
    }

    /// Why it reconnects follows the state in the same style; on a narrow bar it is cut (the
    /// state and the clock stay), and with no room it is left out.
    @Test func reconnectShowsWhyAndIsCutToTheRoomLeft() {
        let reason = "cannot connect to Deepgram at 127.0.0.1:9: Connection refused"
        let snap = SampleScreens.snapshot(state: .reconnecting(inSeconds: 3, attempt: 2, reason: reason))
        let wide = ScreenView.render(snap, size: TerminalSize(width: 160, height: 12))
        let bar160 = wide.rowText(11)
        #expect(bar160.contains("↻ reconnecting in 3 s (attempt 2): \(reason)"), "\(bar160)")
        #expect(bar160.contains("01:02:03") && bar160.contains("Deepgram nova-3"))
        let theme = Theme(mode: .color)
        #expect(wide[11, bar160.distance(of: "Connection refused")].style == theme.statusWaiting)
        let bar80 = ScreenView.render(snap, size: TerminalSize(width: 80, height: 24)).rowText(23)
        #expect(bar80.contains("↻ reconnecting in 3 s (attempt 2): cannot connect"), "\(bar80)")
        #expect(bar80.contains("…") && !bar80.contains("refused") && bar80.contains("01:02:03"), "\(bar80)")
        #expect(DisplayWidth.of(bar80) <= 80)
        let bar48 = ScreenView.render(snap, size: TerminalSize(width: 48, height: 12)).rowText(11)
        #expect(bar48.contains("↻ reconnecting in 3 s (attempt 2)") && bar48.contains("01:02:03"), "\(bar48)")
        #expect(!bar48.contains("cannot"))
        #expect(DisplayWidth.of(bar48) <= 48)
    }

    @Test func failingSaveIsShownBeforeLessImportantParts() {
        var snap = SampleScreens.snapshot()
        snap.status.save = .failing(message: "disk full (ENOSPC) writing /home/ana/captty.jsonl")
        let surface = ScreenView.render(snap, size: TerminalSize(width: 60, height: 12))
        ScreenSnapshotFile.assertMatches(surface, named: "status-save-failing-60x12")
        let bar = surface.rowText(11)
        #expect(bar.contains("SAVE FAILED: disk full"))
        #expect(bar.contains("● live"))
        let col = bar.distance(of: "SAVE")
        #expect(surface[11, col].style == Theme(mode: .color).statusError)
    }

    /// At 100 columns with the default journal path, the option flags show and the path is cut:
    /// the path took the room, so `p`, `f`, `d`, `n` and `x` changed nothing visible (an audit).
    @Test func optionFlagsGoBeforeTheJournalPath() {
        var snap = SampleScreens.snapshot()
        snap.status.flags = [StatusFlag("punct", isOn: false), StatusFlag("smart", isOn: true), StatusFlag("diar", isOn: false),
                             StatusFlag("num", isOn: false), StatusFlag("prof", isOn: false)]
        snap.status.save = .journaling(path: "/home/ana/.local/share/captty/sessions/2026-11-25T10-02-11.jsonl")
        let bar = ScreenView.render(snap, size: TerminalSize(width: 100, height: 24)).rowText(23)
        #expect(bar.contains("-punct smart -diar -num -prof"), "\(bar)")
        #expect(bar.contains("…") && bar.contains(".jsonl"), "\(bar)")
    }

    @Test func engineOptionFlagsShowWhenThereIsRoom() {
        var snap = SampleScreens.snapshot()
        snap.status.flags = [StatusFlag("punct", isOn: true), StatusFlag("smart", isOn: true),
                             StatusFlag("diarize", isOn: false)]
        snap.status.save = .exported(path: "/tmp/meeting.srt")
        let surface = ScreenView.render(snap, size: TerminalSize(width: 120, height: 24))
        ScreenSnapshotFile.assertMatches(surface, named: "status-flags-120x24")
        #expect(surface.rowText(23).contains("punct smart -diarize"))
        #expect(surface.rowText(23).contains("saved /tmp/meeting.srt"))
        #expect(!ScreenView.render(snap, size: TerminalSize(width: 60, height: 12)).rowText(11).contains("punct"))
    }

    @Test func lagLabels() {
        #expect(StatusBarView.lagLabel(320) == "lag 320 ms")
        #expect(StatusBarView.lagLabel(1440) == "lag 1.4 s")
        #expect(StatusBarView.lagLabel(12_960) == "lag 13.0 s")
    }
}
