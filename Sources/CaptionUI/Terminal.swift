/// A character-cell screen the renderer draws on and reads keys from.
///
/// `MemoryTerminal` keeps the cells in memory (tests, benchmarks); `CursesTerminal` drives a
/// real terminal through ncursesw. Used from one thread at a time.
public protocol Terminal: AnyObject {
    /// The current size in columns and rows.
    var size: TerminalSize { get }
    /// Whether the terminal can show colours (before `NO_COLOR` is considered).
    var hasColors: Bool { get }
    /// Writes text (already fitted to the screen; no control characters) at a position.
    func put(_ text: String, row: Int, col: Int, style: TextStyle)
    /// Blanks the screen; the next `refresh` repaints everything.
    func clear()
    /// Shows what was written since the last refresh.
    func refresh()
    /// The next key, waiting at most `timeoutMilliseconds` (0: don't wait); nil on timeout.
    func readKey(timeoutMilliseconds: Int) -> KeyInput?
}
