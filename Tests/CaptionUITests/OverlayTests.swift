import Testing
@testable import CaptionUI

@Suite("Overlays and the too-small message")
struct OverlayTests {
    @Test func helpOverlayListsEveryActionAt80x24() {
        var snap = SampleScreens.snapshot()
        snap.overlay = .help()
        let surface = ScreenView.render(snap, size: TerminalSize(width: 80, height: 24))
        ScreenSnapshotFile.assertMatches(surface, named: "help-overlay-80x24")
        let text = surface.text()
        for action in KeyAction.allCases {
            #expect(text.contains(action.summary), "\(action) missing from help")
            #expect(text.contains(KeyBindingTable.default.keyLabel(for: action)), "\(action) keys missing")
        }
        for category in KeyCategory.allCases { #expect(text.contains(category.title)) }
        #expect(text.contains("?, q or Esc closes"), "q closes help, as the footer says")
    }

    @Test func helpOverlayShowsReboundKeys() throws {
        var snap = SampleScreens.snapshot()
        snap.keyBindings = try KeyBindingTable.default.applying(overrides: ["quit": ["ctrl-q"], "pause": ["F5"]])
        snap.overlay = .help()
        let text = ScreenView.render(snap, size: TerminalSize(width: 80, height: 24)).text()
        #expect(text.contains("Ctrl-Q"))
        #expect(text.contains("F5"))
        #expect(!text.contains("q, Ctrl-C"))
    }

    @Test func helpOverlayPagesOnASmallScreenAndEveryActionIsOnSomePage() {
        let size = TerminalSize(width: 40, height: 10)
        let pages = HelpOverlayView.pageCount(.default, screen: size)
        #expect(pages > 1)
        #expect(HelpOverlayView.pageCount(.default, screen: TerminalSize(width: 80, height: 24)) == 1)
        var snap = SampleScreens.snapshot()
        var seen = ""
        for page in 0..<pages {
            snap.overlay = .help(page: page)
            let surface = ScreenView.render(snap, size: size)
            if page == 0 { ScreenSnapshotFile.assertMatches(surface, named: "help-overlay-40x10") }
            if page == 1 { ScreenSnapshotFile.assertMatches(surface, named: "help-overlay-40x10-page2") }
            #expect(surface.text().contains("\(page + 1)/\(pages)"))
            seen += surface.text()
        }
        for action in KeyAction.allCases { #expect(seen.contains(action.summary), "\(action) on no page") }
        // Paging stops at both ends.
        #expect(ScreenCommand.route(.pageDown, overlay: .help(page: 0), bindings: .default, screen: size) == .showHelpPage(1))
        #expect(ScreenCommand.route(.pageDown, overlay: .help(page: pages - 1), bindings: .default, screen: size) == .ignored)
        #expect(ScreenCommand.route(.pageUp, overlay: .help(page: 0), bindings: .default, screen: size) == .ignored)
    }

    /// A category that fits in a column is never split across columns or pages: at 100x12
    /// "m  Next model" began page 2 alone, under no heading. And the box keeps its width while
    /// paging (the last page's box was narrower and jumped aside).
    @Test func helpKeepsACategoryThatFitsTogetherAndPagesKeepTheirWidth() {
        for width in stride(from: 40, through: 130, by: 6) {
            for height in 8...30 {
                let size = TerminalSize(width: width, height: height)
                let rect = ScreenLayout(size: size).captions
                let layout = HelpOverlayView.layout(.default, rect: rect)
                let innerH = max(1, rect.height - 2)
                let blocks = HelpOverlayView.lines(.default).split(separator: .blank)
                for column in layout.pages.flatMap({ $0 }) {
                    guard case .entry(let keys, _) = column.first else { continue }
                    // A column may begin with an entry only inside a category too tall for any column.
                    let block = blocks.first { $0.contains { if case .entry(keys, _) = $0 { true } else { false } } }
                    #expect((block?.count ?? 0) > innerH, "\(width)x\(height): a column starts with \(keys) under no heading")
                }
                guard layout.pages.count > 1 else { continue }
                var snap = SampleScreens.snapshot()
                var corners: Set<Int> = []
                for page in 0..<layout.pages.count {
                    snap.overlay = .help(page: page)
                    let surface = ScreenView.render(snap, size: size)
                    for row in 0..<size.height {
                        let r = surface.rowText(row)
                        if let i = r.firstIndex(of: "┌") { corners.insert(r.distance(from: r.startIndex, to: i)); break }
                    }
                }
                #expect(corners.count == 1, "\(width)x\(height): the box moves between pages: \(corners)")
            }
        }
    }

    /// At 30–39 columns the summaries did not fit beside the keys and were cut off mid-word with
    /// no mark; they wrap under themselves instead, and every summary can be read whole.
    @Test(arguments: [30, 34, 39])
    func helpOnANarrowScreenWrapsSummariesInsteadOfCuttingThem(width: Int) {
        let size = TerminalSize(width: width, height: 14)
        let pages = HelpOverlayView.pageCount(.default, screen: size)
        var snap = SampleScreens.snapshot()
        var text = ""
        for page in 0..<pages {
            snap.overlay = .help(page: page)
            let surface = ScreenView.render(snap, size: size)
            // The overlay's inner rows, read in order (one column of entries at this width).
            for row in 1..<(size.height - 3) {
                let r = surface.rowText(row)
                let inner = r.split(separator: "│", omittingEmptySubsequences: false)
                if inner.count >= 3 { text += " " + inner[1].trimmingCharacters(in: .whitespaces) }
            }
        }
        let words = text.split(separator: " ").joined(separator: " ")
        for action in KeyAction.allCases {
            #expect(words.contains(action.summary), "\(action): “\(action.summary)” not readable whole at \(width) columns")
        }
        #expect(!words.contains("…"), "\(words)")
    }

    @Test func devicePickerHighlightsTheSelection() {
        var snap = SampleScreens.snapshot()
        let state = DevicePickerState(devices: ["Built-in Audio Analog Stereo", "USB Audio CODEC", "Monitor of Built-in Audio"],
                                      selection: 0, current: 0).moved(by: 1)
        #expect(state.selection == 1)
        #expect(state.moved(by: 2).selection == 0)
        snap.overlay = .devicePicker(state)
        let surface = ScreenView.render(snap, size: TerminalSize(width: 60, height: 12))
        ScreenSnapshotFile.assertMatches(surface, named: "device-picker-60x12")
        let row = try! #require((0..<12).first { surface.rowText($0).contains("USB Audio CODEC") })
        #expect(surface[row, surface.rowText(row).distance(of: "USB")].style == Theme(mode: .color).selection)
        #expect(surface.text().contains("● Built-in Audio Analog Stereo"))
    }

    /// More devices than the box holds: its ends say how many are above and below (devices
    /// below were only found by scrolling onto them; found in QA).
    @Test func aLongDeviceListSaysHowManyMoreThereAre() {
        var snap = SampleScreens.snapshot()
        let devices = (0..<16).map { "Source number \($0)" }
        snap.overlay = .devicePicker(DevicePickerState(devices: devices, selection: 0, current: 0))
        let top = ScreenView.render(snap, size: TerminalSize(width: 60, height: 12)).text()
        let shown = devices.filter { top.contains($0 + " ") || top.contains($0 + "\n") || top.contains($0 + "│") }.count
        #expect(shown > 0 && shown < 16, "\(top)")
        #expect(top.contains("↓ \(16 - shown) more") && !top.contains(/↑ \d+ more/), "\(top)")
        snap.overlay = .devicePicker(DevicePickerState(devices: devices, selection: 15, current: 0))
        let bottom = ScreenView.render(snap, size: TerminalSize(width: 60, height: 12)).text()
        #expect(bottom.contains("↑ \(16 - shown) more") && !bottom.contains(/↓ \d+ more/), "\(bottom)")
        #expect(bottom.contains("Source number 15"), "\(bottom)")
    }

    @Test func exportPromptListsFormats() {
        var snap = SampleScreens.snapshot()
        let state = ExportPromptState(formats: ["txt", "srt", "vtt", "json", "md"], selection: 1)
        #expect(state.format(forLetter: "j") == 3)
        #expect(state.format(forLetter: "z") == nil)
        snap.overlay = .exportPrompt(state)
        let surface = ScreenView.render(snap, size: TerminalSize(width: 60, height: 12))
        ScreenSnapshotFile.assertMatches(surface, named: "export-prompt-60x12")
        let row = try! #require((0..<12).first { surface.rowText($0).contains("Format:") })
        #expect(surface[row, surface.rowText(row).distance(of: "srt")].style == Theme(mode: .color).selection)
        #expect(surface[row, surface.rowText(row).distance(of: "txt")].style != Theme(mode: .color).selection)
    }

    @Test(arguments: [(30, 12), (31, 8), (33, 12), (38, 6), (44, 10)])
    func exportPromptShowsEveryFormatOnANarrowTerminal(_ w: Int, _ h: Int) {
        var snap = SampleScreens.snapshot()
        let formats = ["txt", "srt", "vtt", "json", "md"]
        snap.overlay = .exportPrompt(ExportPromptState(formats: formats, selection: 4))
        let surface = ScreenView.render(snap, size: TerminalSize(width: w, height: h))
        let rows = (0..<h).map { surface.rowText($0) }
        for f in formats {
            let row = rows.firstIndex { $0.contains(" \(f) ") }
            #expect(row != nil, "\(f) missing at \(w)x\(h):\n\(surface.text())")
            if f == "md", let row {
                #expect(surface[row, rows[row].distance(of: "md")].style == Theme(mode: .color).selection)
            }
        }
    }

    @Test func messageOverlayWraps() {
        var snap = SampleScreens.snapshot()
        snap.overlay = .message(title: "Saved", text: "Transcript written to /home/ana/captty/2026-11-25T10-02-11.srt (142 cues).")
        let surface = ScreenView.render(snap, size: TerminalSize(width: 60, height: 12))
        ScreenSnapshotFile.assertMatches(surface, named: "message-60x12")
        #expect(surface.text().contains("Transcript written to"))
        #expect(surface.text().contains("(142 cues)."))
    }

    /// A path longer than the usual box width widens the box (up to the screen) instead of
    /// being split in the middle of its file name, so it can be copied whole.
    @Test func aLongPathIsNotSplit() {
        var snap = SampleScreens.snapshot()
        let path = "/home/ana/.local/share/captty/sessions/2026-12-06T22-53-28.291Z.txt"
        snap.overlay = .message(title: "Saved", text: "Wrote \(path)")
        let wide = ScreenView.render(snap, size: TerminalSize(width: 100, height: 24)).text()
        #expect(wide.contains(path), "\(wide)")
        let narrow = ScreenView.render(snap, size: TerminalSize(width: 50, height: 24)).text()
        #expect(narrow.contains("Wrote") && narrow.contains("291Z.txt"), "still all there on a narrow screen: \(narrow)")
    }

    /// A box cut short by a small terminal ends its last row with "…" (the finishing box lost
    /// "Press q again to stop waiting." at 30x6 without a sign).
    @Test func aMessageCutShortSaysSo() {
        var snap = SampleScreens.snapshot()
        snap.overlay = .message(title: "Finishing", text: "Waiting up to 10 s for the last captions and saving the transcript… "
                                + "Press q again to stop waiting.", footer: "")
        let small = ScreenView.render(snap, size: TerminalSize(width: 30, height: 6)).text()
        #expect(!small.contains("stop waiting."), "\(small)")
        #expect(small.contains("saving…  │"), "\(small)")
        let roomy = ScreenView.render(snap, size: TerminalSize(width: 80, height: 24)).text()
        #expect(roomy.contains("stop waiting.") && !roomy.contains("saving…"), "\(roomy)")
    }

    @Test(arguments: [(20, 5), (29, 24), (80, 5)])
    func tooSmallTerminalSaysWhatItNeeds(_ w: Int, _ h: Int) {
        let surface = ScreenView.render(SampleScreens.snapshot(), size: TerminalSize(width: w, height: h))
        let text = surface.text().split(separator: "\n").map { String($0).trimmingWhitespace() }.joined(separator: " ")
        #expect(text.contains("Terminal too small: need at least 30x6 (now \(w)x\(h))"))
        #expect(!text.contains("Good morning"))
        // Other keys are ignored (the save prompt opened unseen, and the next key exported blind).
        let size = TerminalSize(width: w, height: h)
        #expect(text.contains("q quits") || w * h < 80, "\(text)")
        #expect(ScreenCommand.route(.character("s"), overlay: .none, bindings: .default, screen: size) == .ignored)
        #expect(ScreenCommand.route(.character("?"), overlay: .none, bindings: .default, screen: size) == .ignored)
        #expect(ScreenCommand.route(.character("q"), overlay: .none, bindings: .default, screen: size) == .action(.quit))
        #expect(ScreenCommand.route(.character("s"), overlay: .none, bindings: .default, screen: TerminalSize(width: 80, height: 24)) == .action(.saveNow))
        if w == 20 { ScreenSnapshotFile.assertMatches(surface, named: "too-small-20x5") }
    }

    /// At 10x3 the message was cut after "need at": the size it needs was not on the screen.
    /// A shorter message is shown where the whole one does not fit.
    @Test(arguments: [(10, 3), (12, 2), (9, 1), (4, 1), (29, 3)])
    func tinyTerminalStillNamesTheSizeItNeeds(_ w: Int, _ h: Int) {
        let surface = ScreenView.render(SampleScreens.snapshot(), size: TerminalSize(width: w, height: h))
        let text = surface.text().split(separator: "\n").map { String($0).trimmingWhitespace() }.joined(separator: " ")
        #expect(text.contains("30x6"), "\(w)x\(h):\n\(surface.text())")
        if w == 10 {
            ScreenSnapshotFile.assertMatches(surface, named: "too-small-10x3")
            #expect(text == "Too small: need 30x6 (now 10x3)")
        }
    }
}
