import SystemSupport
/// The help overlay: every action with its keys, grouped by category, in as many columns as
/// the screen needs — generated from the key-binding table, like the README's key list.
public enum HelpOverlayView {
    enum Line: Equatable {
        case heading(String)
        case entry(keys: String, summary: String)
        /// More of the summary above, when a narrow screen wraps it (drawn under the summary).
        case continuation(String)
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
            // A category taller than a column flows on into the next ones, an entry with its
            // wrapped summary kept together where the column is tall enough.
            if !current.isEmpty { cols.append([]) }
            var units: [[Line]] = []
            for line in block {
                if case .continuation = line, !units.isEmpty { units[units.count - 1].append(line) } else { units.append([line]) }
            }
            for unit in units {
                let column = cols[cols.count - 1]
                if column.count + unit.count > height && (column.count >= height || unit.count <= height) {
                    var carry: [Line] = []
                    if case .heading = column.last { carry.append(cols[cols.count - 1].removeLast()) }
                    cols.append(carry)
                }
                for line in unit {
                    if cols[cols.count - 1].count >= height { cols.append([]) }
                    cols[cols.count - 1].append(line)
                }
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
        var all = lines(table)
        var keyWidth = 0, summaryWidth = 0
        for case .entry(let k, let s) in all {
            keyWidth = max(keyWidth, DisplayWidth.of(k))
            summaryWidth = max(summaryWidth, DisplayWidth.of(s))
        }
        let maxInnerW = max(1, rect.width - 4)
        let maxInnerH = max(1, rect.height - 2)
        // On a narrow screen the summaries wrap under themselves rather than being cut off.
        let summaryRoom = maxInnerW - keyWidth - 2
        if keyWidth + 2 + summaryWidth > maxInnerW && summaryRoom >= 8 {
            all = all.flatMap { line -> [Line] in
                guard case .entry(let k, let s) = line else { return [line] }
                let rows = DisplayWidth.wrapWords(s, toColumns: summaryRoom)
                return [.entry(keys: k, summary: rows.first ?? "")] + rows.dropFirst().map { .continuation($0) }
            }
            summaryWidth = summaryRoom
        }
        let colWidth = min(maxInnerW, keyWidth + 2 + summaryWidth)
        // Balanced: the shortest column height that needs no more columns, and splits no
        // category that fits in a column whole ("m  Next model" began a page on its own, under
        // no heading, at 100x12).
        let tallestBlock = all.split(separator: .blank).map(\.count).max() ?? 1
        var chosen = columns(all, height: maxInnerH)
        for h in stride(from: maxInnerH - 1, through: min(maxInnerH, tallestBlock), by: -1) {
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
        // Every page as wide as the widest: the box kept its place while paging.
        let columnsShown = layout.pages.map(\.count).max() ?? shown.count
        let innerW = min(maxInnerW, columnsShown * colWidth + max(0, columnsShown - 1) * gap)
        let innerH = min(maxInnerH, rowsNeeded)
        let help = table.keys(for: .help).first?.displayName ?? "?"
        // The quit key closes help (as q closes less or man), which the list beside it says
        // quits: the footer says so.
        let quit = table.keys(for: .quit).first { if case .control = $0 { false } else { $0 != .escape } }
        let closers = [help] + (quit.map { [$0.displayName] } ?? []) + ["Esc"]
        let closes = closers.dropLast().joined(separator: ", ") + " or Esc closes"
        let paging = layout.pages.count > 1 ? "\(pageIndex + 1)/\(layout.pages.count) · PgDn/PgUp · " : ""
        let footer = [paging + closes, paging + "Esc closes"].first { DisplayWidth.of($0) <= innerW - 2 } ?? paging + "Esc closes"
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
                    let room = inner.right - (x + keyWidth + 2)
                    if room > 0 {
                        surface.put(DisplayWidth.truncate(s, toColumns: room), row: y, col: x + keyWidth + 2,
                                    style: theme.overlayText, limit: inner.right)
                    }
                case .continuation(let s):
                    surface.put(s, row: y, col: x + keyWidth + 2, style: theme.overlayText, limit: inner.right)
                case .blank:
                    break
                }
            }
        }
    }
}
