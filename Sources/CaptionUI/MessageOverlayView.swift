import SystemSupport
/// A message box (for example an export result or an error that needs reading).
public enum MessageOverlayView {
    public static func draw(title: String, text: String, footer: String = "any key closes", theme: Theme,
                            into surface: inout Surface, rect: Rect) {
        let tokens = LineLayout.splitWords(text).map { LineLayout.token($0, theme.overlayText) }
        // 60 columns, or wider for a long word (a path: "Wrote /home/…/2026-12-06T" and
        // "22-53-28.291Z.txt" on the next row could not be copied whole).
        let longest = tokens.map(\.width).max() ?? 0
        let maxW = max(1, min(rect.width - 4, max(60, longest)))
        let rows = LineLayout.wrap(tokens, width: maxW, baseStyle: theme.overlayText, hangingIndent: false)
        let innerW = max(min(maxW, 24), rows.map(\.width).max() ?? 0)
        let inner = OverlayBox.draw(title: DisplayWidth.sanitizedForTerminal(title), footer: footer,
                                    inner: TerminalSize(width: innerW, height: rows.count), theme: theme,
                                    into: &surface, area: rect)
        var end = inner.col
        for (i, row) in rows.prefix(inner.height).enumerated() {
            var col = inner.col
            for span in row.spans {
                col = surface.put(span.text, row: inner.row + i, col: col, style: span.style, limit: inner.right)
            }
            end = col
        }
        // A box cut short by a small terminal says so (the finishing box lost "Press q again to
        // stop waiting." at 30x6 without a sign).
        if rows.count > inner.height, inner.height > 0, inner.right > inner.col {
            surface.put("…", row: inner.row + inner.height - 1, col: min(end, inner.right - 1), style: theme.overlayText, limit: inner.right)
        }
    }
}
