import SystemSupport
/// The "save transcript as" prompt: the export formats in a row, the highlighted one reversed.
/// On a narrow terminal the formats wrap onto more rows (and the "Format:" label goes first), so
/// every choice stays visible down to the smallest screen captty draws.
public enum ExportPromptView {
    static let label = "Format: "

    public static func draw(_ state: ExportPromptState, theme: Theme, into surface: inout Surface, rect: Rect) {
        let formats = state.formats.map { DisplayWidth.sanitizedForTerminal($0) }
        let listWidth = formats.reduce(0) { $0 + DisplayWidth.of($1) + 3 } + label.count
        let innerW = min(max(0, rect.width - 4), max(40, listWidth))
        let layout = self.layout(formats, width: innerW)
        let inner = OverlayBox.draw(title: "Save transcript", footer: "←→ or letter · Enter save · Esc cancel",
                                    inner: TerminalSize(width: innerW, height: layout.rows), theme: theme,
                                    into: &surface, area: rect)
        guard !inner.isEmpty else { return }
        if layout.labelled {
            surface.put(label, row: inner.row, col: inner.col, style: theme.overlayText, limit: inner.right)
        }
        for (i, f) in formats.enumerated() {
            let (r, c) = layout.cells[i]
            guard r < inner.height else { break }
            let style = i == state.selection ? theme.selection : theme.overlayKey
            surface.put(" \(f) ", row: inner.row + r, col: inner.col + c, style: style, limit: inner.right)
        }
    }

    /// Where each format goes (row, column inside the box) at `width` columns, and whether the
    /// label fits before the first one.
    static func layout(_ formats: [String], width: Int) -> (cells: [(Int, Int)], rows: Int, labelled: Bool) {
        let widths = formats.map { DisplayWidth.of($0) + 2 }
        let labelled = label.count + (widths.first ?? 0) <= width && width >= 20
        let rowStart = labelled ? label.count : 0
        var cells: [(Int, Int)] = []
        var row = 0, col = rowStart
        for w in widths {
            if col > rowStart, col + w > width {   // a cell wider than a row still gets one
                row += 1
                col = rowStart
            }
            cells.append((row, col))
            col += w + 1
        }
        return (cells, row + 1, labelled)
    }
}
