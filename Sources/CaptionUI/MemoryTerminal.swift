/// A terminal that keeps its screen in memory: tests draw into it and compare `text()` with
/// stored snapshots; benchmarks measure rendering without a tty. Keys are queued by the test.
public final class MemoryTerminal: Terminal {
    public private(set) var screen: Surface
    public let hasColors: Bool
    /// How many times `refresh` was called (frames shown).
    public private(set) var refreshCount = 0
    /// How many `put` calls were made since creation (cost of the diff).
    public private(set) var putCount = 0
    private var pendingKeys: [KeyInput] = []

    public init(width: Int, height: Int, hasColors: Bool = true) {
        screen = Surface(width: width, height: height)
        self.hasColors = hasColors
    }

    public var size: TerminalSize { screen.size }

    public func put(_ text: String, row: Int, col: Int, style: TextStyle) {
        putCount += 1
        screen.put(text, row: row, col: col, style: style)
    }

    public func clear() { screen = Surface(size: screen.size) }
    public func refresh() { refreshCount += 1 }

    public func readKey(timeoutMilliseconds: Int) -> KeyInput? {
        pendingKeys.isEmpty ? nil : pendingKeys.removeFirst()
    }

    /// Queues keys for `readKey`.
    public func enqueue(_ keys: KeyInput...) { pendingKeys.append(contentsOf: keys) }

    /// Changes the size (contents are lost, as on a real terminal) and queues `.resize`.
    public func resize(width: Int, height: Int) {
        screen = Surface(width: width, height: height)
        pendingKeys.append(.resize)
    }

    /// The screen as text, one line per row, trailing spaces removed.
    public func text() -> String { screen.text() }

    /// The style of one cell.
    public func style(row: Int, col: Int) -> TextStyle { screen[row, col].style }
}
