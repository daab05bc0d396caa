/// Draws a whole frame: captions, level meter, status bar and any overlay.
public enum ScreenView {
    /// Draws `snapshot` into `surface` (which it clears first); reads the snapshot only.
    public static func draw(_ snapshot: ScreenSnapshot, into surface: inout Surface) {
        surface.fill(surface.bounds)
        let layout = ScreenLayout(size: surface.size)
        let theme = Theme(mode: snapshot.colorMode)
        if layout.isTooSmall {
            TooSmallView.draw(size: surface.size, theme: theme, into: &surface)
            return
        }
        CaptionAreaView.draw(snapshot, theme: theme, into: &surface, rect: layout.captions)
        LevelMeterView.draw(snapshot.level, theme: theme, keys: snapshot.keyBindings, warning: snapshot.warning,
                            into: &surface, rect: layout.meter)
        StatusBarView.draw(snapshot.status, theme: theme, into: &surface, rect: layout.status)
        switch snapshot.overlay {
        case .none:
            break
        case .help(let page):
            HelpOverlayView.draw(snapshot.keyBindings, page: page, theme: theme, into: &surface, rect: layout.captions)
        case .devicePicker(let state):
            DevicePickerView.draw(state, theme: theme, into: &surface, rect: layout.captions)
        case .exportPrompt(let state):
            ExportPromptView.draw(state, theme: theme, into: &surface, rect: layout.captions)
        case .message(let title, let text, let footer):
            MessageOverlayView.draw(title: title, text: text, footer: footer, theme: theme, into: &surface, rect: layout.captions)
        }
    }

    /// A new surface of `size` with the frame drawn.
    public static func render(_ snapshot: ScreenSnapshot, size: TerminalSize) -> Surface {
        var surface = Surface(size: size)
        draw(snapshot, into: &surface)
        return surface
    }
}
