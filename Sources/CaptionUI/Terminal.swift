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
    /// Why keys cannot be read, once a read failed: nil when they can.
    var keyboardProblem: KeyboardProblem? { get }
}

/// Why a terminal's keys cannot be read.
public enum KeyboardProblem: Sendable, Equatable {
    /// The terminal is gone (its window closed, `tmux kill-session`): as good as a hang-up,
    /// though no SIGHUP came (the process was not in the terminal's foreground).
    case hungUp
    /// The terminal is there but this process is not in its foreground process group (started
    /// with `&`, or by `timeout` without `--foreground`): every read fails.
    case notForeground
}

extension Terminal {
    public var keyboardProblem: KeyboardProblem? { nil }
}
