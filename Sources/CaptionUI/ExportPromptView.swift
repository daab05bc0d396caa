/// The "save transcript as" prompt: the export formats in a row, the highlighted one reversed.
public enum ExportPromptView {
    public static func draw(_ state: ExportPromptState, theme: Theme, into surface: inout Surface, rect: Rect) {
        let formats = state.formats.map { DisplayWidth.sanitizedForTerminal($0) }
        let listWidth = formats.reduce(0) { $0 + DisplayWidth.of($1) + 3 } + 8
        let innerW = min(max(0, rect.width - 4), max(40, listWidth))
        let inner = OverlayBox.draw(title: "Save transcript", footer: "←→ or letter · Enter save · Esc cancel",
                                    inner: TerminalSize(width: innerW, height: 1), theme: theme,
                                    into: &surface, area: rect)
        guard !inner.isEmpty else { return }
        var col = surface.put("Format: ", row: inner.row, col: inner.col, style: theme.overlayText, limit: inner.right)
        for (i, f) in formats.enumerated() {
            let style = i == state.selection ? theme.selection : theme.overlayKey
            col = surface.put(" \(f) ", row: inner.row, col: col, style: style, limit: inner.right)
            col = surface.put(" ", row: inner.row, col: col, style: theme.overlayText, limit: inner.right)
        }
    }
}
