/// The help overlay: every action with its keys, grouped by category, in as many columns as
/// the screen needs — generated from the key-binding table, like the README's key list.
public enum HelpOverlayView {
    enum Line: Equatable {
        case heading(String)
        case entry(keys: String, summary: String)
        case blank
    }

    /// The overlay's lines in reading order (used for layout and by tests).
    static func lines(_ table: KeyBindingTable) -> [Line] {
        var out: [Line] = []
        for category in KeyCategory.allCases {
            let actions = KeyAction.allCases.filter { $0.category == category }
            guard !actions.isEmpty else { continue }
            if !out.isEmpty { out.append(.blank) }
            out.append(.heading(category.title))
            for a in actions { out.append(.entry(keys: table.keyLabel(for: a), summary: a.summary)) }
        }
        return out
    }

    /// Splits lines into columns of at most `height` rows: whole categories where they fit,
    /// never starting a column with a blank line or ending one with a heading.
    static func columns(_ lines: [Line], height: Int) -> [[Line]] {
        guard height > 0 else { return [] }
        // Categories are the runs between blank lines.
        var blocks: [[Line]] = [[]]
        for line in lines {
            if line == .blank { blocks.append([]) } else { blocks[blocks.count - 1].append(line) }
        }
        var cols: [[Line]] = [[]]
        for block in blocks where !block.isEmpty {
            let current = cols[cols.count - 1]
            let need = (current.isEmpty ? 0 : 1) + block.count
            if current.count + need <= height {
                if !current.isEmpty { cols[cols.count - 1].append(.blank) }
                cols[cols.count - 1].append(contentsOf: block)
                continue
            }
            if block.count <= height {
                cols.append(block)
                continue
            }
            // A category taller than a column flows on into the next ones.
            if !current.isEmpty { cols.append([]) }
            for line in block {
                if cols[cols.count - 1].count >= height {
                    var carry: [Line] = []
                    if case .heading = cols[cols.count - 1].last { carry.append(cols[cols.count - 1].removeLast()) }
                    cols.append(carry)
                }
                cols[cols.count - 1].append(line)
            }
        }
        return cols.filter { !$0.isEmpty }
    }

    /// The columns of each page for an overlay drawn in `rect`, and the column geometry.
    struct Layout {
        var pages: [[[Line]]]
        var keyWidth: Int
        var colWidth: Int
        static let gap = 3
    }

    static func layout(_ table: KeyBindingTable, rect: Rect) -> Layout {
        let all = lines(table)
        var keyWidth = 0, summaryWidth = 0
        for case .entry(let k, let s) in all {
            keyWidth = max(keyWidth, DisplayWidth.of(k))
            summaryWidth = max(summaryWidth, DisplayWidth.of(s))
        }
        let colWidth = keyWidth + 2 + summaryWidth
        let maxInnerW = max(1, rect.width - 4)
        let maxInnerH = max(1, rect.height - 2)
        // Balanced: the shortest column height that needs no more columns.
        var chosen = columns(all, height: maxInnerH)
        for h in stride(from: maxInnerH - 1, through: 1, by: -1) {
            let c = columns(all, height: h)
            if c.count > chosen.count { break }
            chosen = c
        }
        let perPage = max(1, (maxInnerW + Layout.gap) / (colWidth + Layout.gap))
        let pages = stride(from: 0, to: chosen.count, by: perPage).map { Array(chosen[$0..<min(chosen.count, $0 + perPage)]) }
        return Layout(pages: pages.isEmpty ? [[]] : pages, keyWidth: keyWidth, colWidth: colWidth)
    }

    /// How many pages the help needs on a screen of this size (1 when everything fits).
    public static func pageCount(_ table: KeyBindingTable, screen: TerminalSize) -> Int {
        layout(table, rect: ScreenLayout(size: screen).captions).pages.count
    }

    public static func draw(_ table: KeyBindingTable, page: Int = 0, theme: Theme, into surface: inout Surface, rect: Rect) {
        let layout = layout(table, rect: rect)
        let pageIndex = min(max(0, page), layout.pages.count - 1)
        let shown = layout.pages[pageIndex]
        let gap = Layout.gap
        let colWidth = layout.colWidth
        let keyWidth = layout.keyWidth
        let maxInnerW = max(1, rect.width - 4)
        let maxInnerH = max(1, rect.height - 2)
        let rowsNeeded = layout.pages.flatMap { $0 }.map(\.count).max() ?? 0
        let innerW = min(maxInnerW, shown.count * colWidth + max(0, shown.count - 1) * gap)
        let innerH = min(maxInnerH, rowsNeeded)
        let help = table.keys(for: .help).first?.displayName ?? "?"
        let footer = layout.pages.count > 1
            ? "\(pageIndex + 1)/\(layout.pages.count) · PgDn/PgUp · \(help) or Esc closes"
            : "\(help) or Esc closes"
        let inner = OverlayBox.draw(title: "Keys", footer: footer, inner: TerminalSize(width: innerW, height: innerH),
                                    theme: theme, into: &surface, area: rect)
        guard !inner.isEmpty else { return }
        for (ci, col) in shown.enumerated() {
            let x = inner.col + ci * (colWidth + gap)
            guard x < inner.right else { break }
            for (ri, line) in col.prefix(inner.height).enumerated() {
                let y = inner.row + ri
                switch line {
                case .heading(let t):
                    surface.put(t, row: y, col: x, style: theme.overlayHeading, limit: inner.right)
                case .entry(let k, let s):
                    surface.put(k, row: y, col: x, style: theme.overlayKey, limit: inner.right)
                    surface.put(s, row: y, col: x + keyWidth + 2, style: theme.overlayText, limit: inner.right)
                case .blank:
                    break
                }
            }
        }
    }
}
