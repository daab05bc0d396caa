import SystemSupport
/// A bordered box centred in an area, with a title on the top edge and a hint on the bottom
/// edge; overlays draw their content inside it.
enum OverlayBox {
    /// Draws the box for content of `inner` size (clamped to the area); returns the content rect.
    static func draw(title: String, footer: String, inner: TerminalSize, theme: Theme,
                     into surface: inout Surface, area: Rect) -> Rect {
        // Wide enough for the title and the hint on the edges.
        let innerW = max(inner.width, DisplayWidth.of(footer) + 4, DisplayWidth.of(title) + 4)
        let outerW = min(area.width, innerW + 4)
        let outerH = min(area.height, inner.height + 2)
        let top = area.row + max(0, (area.height - outerH) / 2)
        let left = area.col + max(0, (area.width - outerW) / 2)
        let box = Rect(row: top, col: left, width: outerW, height: outerH)
        guard outerW >= 4, outerH >= 2 else { return Rect(row: top, col: left, width: 0, height: 0) }
        // A blank margin of one cell keeps the box apart from the captions behind it.
        surface.fill(Rect(row: max(area.row, top - 1), col: max(area.col, left - 1),
                          width: min(area.right, box.right + 1) - max(area.col, left - 1),
                          height: min(area.bottom, box.bottom + 1) - max(area.row, top - 1)))
        surface.fill(box, style: theme.overlayText)
        let horizontal = String(repeating: "─", count: outerW - 2)
        surface.put("┌" + horizontal + "┐", row: top, col: left, style: theme.overlayBorder)
        for r in (top + 1)..<(box.bottom - 1) {
            surface.put("│", row: r, col: left, style: theme.overlayBorder)
            surface.put("│", row: r, col: box.right - 1, style: theme.overlayBorder)
        }
        surface.put("└" + horizontal + "┘", row: box.bottom - 1, col: left, style: theme.overlayBorder)
        if !title.isEmpty, outerW > 6 {
            let t = DisplayWidth.truncate(" \(title) ", toColumns: outerW - 4)
            surface.put(t, row: top, col: left + 2, style: theme.overlayTitle)
        }
        if !footer.isEmpty, outerW > 6, outerH > 2 {
            let f = DisplayWidth.truncate(" \(footer) ", toColumns: outerW - 4)
            surface.put(f, row: box.bottom - 1, col: box.right - 2 - DisplayWidth.of(f), style: theme.overlayBorder)
        }
        return Rect(row: top + 1, col: left + 2, width: max(0, outerW - 4), height: max(0, outerH - 2))
    }
}
