import SystemSupport
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
        let above = first, below = max(0, names.count - first - inner.height)
        for (i, name) in names.enumerated().dropFirst(first).prefix(inner.height) {
            let y = inner.row + i - first
            let mark = i == state.current ? "● " : "  "
            let style = i == state.selection ? theme.selection : theme.overlayText
            if i == state.selection { surface.fill(Rect(row: y, col: inner.col, width: inner.width, height: 1), style: style) }
            // A list longer than the box says so at its ends: devices below (or above) were
            // only found by scrolling onto them (found in QA).
            var more = ""
            if y == inner.row + inner.height - 1, below > 0 { more = " ↓ \(below) more" } else if y == inner.row, above > 0 { more = " ↑ \(above) more" }
            let moreWidth = DisplayWidth.of(more) <= inner.width / 2 ? DisplayWidth.of(more) : 0
            let col = surface.put(mark, row: y, col: inner.col, style: style, limit: inner.right)
            surface.put(DisplayWidth.truncate(name, toColumns: max(0, inner.right - moreWidth - col)), row: y, col: col, style: style,
                        limit: inner.right - moreWidth)
            if moreWidth > 0 { surface.put(more, row: y, col: inner.right - moreWidth, style: style, limit: inner.right) }
        }
    }
}
