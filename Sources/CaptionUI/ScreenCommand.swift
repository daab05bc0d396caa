/// What a key press means on the current screen: overlays take keys first (arrows, Enter,
/// Esc, letters), otherwise the binding table decides. A pure function; the app applies it.
public enum ScreenCommand: Equatable, Sendable {
    /// A bound action (no overlay open, or the help overlay passing a key through).
    case action(KeyAction)
    /// Close the open overlay without doing anything.
    case closeOverlay
    /// Device picker: move the highlight / use the device at an index.
    case moveDeviceSelection(Int)
    case chooseDevice(Int)
    /// Export prompt: move the highlight / export in the format at an index.
    case moveFormatSelection(Int)
    case chooseFormat(Int)
    /// Help overlay: show this page.
    case showHelpPage(Int)
    /// The terminal changed size: re-layout (and redraw) on the next frame.
    case resize
    /// The key means nothing here.
    case ignored
}

extension ScreenCommand {
    /// Interprets a key for the open overlay (or the main screen). `screen` lets help paging
    /// stop at the last page.
    public static func route(_ key: KeyInput, overlay: Overlay, bindings: KeyBindingTable,
                             screen: TerminalSize? = nil) -> ScreenCommand {
        if key == .resize { return .resize }
        let bound = bindings.action(for: key)
        // Too small to draw anything but the size it needs: only quit (and redraw) act. A key
        // opened the save prompt or help unseen, and the next one could export blind.
        if let screen, ScreenLayout(size: screen).isTooSmall {
            return bound == .quit || bound == .redraw ? .action(bound!) : .ignored
        }
        // In a pop-up, a key bound to quit closes the pop-up, as q closes less or man: it ended
        // a live session from the help screen (and Esc, bound to quit, from the save prompt
        // whose footer says "Esc cancel"). A control key bound to quit (Ctrl-C) still quits
        // from anywhere.
        let quitControl: Bool = if bound == .quit, case .control = key { true } else { false }
        if overlay != .none, bound == .quit { return quitControl ? .action(.quit) : .closeOverlay }
        switch overlay {
        case .none:
            return bound.map(ScreenCommand.action) ?? .ignored
        case .help(let page):
            // Help closes with its own key, Esc or q; paging keys turn pages.
            if key == .escape || bound == .help || key == .enter { return .closeOverlay }
            let last = screen.map { HelpOverlayView.pageCount(bindings, screen: $0) - 1 } ?? Int.max
            switch key {
            case .pageDown, .down, .right, .character(" "):
                return page < last ? .showHelpPage(page + 1) : .ignored
            case .pageUp, .up, .left:
                return page > 0 ? .showHelpPage(min(page - 1, max(0, last))) : .ignored
            default:
                break
            }
            if bound == .redraw { return .action(.redraw) }
            return .closeOverlay
        case .devicePicker(let state):
            switch key {
            case .escape: return .closeOverlay
            case .up, .character("k"): return .moveDeviceSelection(-1)
            case .down, .character("j"), .tab: return .moveDeviceSelection(1)
            case .enter: return state.devices.isEmpty ? .closeOverlay : .chooseDevice(state.selection)
            default: return bound == .pickDevice ? .closeOverlay : .ignored
            }
        case .exportPrompt(let state):
            switch key {
            case .escape: return .closeOverlay
            case .left, .up: return .moveFormatSelection(-1)
            case .right, .down, .tab: return .moveFormatSelection(1)
            case .enter: return state.formats.isEmpty ? .closeOverlay : .chooseFormat(state.selection)
            case .character(let c):
                if let i = state.format(forLetter: c) { return .chooseFormat(i) }
                return .ignored
            default: return .ignored
            }
        case .message:
            return .closeOverlay
        }
    }
}
