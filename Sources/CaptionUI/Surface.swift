import SystemSupport
/// An in-memory grid of cells that views draw into; the renderer then copies it to a terminal.
///
/// Writing never splits a grapheme cluster: a wide character that does not fit before the
/// clip edge is replaced by a space, and overwriting half of a wide character blanks the other
/// half. Control characters are replaced (see `DisplayWidth.sanitizedForTerminal`); emoji
/// sequences are stored as their separate emoji (`DisplayWidth.terminalForm`), so the cells
/// hold what the terminal is sent.
public struct Surface: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public init(size: TerminalSize) { self.init(width: size.width, height: size.height) }

    public var size: TerminalSize { TerminalSize(width: width, height: height) }
    public var bounds: Rect { Rect(row: 0, col: 0, width: width, height: height) }

    public subscript(row: Int, col: Int) -> Cell {
        cells[row * width + col]
    }

    /// Fills a rectangle with spaces in a style.
    public mutating func fill(_ rect: Rect, style: TextStyle = .plain) {
        let r0 = max(0, rect.row), r1 = min(height, rect.bottom)
        let c0 = max(0, rect.col), c1 = min(width, rect.right)
        guard r0 < r1, c0 < c1 else { return }
        let cell = Cell(character: " ", style: style)
        for r in r0..<r1 {
            repairWideCharacter(row: r, col: c0)
            repairWideCharacter(row: r, col: c1 - 1)
            let base = r * width
            for c in c0..<c1 { cells[base + c] = cell }
        }
    }

    /// Writes text at (row, col) in a style, stopping before column `limit` (default: the
    /// right edge). Returns the column after the last cell written.
    @discardableResult
    public mutating func put(_ text: some StringProtocol, row: Int, col: Int, style: TextStyle, limit: Int? = nil) -> Int {
        guard row >= 0, row < height else { return col }
        let end = min(width, limit ?? width)
        var c = col
        for ch in text {
            if ch.utf8.count > 1, let form = DisplayWidth.terminalForm(ch) {
                for piece in form {
                    guard putCluster(piece, row: row, col: &c, end: end, style: style) else { return c }
                }
            } else {
                guard putCluster(ch, row: row, col: &c, end: end, style: style) else { return c }
            }
        }
        return c
    }

    /// Writes one cluster at column `c` and advances it; false when the row is full.
    private mutating func putCluster(_ ch: Character, row: Int, col c: inout Int, end: Int, style: TextStyle) -> Bool {
        if c >= end { return false }
        var w = DisplayWidth.of(ch)
        var glyph = ch
        if w == 0 {
            // Control characters are replaced; stray zero-width clusters are dropped.
            guard let s = ch.unicodeScalars.first, s.value < 0x20 || (0x7F..<0xA0).contains(s.value) else { return true }
            glyph = (s.value == 0x09 || s.value == 0x0A || s.value == 0x0D) ? " " : "\u{FFFD}"
            w = 1
        }
        if c < 0 { c += w; return true }
        if c + w > end {
            // A wide character that does not fit: pad with a space instead of splitting it.
            setCell(row: row, col: c, Cell(character: " ", style: style))
            c += 1
            return false
        }
        setCell(row: row, col: c, Cell(character: glyph, style: style))
        for k in 1..<max(1, w) {
            setCell(row: row, col: c + k, Cell(character: " ", style: style, isContinuation: true))
        }
        c += w
        return true
    }

    /// Sets one cell, blanking the other half of any wide character it overwrites.
    mutating func setCell(row: Int, col: Int, _ cell: Cell) {
        guard row >= 0, row < height, col >= 0, col < width else { return }
        repairWideCharacter(row: row, col: col)
        cells[row * width + col] = cell
    }

    /// Before (row, col) is overwritten: if it is half of a wide character, blank the other half.
    private mutating func repairWideCharacter(row: Int, col: Int) {
        let i = row * width + col
        if cells[i].isContinuation, col > 0 {
            cells[i - 1] = Cell(character: " ", style: cells[i - 1].style)
        } else if col + 1 < width, cells[i + 1].isContinuation {
            cells[i + 1] = Cell(character: " ", style: cells[i + 1].style)
        }
    }

    /// The text of one row, with trailing spaces removed.
    public func rowText(_ row: Int) -> String {
        var s = ""
        let base = row * width
        for c in 0..<width where !cells[base + c].isContinuation {
            s.append(cells[base + c].character)
        }
        while s.last == " " { s.removeLast() }
        return s
    }

    /// The whole grid as text, one line per row, trailing spaces removed.
    public func text() -> String {
        (0..<height).map(rowText).joined(separator: "\n")
    }

    /// One row split into runs of equal style, skipping continuation cells: what a terminal
    /// needs to draw it. Each run is (start column, text, style).
    public func runs(row: Int) -> [(col: Int, text: String, style: TextStyle)] {
        var result: [(col: Int, text: String, style: TextStyle)] = []
        let base = row * width
        var start = 0
        var text = ""
        var style = width > 0 ? cells[base].style : .plain
        for c in 0..<width {
            let cell = cells[base + c]
            if cell.isContinuation { continue }
            if cell.style != style {
                if !text.isEmpty { result.append((start, text, style)) }
                start = c
                text = ""
                style = cell.style
            }
            text.append(cell.character)
        }
        if !text.isEmpty { result.append((start, text, style)) }
        return result
    }

    /// Whether a row differs from the same row of another surface of the same size.
    public func rowDiffers(_ row: Int, from other: Surface) -> Bool {
        guard other.width == width, other.height == height else { return true }
        let base = row * width
        for c in 0..<width where cells[base + c] != other.cells[base + c] { return true }
        return false
    }
}
