import Audio
import CaptionUI
import Transcript

/// The part of the screen the user controls (display toggles, scroll position, overlay, key
/// bindings, colours), combined with a `SessionView` into the `ScreenSnapshot` the renderer
/// draws. A value, owned by the UI thread.
public struct LiveScreenState: Sendable {
    public var toggles: DisplayToggles
    public var scroll: ScrollState = .following
    public var overlay: Overlay = .none
    public var keyBindings: KeyBindingTable
    public var colorMode: ColorMode
    /// The devices listed in the open device picker.
    public var devices: [AudioDevice] = []

    public init(toggles: DisplayToggles = DisplayToggles(), keyBindings: KeyBindingTable = .default,
                colorMode: ColorMode = .color) {
        self.toggles = toggles
        self.keyBindings = keyBindings
        self.colorMode = colorMode
    }

    /// The export formats offered by the save prompt, in order.
    public static let exportFormats = ExportFormat.allCases

    /// The frame for `view`: committed lines are read through the store's storage, not copied.
    public func snapshot(_ view: SessionView) -> ScreenSnapshot {
        let pending = view.store.pending
        return ScreenSnapshot(lines: CaptionLines(TranscriptLineSource(view.store.lines, revision: view.revision)),
                              interim: pending?.text ?? "", interimSpeaker: pending?.speaker,
                              toggles: toggles, level: view.meter, status: view.status, scroll: scroll,
                              overlay: overlay, colorMode: colorMode, keyBindings: keyBindings)
    }

    /// The scroll command of a scrolling action, if it is one.
    public static func scrollCommand(_ action: KeyAction) -> ScrollCommand? {
        switch action {
        case .scrollPageUp: return .pageUp
        case .scrollPageDown: return .pageDown
        case .scrollLineUp: return .lineUp
        case .scrollLineDown: return .lineDown
        case .scrollTop: return .top
        case .scrollBottom: return .bottom
        default: return nil
        }
    }
}
