import Testing
@testable import CaptionUI
import SystemSupport

/// In a locale that is not UTF-8 (`LANG=C`) ncurses can write only ASCII and left every other
/// character out: the level meter was an empty bar, the status lost its symbols. The screen is
/// then drawn through `AsciiFallback`, column for column.
@Suite("ASCII drawing when the locale is not UTF-8")
struct AsciiFallbackTests {
    /// Frames showing every symbol the views draw: each state, meter, overlay and indicator.
    static func frames() -> [ScreenSnapshot] {
        var out: [ScreenSnapshot] = []
        let states: [ConnectionState] = [.connecting, .live, .reconnecting(inSeconds: 3, attempt: 2), .paused,
                                         .error(message: "server said no"), .finished]
        for s in states { out.append(SampleScreens.snapshot(state: s)) }
        var meter = SampleScreens.snapshot()
        meter.level = LevelMeterReading(rmsDBFS: -2, peakHoldDBFS: -1, clipping: true, deviceName: "Mic")
        out.append(meter)
        for fraction in stride(from: -59.0, through: -1, by: 0.37) {   // every partial block
            var s = SampleScreens.snapshot()
            s.level = LevelMeterReading(rmsDBFS: fraction, peakHoldDBFS: fraction + 3, deviceName: "Mic")
            out.append(s)
        }
        var silent = SampleScreens.snapshot()
        silent.level = LevelMeterReading(silent: true, deviceName: "USB Mic")
        out.append(silent)
        let overlays: [Overlay] = [.help(page: 0), .exportPrompt(ExportPromptState(formats: ["txt", "srt", "vtt"])),
                                   .devicePicker(DevicePickerState(devices: ["Mic", "USB"], current: 1)),
                                   .devicePicker(DevicePickerState(devices: [])),
                                   .message(title: "Saved", text: "Wrote /tmp/x.srt")]
        for o in overlays {
            var s = SampleScreens.snapshot()
            s.overlay = o
            out.append(s)
        }
        var long = SampleScreens.snapshot(lines: SampleScreens.numbered(80))
        long.scroll = CaptionViewport.scrolled(long, by: .pageUp, screen: TerminalSize(width: 100, height: 30))
        out.append(long)
        let more = SampleScreens.numbered(82)
        out.append(ScreenSnapshot(lines: CaptionLines(more), toggles: long.toggles, level: long.level, status: long.status,
                                  scroll: long.scroll, colorMode: long.colorMode))
        return out
    }

    @Test func everySymbolTheScreenDrawsHasAnAsciiLookAlikeOfTheSameWidth() {
        for (i, frame) in Self.frames().enumerated() {
            for size in [TerminalSize(width: 100, height: 30), TerminalSize(width: 44, height: 9)] {
                let surface = ScreenView.render(frame, size: size)
                for row in 0..<surface.height {
                    for run in surface.runs(row: row) {
                        let ascii = AsciiFallback.ascii(run.text)
                        #expect(ascii.utf8.allSatisfy { $0 < 0x80 })
                        #expect(DisplayWidth.of(ascii) == DisplayWidth.of(run.text), "frame \(i) row \(row): \(run.text)")
                        // Only text that had a "?" shows one: no symbol of the screen is unknown.
                        #expect(ascii.filter { $0 == "?" }.count == run.text.filter { $0 == "?" }.count,
                                "frame \(i) row \(row): \(run.text) -> \(ascii)")
                    }
                }
            }
        }
    }

    @Test func captionTextOutsideAsciiBecomesOneQuestionMarkPerColumn() {
        #expect(AsciiFallback.ascii("café 日本 ok") == "caf? ???? ok")
        #expect(AsciiFallback.ascii("plain") == "plain")
        #expect(AsciiFallback.ascii("▕██▌  │ ▏ -23 dB") == "[##=  | ] -23 dB")
        #expect(AsciiFallback.ascii(" ● live · en ") == " * live - en ")
    }

    /// Plain mode's messages are not laid out in columns: "connecting…" reads as
    /// "connecting..." (column for column it was "connecting.").
    @Test func textWithoutColumnsGetsWiderLookalikes() {
        #expect(AsciiFallback.ascii("connecting…", keepingColumns: false) == "connecting...")
        #expect(AsciiFallback.ascii("stopped — press q", keepingColumns: false) == "stopped -- press q")
        #expect(AsciiFallback.ascii("connecting…") == "connecting.")
        #expect(AsciiFallback.ascii("café…", keepingColumns: false) == "caf?...")
    }
}
