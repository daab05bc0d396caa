import Testing
@testable import CaptionUI

@Suite("Colour, monochrome and NO_COLOR")
struct ColorModeTests {
    @Test func noColorEnvironmentWins() {
        #expect(ColorMode.detect(environment: ["NO_COLOR": "1"], terminalHasColors: true) == .noColor)
        #expect(ColorMode.detect(environment: ["NO_COLOR": ""], terminalHasColors: true) == .color)
        #expect(ColorMode.detect(environment: [:], terminalHasColors: false) == .monochrome)
        #expect(ColorMode.detect(environment: [:], terminalHasColors: true) == .color)
    }

    @Test(arguments: [ColorMode.monochrome, .noColor])
    func withoutColourNoCellHasAColour(_ mode: ColorMode) {
        var snap = SampleScreens.snapshot(interim: "so the next step", mode: mode,
                                          toggles: DisplayToggles(timestamps: true, speakerLabels: true, confidenceDimming: true))
        snap.level = LevelMeterReading(rmsDBFS: -3, peakHoldDBFS: 0, clipping: true, deviceName: "USB Mic")
        for overlay in [Overlay.none, .help()] {
            snap.overlay = overlay
            let surface = ScreenView.render(snap, size: TerminalSize(width: 80, height: 24))
            for cell in surface.cells { #expect(!cell.style.hasColor) }
            if mode == .monochrome && overlay == .none {
                ScreenSnapshotFile.assertMatches(surface, named: "monochrome-80x24")
            }
            // Elements are still told apart: interim is dim+italic, the status bar reversed.
            if overlay == .none {
                let row = (0..<24).first { surface.rowText($0).hasPrefix("so the next") }!
                #expect(surface[row, 0].style.attributes == [.dim, .italic])
                #expect(surface[23, 40].style.attributes.contains(.reverse))
            }
        }
    }

    @Test func colourModeGivesSpeakersDistinctColours() {
        let theme = Theme(mode: .color)
        let colours = Set((0..<6).compactMap { theme.speaker($0).foreground })
        #expect(colours.count == 6)
        #expect(theme.speaker(6) == theme.speaker(0))
    }
}
