import Foundation
import Testing
@testable import CaptionUI
import SystemSupport

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
        #expect(bar100.contains("journal on"), "too little room for the name: \(bar100)")
        let bar140 = ScreenView.render(snap, size: TerminalSize(width: 160, height: 12)).rowText(11)
        #expect(bar140.contains("saving to /home/ana/.local/share/captty/2026-11-25T10-02-11.jsonl"))
        #expect(bar140.contains("lag 320 ms"))
        for (bar, w) in [(bar60, 60), (bar100, 100), (bar140, 160)] { #expect(DisplayWidth.of(bar) <= w) }
        // Left and right groups never run into each other.
        for bar in [bar60, bar100, bar140] { #expect(!bar.contains("mssav") && !bar.contains("ms…") && !bar.contains("ms/")) }
    }

    /// At every width the journal's path is said with its label, or not at all: a bare
    /// "…22-48-20.616Z.jsonl" said nothing of what it was (found in QA at 101–131 columns).
    @Test func thePathIsNeverShownWithoutItsLabel() {
        var snap = SampleScreens.snapshot(state: .live)
        for w in 60...170 {
            let bar = ScreenView.render(snap, size: TerminalSize(width: w, height: 12)).rowText(11)
            if bar.contains(".jsonl") { #expect(bar.contains("saving to "), "\(w) columns: \(bar)") }
            #expect(DisplayWidth.of(bar) <= w)
        }
        snap.status.save = .exported(path: "/home/ana/exports/2026-12-06T22-53-28.291Z.txt")
        for w in 60...170 {
            let bar = ScreenView.render(snap, size: TerminalSize(width: w, height: 12)).rowText(11)
            if bar.contains(".txt") { #expect(bar.contains("saved "), "\(w) columns: \(bar)") }
        }
        #expect(StatusBarView.cutPath("saving to /a/very/long/path/file-name.jsonl ", toColumns: 24) == "saving to …e-name.jsonl ")
        #expect(StatusBarView.cutPath("saving to /a/b.jsonl ", toColumns: 15) == "journal on ")
        #expect(StatusBarView.cutPath("saving to /a/b.jsonl ", toColumns: 10) == nil)
    }

    /// When the engine and model do not fit, the language follows the state without a stray
    /// separator ("● live  · en").
    /// Connected, but the microphone is gone: "● live" claimed captions were coming. The bar
    /// says it waits for audio, in the waiting style.
    @Test func liveWithoutAudioSaysItWaitsForAudio() {
        var snap = SampleScreens.snapshot(state: .live)
        let live = ScreenView.render(snap, size: TerminalSize(width: 80, height: 24))
        snap.status.waitingForAudio = true
        let waiting = ScreenView.render(snap, size: TerminalSize(width: 80, height: 24))
        #expect(live.rowText(23).contains("● live"))
        #expect(waiting.rowText(23).contains("◌ waiting for audio") && !waiting.rowText(23).contains("live"), "\(waiting.rowText(23))")
        #expect(waiting[23, waiting.rowText(23).distance(of: "◌")].style == Theme(mode: .color).statusWaiting)
        // Other states say what they say (an outage while reconnecting is still reconnecting).
        snap.status.connection = .reconnecting(inSeconds: 3, attempt: 2)
        #expect(ScreenView.render(snap, size: TerminalSize(width: 80, height: 24)).rowText(23).contains("reconnecting"))
    }

    /// Once the wait is over the attempt is under way: "reconnecting in 0 s" stood for the 10 s
    /// a silent server takes to time out.
    @Test func anAttemptUnderWayIsNotACountdownAtZero() {
        for reason in ["", "connection reset"] {
            let snap = SampleScreens.snapshot(state: .reconnecting(inSeconds: 0, attempt: 3, reason: reason))
            for w in [100, 60, 40, 30] {
                let bar = ScreenView.render(snap, size: TerminalSize(width: w, height: 12)).rowText(11)
                #expect(!bar.contains("in 0 s") && bar.contains("↻"), "\(w) columns: \(bar)")
            }
            #expect(ScreenView.render(snap, size: TerminalSize(width: 100, height: 12)).rowText(11).contains("↻ reconnecting… (attempt 3)"))
        }
        #expect(StatusBarView.connectionLabel(.reconnecting(inSeconds: 4, attempt: 2)) == "↻ reconnecting in 4 s (attempt 2)")
    }

    @Test func noStraySeparatorWhenTheEngineDoesNotFit() {
        let snap = SampleScreens.snapshot(state: .live)
        for w in 30...60 {
            let bar = ScreenView.render(snap, size: TerminalSize(width: w, height: 12)).rowText(11)
            #expect(!bar.contains("live  ·") && !bar.contains("● live ·"), "\(w) columns: \(bar)")
        }
    }

    /// Why it reconnects follows the state in the same style. When the bar cannot hold it whole,
    /// it goes on rows of its own above the meter, whole (its end — "Connection refused" — says
    /// what to do; it was cut off at 100 columns), and the bar keeps the state and the clock.
    @Test func reconnectShowsWhyWholeOnTheBarOrAboveTheMeter() {
        let reason = "cannot connect to Deepgram at 127.0.0.1:9: Connection refused"
        let snap = SampleScreens.snapshot(state: .reconnecting(inSeconds: 3, attempt: 2, reason: reason))
        let wide = ScreenView.render(snap, size: TerminalSize(width: 160, height: 12))
        let bar160 = wide.rowText(11)
        #expect(bar160.contains("↻ reconnecting in 3 s (attempt 2): \(reason)"), "\(bar160)")
        #expect(bar160.contains("01:02:03") && bar160.contains("Deepgram nova-3"))
        let theme = Theme(mode: .color)
        #expect(wide[11, bar160.distance(of: "Connection refused")].style == theme.statusWaiting)
        // Fits on the bar: no extra row, the captions keep theirs.
        #expect(!wide.rowText(9).contains("Connection refused"))

        let s80 = ScreenView.render(snap, size: TerminalSize(width: 80, height: 24))
        let bar80 = s80.rowText(23)
        #expect(bar80.contains("↻ reconnecting in 3 s (attempt 2)") && bar80.contains("01:02:03"), "\(bar80)")
        #expect(!bar80.contains("cannot") && !bar80.contains("…"), "\(bar80)")
        #expect(s80.rowText(21).contains(reason), "\(s80.text())")
        #expect(s80[21, s80.rowText(21).distance(of: "cannot")].style == theme.warning)
        #expect(DisplayWidth.of(bar80) <= 80)

        let s48 = ScreenView.render(snap, size: TerminalSize(width: 48, height: 12))
        let bar48 = s48.rowText(11)
        #expect(bar48.contains("↻ reconnecting in 3 s (attempt 2)") && bar48.contains("01:02:03"), "\(bar48)")
        #expect(!bar48.contains("cannot"))
        #expect(DisplayWidth.of(bar48) <= 48)
        // The narrowest screen keeps the state in a shorter form (it was dropped at 30–35 columns).
        let bar30 = ScreenView.render(snap, size: TerminalSize(width: 30, height: 12)).rowText(11)
        #expect(bar30.contains("↻ retry in 3 s") && bar30.contains("01:02:03"), "\(bar30)")
        #expect(DisplayWidth.of(bar30) <= 30)
        // Wrapped on two rows above the meter, nothing cut.
        let notice = s48.rowText(8).trimmingWhitespace() + " " + s48.rowText(9).trimmingWhitespace()
        #expect(notice == reason, "\(s48.text())")

        // A reason too long for two rows ends with "…"; the captions keep at least two rows.
        let long = String(repeating: "the server said something long ", count: 10) + "END"
        let sLong = ScreenView.render(SampleScreens.snapshot(state: .reconnecting(inSeconds: 3, attempt: 2, reason: long)),
                                      size: TerminalSize(width: 48, height: 12))
        #expect(sLong.rowText(9).contains("…") && !sLong.text().contains("END"), "\(sLong.text())")
        let tiny = ScreenView.render(snap, size: TerminalSize(width: 48, height: 6))
        #expect(tiny.rowText(2).trimmingWhitespace() + " " + tiny.rowText(3).trimmingWhitespace() == reason, "\(tiny.text())")
        #expect(!tiny.rowText(0).contains("cannot") && !tiny.rowText(1).contains("cannot") && !tiny.rowText(1).isEmpty)
    }

    /// A fatal error's message too long for the bar is shown whole above the meter too.
    @Test func anErrorTooLongForTheBarIsShownWholeAboveTheMeter() {
        let message = "Deepgram refused the API key (401); check DEEPGRAM_API_KEY or --api-key-file"
        let s = ScreenView.render(SampleScreens.snapshot(state: .error(message: message)), size: TerminalSize(width: 60, height: 12))
        #expect(s.rowText(11).contains("✖ error") && !s.rowText(11).contains("refused"), "\(s.text())")
        let notice = s.rowText(8).trimmingWhitespace() + " " + s.rowText(9).trimmingWhitespace()
        #expect(notice == message, "\(s.text())")
    }

    /// A save failure or a meter-row warning too long for its row is shown whole above the
    /// meter: at 100 columns "— free some disk space" and "that stretch has no captions" were
    /// cut, with no way to read them in the app.
    @Test func longProblemsAreShownWholeAboveTheMeter() {
        var snap = SampleScreens.snapshot()
        let failure = "cannot write the journal /tmp/qa3/tiny/j.jsonl: No space left on device — free some disk space — 52 line(s) kept in memory, retrying"
        snap.status.save = .failing(message: failure)
        let s = ScreenView.render(snap, size: TerminalSize(width: 100, height: 30))
        let above = s.rowText(26).trimmingWhitespace() + " " + s.rowText(27).trimmingWhitespace()
        #expect(above == "✖ SAVE FAILED: " + failure, "\(s.text())")
        #expect(s.rowText(29).contains("SAVE FAILED"), "the bar still says it")

        var warned = SampleScreens.snapshot()
        let warning = "0.1 s of audio lost, with no captions: dropped the oldest (disconnected for longer than the replay buffer holds); that stretch has no captions"
        warned.warning = warning
        let w = ScreenView.render(warned, size: TerminalSize(width: 100, height: 30))
        let rows = w.rowText(26).trimmingWhitespace() + " " + w.rowText(27).trimmingWhitespace()
        #expect(rows == "⚠ " + warning, "\(w.text())")
        #expect(w[27, 1].style == Theme(mode: .color).warning)
        #expect(!w.rowText(28).contains("⚠") && w.rowText(28).contains(SampleScreens.level.deviceName), "the meter row names the device again: \(w.rowText(28))")
        // On a tall screen a longer reason gets up to four rows (it was cut after two).
        let longer = "the server closed the stream (1011 NET-0001): no audio or KeepAlive reached the server for 10 s; the captions "
            + "resume when the connection is made again, and what was said meanwhile is replayed from the buffer of 30 s; check the network"
        warned.warning = longer
        let tall = ScreenView.render(warned, size: TerminalSize(width: 100, height: 30))
        let four = (24 ... 27).map { tall.rowText($0).trimmingWhitespace() }.filter { !$0.isEmpty }.joined(separator: " ")
        #expect(four == "⚠ " + longer, "\(tall.text())")
        // A short warning stays on the meter row, and the captions keep their rows.
        warned.warning = "short problem"
        let short = ScreenView.render(warned, size: TerminalSize(width: 100, height: 30))
        #expect(short.rowText(28).contains("⚠ short problem") && !short.rowText(27).contains("short problem"))
    }

    /// The lag's width does not change with its value: the journal's path on the right came and
    /// went every second as the lag went from "lag 9.9 s" to "lag 10.2 s" and back.
    @Test func theLagKeepsOneWidthSoTheRestOfTheBarStaysPut() {
        var texts: [String] = []
        for lag in [85, 850, 5_900, 13_500] {
            var snap = SampleScreens.snapshot()
            snap.status.lagMilliseconds = lag
            snap.status.save = .journaling(path: "/tmp/captty-prof/sessions/2026-12-06T10-44-56.855Z.jsonl")
            let bar = ScreenView.render(snap, size: TerminalSize(width: 100, height: 12)).rowText(11)
            let label = StatusBarView.lagLabel(lag)
            // The label's own text blanked out: what is left is where everything else is.
            // (The state reads "late" from 5 s on, as wide as "live".)
            texts.append(bar.replacingOccurrences(of: label, with: String(repeating: " ", count: label.count))
                .replacingOccurrences(of: StatusBarView.behindLabel, with: "● live"))
        }
        #expect(Set(texts).count == 1, "\(texts)")
        #expect(Set(texts.map { $0.contains("2026-12-06T10-44-56.855Z.jsonl") }).count == 1, "the path came and went: \(texts)")
    }

    /// Captions far behind the speech show as a warning and stay on a narrow bar (a lag of
    /// 27 s looked like one of 300 ms, and went first when the bar was narrow).
    @Test func aLongLagIsAWarning() {
        let theme = Theme(mode: .color)
        for (lag, late) in [(300, false), (12_300, true)] {
            var snap = SampleScreens.snapshot()
            snap.status.lagMilliseconds = lag
            let s = ScreenView.render(snap, size: TerminalSize(width: 100, height: 12))
            let bar = s.rowText(11)
            let label = StatusBarView.lagLabel(lag)
            #expect(bar.contains(label), "\(bar)")
            #expect(s[11, bar.distance(of: label)].style == (late ? theme.statusWaiting : theme.statusBar), "\(lag) ms")
        }
        var snap = SampleScreens.snapshot()
        snap.status.lagMilliseconds = 27_000
        #expect(ScreenView.render(snap, size: TerminalSize(width: 50, height: 12)).rowText(11).contains("lag 27.0 s"))
    }

    /// Connected but with captions far behind: the state says "late", not "live" (it read
    /// as all well while the lag grew to 30 s on a slow link; found in QA).
    @Test func captionsFarBehindAreNotCalledLive() {
        let theme = Theme(mode: .color)
        for (lag, behind) in [(300, false), (4_900, false), (5_000, true), (31_000, true)] {
            var snap = SampleScreens.snapshot()
            snap.status.connection = .live
            snap.status.lagMilliseconds = lag
            let s = ScreenView.render(snap, size: TerminalSize(width: 100, height: 12))
            let bar = s.rowText(11)
            #expect(bar.contains(behind ? StatusBarView.behindLabel : "● live"), "\(lag): \(bar)")
            #expect(!bar.contains(behind ? "● live" : StatusBarView.behindLabel), "\(lag): \(bar)")
            let label = behind ? StatusBarView.behindLabel : "● live"
            #expect(s[11, bar.distance(of: label)].style == (behind ? theme.statusWaiting : theme.statusLive), "\(lag) ms")
        }
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
        #expect(bar.contains("journal on"), "\(bar)")
        #expect(bar.contains("smart"), "the option that is on is still said: \(bar)")
        // The flags take a shorter form rather than drop whether the journal is on (at 100
        // columns they took its place; found in QA).
        for w in 80...130 {
            let b = ScreenView.render(snap, size: TerminalSize(width: w, height: 24)).rowText(23)
            #expect(b.contains("journal on") || b.contains("saving to"), "\(w) columns: \(b)")
        }
        // Nor that a file was just saved (`s`): the bar said neither, for the 5 s it says so.
        snap.status.save = .exported(path: "/home/ana/.local/share/captty/sessions/2026-11-25T10-02-11.txt")
        for w in 80...130 {
            let b = ScreenView.render(snap, size: TerminalSize(width: w, height: 24)).rowText(23)
            #expect(b.contains("saved "), "\(w) columns: \(b)")
        }
    }

    /// At 80 columns (the usual terminal) the flags took more room than was left and were
    /// dropped whole, so toggling an option changed nothing visible: a shorter form shows the
    /// options that are on (each one's key letter when even that does not fit), lag kept.
    @Test func optionFlagsShowInAShorterFormAt80Columns() {
        var snap = SampleScreens.snapshot()
        snap.status.engine = "deepgram"
        snap.status.model = "nova-3"
        snap.status.lagMilliseconds = 250
        snap.status.save = .notSaving
        func bar(_ on: Set<String>, width: Int = 80) -> String {
            // The keys the screen fills in from the key table (p, f, d, n, x by default).
            snap.status.flags = zip(["punct", "smart", "diar", "num", "prof"], ["p", "f", "d", "n", "x"]).map { label, key in
                var f = StatusFlag(label, isOn: on.contains(label))
                f.key = key
                return f
            }
            return ScreenView.render(snap, size: TerminalSize(width: width, height: 24)).rowText(23)
        }
        #expect(bar(["punct", "smart"]).contains(" · on: punct smart "), "\(bar(["punct", "smart"]))")
        #expect(bar(["punct", "smart", "diar"]).contains(" · on: punct smart diar "), "\(bar(["punct", "smart", "diar"]))")
        #expect(bar(["punct", "smart"]).contains("lag 250 ms"))
        #expect(bar([]).contains(" · all options off "), "\(bar([]))")
        #expect(bar(["punct", "smart", "prof"], width: 64).contains(" · PFdnX"), "\(bar(["punct", "smart", "prof"], width: 64))")
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
