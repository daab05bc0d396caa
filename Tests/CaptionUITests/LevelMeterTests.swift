import Testing
@testable import CaptionUI
import SystemSupport

@Suite("Level meter")
struct LevelMeterTests {
    func render(_ level: LevelMeterReading, mode: ColorMode = .color, width: Int = 80) -> Surface {
        var snap = SampleScreens.snapshot(mode: mode)
        snap.level = level
        return ScreenView.render(snap, size: TerminalSize(width: width, height: 24))
    }

    @Test func barPeakMarkerAndLevel() {
        let surface = render(LevelMeterReading(rmsDBFS: -30, peakHoldDBFS: -12, deviceName: "USB Mic"))
        let row = surface.rowText(22)
        #expect(row.hasPrefix("▕"))
        #expect(row.contains("│"))
        #expect(row.contains(" -30 dB"))
        #expect(row.contains("USB Mic"))
        #expect(!row.contains("CLIP"))
        // -30 dBFS on a -60…0 bar of 33 cells: half full.
        let full = row.filter { $0 == "█" }.count
        #expect(full == 16)
        // The peak marker sits right of the filled part.
        let peak = row.distance(of: "│")
        #expect(peak > full)
    }

    /// `display.meter = false` in the config did nothing: the bar is left out, the row keeps
    /// the device name, a recent problem and the "no audio" warning.
    @Test func withoutTheMeterTheRowKeepsNameAndWarnings() {
        var snap = SampleScreens.snapshot()
        snap.toggles.showMeter = false
        snap.level = LevelMeterReading(rmsDBFS: -30, peakHoldDBFS: -12, deviceName: "USB Mic")
        var row = ScreenView.render(snap, size: TerminalSize(width: 80, height: 24)).rowText(22)
        #expect(!row.contains("▕") && !row.contains("█") && !row.contains("dB"), "\(row)")
        #expect(row.contains("USB Mic"), "\(row)")
        snap.warning = "audio lost"
        row = ScreenView.render(snap, size: TerminalSize(width: 80, height: 24)).rowText(22)
        #expect(row.contains("⚠ audio lost") && !row.contains("█"), "\(row)")
        snap.level = LevelMeterReading(silent: true, deviceName: "USB Mic")
        row = ScreenView.render(snap, size: TerminalSize(width: 140, height: 24)).rowText(22)
        #expect(row.hasPrefix("⚠ no audio from “USB Mic”"), "\(row)")
    }

    /// A key's confirmation ("interim guesses hidden") takes the device name's place, not in
    /// the warning style; a warning goes first, and without the bar it still shows.
    @Test func aKeysNoticeTakesTheDeviceNamesPlace() {
        var snap = SampleScreens.snapshot()
        snap.level = LevelMeterReading(rmsDBFS: -30, peakHoldDBFS: -12, deviceName: "USB Mic")
        snap.notice = "speaker labels on (d: tell speakers apart)\u{1B}[2J"
        var surface = ScreenView.render(snap, size: TerminalSize(width: 80, height: 24))
        var row = surface.rowText(22)
        #expect(row.contains("speaker labels on (d: tell speakers apart)"), "the bar makes room at 80 columns: \(row)")
        snap.notice = "interim guesses hidden\u{1B}[2J"
        surface = ScreenView.render(snap, size: TerminalSize(width: 100, height: 24))
        row = surface.rowText(22)
        #expect(row.contains("interim guesses hidden") && !row.contains("USB Mic") && !row.contains("\u{1B}"), "\(row)")
        #expect(surface[22, row.distance(of: "interim")].style != Theme(mode: .color).warning)
        snap.warning = "audio lost"
        row = ScreenView.render(snap, size: TerminalSize(width: 100, height: 24)).rowText(22)
        #expect(row.contains("⚠ audio lost") && !row.contains("interim"), "\(row)")
        snap.warning = nil
        snap.toggles.showMeter = false
        surface = ScreenView.render(snap, size: TerminalSize(width: 100, height: 24))
        row = surface.rowText(22)
        #expect(row.contains("interim guesses hidden") && !row.contains("█"), "\(row)")
        snap.notice = nil
        row = ScreenView.render(snap, size: TerminalSize(width: 100, height: 24)).rowText(22)
        #expect(row.contains("USB Mic"), "\(row)")
    }

    /// Lost capture takes the whole row, in the warning style, reason first: appended to the
    /// device name (dim, cut at the edge) it read "Monitor of Built-in-Audio-Analog-Stereo — a…".
    @Test func lostCaptureSaysWhyOnTheWholeRow() {
        let level = LevelMeterReading(rmsDBFS: -120, peakHoldDBFS: -120,
                                      deviceName: "Monitor of Built-in-Audio-Analog-Stereo — audio lost: it was removed or disabled; retrying",
                                      outage: "audio lost: it was removed or disabled; retrying — “Monitor of Built-in-Audio-Analog-Stereo”")
        let wide = render(level, width: 140)
        let row = wide.rowText(22)
        #expect(row.hasPrefix("⚠ audio lost: it was removed or disabled; retrying — “Monitor of"), "\(row)")
        #expect(row.hasSuffix("(press a to pick another)"), "\(row)")
        #expect(!row.contains("▕") && !row.contains("dB"), "\(row)")
        #expect(wide[22, 0].style == Theme(mode: .color).warning)
        // Too long for 80 columns: whole on the rows above, and the meter row says only what it
        // is. It was said twice, whole above and cut on the meter row (found in QA).
        let narrow = render(level)
        let above = (19...21).map { narrow.rowText($0) }.joined(separator: " ")
        #expect(above.contains("⚠ audio lost: it was removed or disabled; retrying") && above.contains("(press a to pick another)"), "\(above)")
        #expect(narrow.rowText(22).trimmingCharacters(in: .whitespaces) == "⚠ audio lost; retrying", "\(narrow.rowText(22))")
        #expect(narrow[22, 0].style == Theme(mode: .color).warning)
        let screen = (0..<24).map { narrow.rowText($0) }.joined(separator: "\n")
        #expect(screen.components(separatedBy: "it was removed or disabled").count == 2, "said once: \(screen)")
    }

    @Test func clippingShowsAClipMark() {
        let surface = render(LevelMeterReading(rmsDBFS: -1, peakHoldDBFS: 0, clipping: true, deviceName: "USB Mic"))
        ScreenSnapshotFile.assertMatches(surface, named: "meter-clipping-80x24")
        let row = surface.rowText(22)
        #expect(row.contains("CLIP"))
        #expect(surface[22, row.distance(of: "CLIP")].style == Theme(mode: .color).clip)
        // The loud end of the bar is red.
        let lastBar = row.distance(of: "▏") - 1
        #expect(surface[22, lastBar].style.foreground == .red)
    }

    /// A recent problem (lost audio, a server's Error) takes the device name's place, in the
    /// warning style, made safe for the terminal and cut to the row; "no audio" still wins.
    @Test func aRecentProblemTakesTheDeviceNamesPlace() {
        var snap = SampleScreens.snapshot()
        snap.level = LevelMeterReading(rmsDBFS: -30, peakHoldDBFS: -12, deviceName: "USB Mic")
        snap.warning = "Deepgram: replay buffer full while disconnected: dropped the oldest 3.2 s of audio\u{1B}[2J"
        let surface = ScreenView.render(snap, size: TerminalSize(width: 180, height: 24))
        let row = surface.rowText(22)
        #expect(row.contains("-30 dB") && row.hasSuffix("⚠ Deepgram: replay buffer full while disconnected: dropped the oldest 3.2 s of audio\u{FFFD}[2J"), "\(row)")
        #expect(!row.contains("USB Mic"))
        #expect(surface[22, row.distance(of: "⚠")].style == Theme(mode: .color).warning)
        // Too long for the row even beside an 8-cell bar: whole on rows above the meter, and
        // the meter row names the device again (it was cut with "…").
        let narrowScreen = ScreenView.render(snap, size: TerminalSize(width: 60, height: 24))
        let narrow = narrowScreen.rowText(22)
        #expect(!narrow.contains("⚠") && narrow.contains("USB Mic") && DisplayWidth.of(narrow) <= 60, "\(narrow)")
        let above = narrowScreen.rowText(20).trimmingWhitespace() + " " + narrowScreen.rowText(21).trimmingWhitespace()
        #expect(above == "⚠ Deepgram: replay buffer full while disconnected: dropped the oldest 3.2 s of audio\u{FFFD}[2J", "\(narrowScreen.text())")
        // The bar gives the problem room, down to 8 cells: at 80 columns the reason was cut.
        let medium = ScreenView.render(snap, size: TerminalSize(width: 116, height: 24)).rowText(22)
        #expect(medium.hasSuffix("dropped the oldest 3.2 s of audio\u{FFFD}[2J"), "\(medium)")
        snap.level = LevelMeterReading(silent: true, deviceName: "USB Mic")
        let silent = ScreenView.render(snap, size: TerminalSize(width: 140, height: 24)).rowText(22)
        #expect(silent.hasPrefix("⚠ no audio from “USB Mic”") && !silent.contains("Deepgram"))
    }

    @Test func silenceWarnsAndNamesTheDevice() {
        let surface = render(LevelMeterReading(rmsDBFS: -120, peakHoldDBFS: -120, silent: true,
                                               deviceName: "Built-in Audio Analog Stereo"), width: 60)
        let row = surface.rowText(22)
        #expect(row.hasPrefix("⚠ no audio from “Built-in Audio Analog Stereo”"))
        #expect(row.hasSuffix("…"))
        #expect(surface[22, 0].style == Theme(mode: .color).warning)
        let wide = render(LevelMeterReading(silent: true, deviceName: "Built-in Audio Analog Stereo"), width: 120)
        ScreenSnapshotFile.assertMatches(wide, named: "meter-silent-120x24")
        #expect(wide.rowText(22).contains("press a to pick another"))
        // A file is not switched on or picked (its advice offered a picker that is not there).
        let file = render(LevelMeterReading(silent: true, deviceName: "talk.wav", fromDevice: false), width: 120).rowText(22)
        #expect(file == "⚠ no audio from “talk.wav” — it is silent here", "\(file)")
        // A monitor with nothing playing is said, dim, not warned about (it was, every pause).
        let monitor = render(LevelMeterReading(silent: true, deviceName: "Monitor of Speakers", fromMonitor: true), width: 120)
        #expect(monitor.rowText(22) == "nothing is playing on “Monitor of Speakers”", "\(monitor.rowText(22))")
        #expect(monitor[22, 0].style != Theme(mode: .color).warning)
        // A key's confirmation is said over the silence (with nothing playing, `i` said nothing).
        for level in [LevelMeterReading(silent: true, deviceName: "Monitor of Speakers", fromMonitor: true),
                      LevelMeterReading(silent: true, deviceName: "USB Mic")] {
            var s = Surface(width: 120, height: 24)
            LevelMeterView.draw(level, theme: Theme(mode: .color), keys: .default, notice: "interim guesses hidden (i shows them)",
                                into: &s, rect: Rect(row: 22, col: 0, width: 120, height: 1))
            #expect(s.rowText(22) == "interim guesses hidden (i shows them)", "\(s.rowText(22))")
        }
    }

    @Test func quietInputDrawsAnEmptyBar() {
        let row = render(LevelMeterReading(rmsDBFS: -90, peakHoldDBFS: -90)).rowText(22)
        #expect(!row.contains("█") && !row.contains("│"))
        #expect(row.contains(" -90 dB"))
        #expect(LevelMeterView.decibels(-.infinity) == "  -∞ dB")
    }
}
