/// The device picker overlay: a list of input devices with the highlighted one reversed and
/// the current one marked.
public enum DevicePickerView {
    public static func draw(_ state: DevicePickerState, theme: Theme, into surface: inout Surface, rect: Rect) {
        let names = state.devices.map { DisplayWidth.sanitizedForTerminal($0) }
        let widest = names.map { DisplayWidth.of($0) }.max() ?? 0
        let innerW = min(max(0, rect.width - 4), max(34, widest + 2))
        let innerH = min(max(1, rect.height - 2), max(1, names.count))
        let inner = OverlayBox.draw(title: "Input device", footer: "↑↓ choose · Enter use · Esc cancel",
                                    inner: TerminalSize(width: innerW, height: innerH), theme: theme,
                                    into: &surface, area: rect)
        guard !inner.isEmpty else { return }
        if names.isEmpty {
            surface.put("No input devices found", row: inner.row, col: inner.col, style: TextStyle(.dim), limit: inner.right)
            return
        }
        // Keep the selection visible: scroll the list window around it.
        let first = min(max(0, state.selection - inner.height + 1), max(0, names.count - inner.height))
        for (i, name) in names.enumerated().dropFirst(first).prefix(inner.height) {
            let y = inner.row + i - first
            let mark = i == state.current ? "● " : "  "
            let style = i == state.selection ? theme.selection : theme.overlayText
            if i == state.selection { surface.fill(Rect(row: y, col: inner.col, width: inner.width, height: 1), style: style) }
            let col = surface.put(mark, row: y, col: inner.col, style: style, limit: inner.right)
            surface.put(DisplayWidth.truncate(name, toColumns: inner.right - col), row: y, col: col, style: style, limit: inner.right)
        }
    }
}

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

/// A message box (for example an export result or an error that needs reading).
public enum MessageOverlayView {
    public static func draw(title: String, text: String, theme: Theme, into surface: inout Surface, rect: Rect) {
        let maxW = max(1, min(rect.width - 4, 60))
        let tokens = LineLayout.splitWords(text).map { LineLayout.token($0, theme.overlayText) }
        let rows = LineLayout.wrap(tokens, width: maxW, baseStyle: theme.overlayText, hangingIndent: false)
        let innerW = max(min(maxW, 24), rows.map(\.width).max() ?? 0)
        let inner = OverlayBox.draw(title: DisplayWidth.sanitizedForTerminal(title), footer: "any key closes",
                                    inner: TerminalSize(width: innerW, height: rows.count), theme: theme,
                                    into: &surface, area: rect)
        for (i, row) in rows.prefix(inner.height).enumerated() {
            var col = inner.col
            for span in row.spans {
                col = surface.put(span.text, row: inner.row + i, col: col, style: span.style, limit: inner.right)
            }
        }
    }
}
