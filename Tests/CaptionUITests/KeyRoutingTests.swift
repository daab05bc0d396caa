import Testing
@testable import CaptionUI

@Suite("What keys do on the main screen and in overlays")
struct KeyRoutingTests {
    let table = KeyBindingTable.default

    @Test func mainScreenUsesTheBindingTable() {
        #expect(ScreenCommand.route(.character(" "), overlay: .none, bindings: table) == .action(.pause))
        #expect(ScreenCommand.route(.pageUp, overlay: .none, bindings: table) == .action(.scrollPageUp))
        #expect(ScreenCommand.route(.character("Z"), overlay: .none, bindings: table) == .ignored)
        #expect(ScreenCommand.route(.resize, overlay: .help(), bindings: table) == .resize)
    }

    @Test func helpClosesWithItsKeyEscOrQAndCtrlCStillQuits() {
        #expect(ScreenCommand.route(.character("?"), overlay: .help(), bindings: table) == .closeOverlay)
        #expect(ScreenCommand.route(.escape, overlay: .help(), bindings: table) == .closeOverlay)
        // q closes help as it closes less or man: it ended a live session.
        #expect(ScreenCommand.route(.character("q"), overlay: .help(), bindings: table) == .closeOverlay)
        #expect(ScreenCommand.route(.control("c"), overlay: .help(), bindings: table) == .action(.quit))
        #expect(ScreenCommand.route(.character("p"), overlay: .help(), bindings: table) == .closeOverlay)
    }

    @Test func devicePickerNavigation() {
        let picker = Overlay.devicePicker(DevicePickerState(devices: ["A", "B"], selection: 1))
        #expect(ScreenCommand.route(.down, overlay: picker, bindings: table) == .moveDeviceSelection(1))
        #expect(ScreenCommand.route(.character("k"), overlay: picker, bindings: table) == .moveDeviceSelection(-1))
        #expect(ScreenCommand.route(.enter, overlay: picker, bindings: table) == .chooseDevice(1))
        #expect(ScreenCommand.route(.escape, overlay: picker, bindings: table) == .closeOverlay)
        #expect(ScreenCommand.route(.character(" "), overlay: picker, bindings: table) == .ignored)
        #expect(ScreenCommand.route(.character("q"), overlay: picker, bindings: table) == .closeOverlay)
        #expect(ScreenCommand.route(.control("c"), overlay: picker, bindings: table) == .action(.quit))
    }

    @Test func qClosesANoticeAndARebindingFollows() throws {
        let notice = Overlay.message(title: "Notice", text: "x")
        #expect(ScreenCommand.route(.character("q"), overlay: notice, bindings: table) == .closeOverlay)
        #expect(ScreenCommand.route(.control("c"), overlay: notice, bindings: table) == .action(.quit))
        #expect(ScreenCommand.route(.character("q"), overlay: .none, bindings: table) == .action(.quit))
        // Quit rebound to ctrl-q only: that control key quits from a pop-up too.
        let rebound = try KeyBindingTable.default.applying(overrides: ["quit": ["ctrl-q"]])
        #expect(ScreenCommand.route(.control("q"), overlay: .help(), bindings: rebound) == .action(.quit))
        #expect(ScreenCommand.route(.character("q"), overlay: .help(), bindings: rebound) == .closeOverlay)
        // Quit bound to Esc: Esc closes a pop-up (the save prompt's footer says "Esc cancel"),
        // as it does unbound; it ended the session.
        let esc = try KeyBindingTable.default.applying(overrides: ["quit": ["esc"]])
        let prompt = Overlay.exportPrompt(ExportPromptState(formats: ["txt", "srt"]))
        for overlay in [Overlay.help(), prompt, notice] {
            #expect(ScreenCommand.route(.escape, overlay: overlay, bindings: esc) == .closeOverlay, "\(overlay)")
        }
        #expect(ScreenCommand.route(.escape, overlay: .none, bindings: esc) == .action(.quit))
    }

    @Test func exportPromptTakesLettersAndArrows() {
        let prompt = Overlay.exportPrompt(ExportPromptState(formats: ["txt", "srt", "vtt", "json", "md"]))
        #expect(ScreenCommand.route(.character("v"), overlay: prompt, bindings: table) == .chooseFormat(2))
        #expect(ScreenCommand.route(.right, overlay: prompt, bindings: table) == .moveFormatSelection(1))
        #expect(ScreenCommand.route(.enter, overlay: prompt, bindings: table) == .chooseFormat(0))
        #expect(ScreenCommand.route(.character("q"), overlay: prompt, bindings: table) == .closeOverlay)
        #expect(ScreenCommand.route(.control("c"), overlay: prompt, bindings: table) == .action(.quit))
    }

    @Test func displayTogglesFollowTheirActions() {
        var t = DisplayToggles()
        var handled = t.apply(.toggleTimestamps)
        #expect(handled && t.timestamps)
        handled = t.apply(.toggleInterim)
        #expect(handled && !t.showInterim)
        handled = t.apply(.toggleSpeakerLabels)
        #expect(handled && !t.speakerLabels)
        handled = t.apply(.toggleConfidenceDimming)
        #expect(handled && t.confidenceDimming)
        let before = t
        handled = t.apply(.togglePunctuate)
        #expect(!handled)
        #expect(t == before)
    }
}
