/// Why the terminal could not be opened.
public enum TerminalError: Error, Equatable, Sendable, CustomStringConvertible {
    case noTerminalType
    case notATerminal
    case cannotOpen(term: String, reason: String)
    /// The terminal type cannot move the cursor (e.g. `dumb`, as in an Emacs shell buffer).
    case cannotMoveCursor(term: String)

    public var description: String {
        switch self {
        case .noTerminalType:
            return "TERM is not set, so the screen cannot be drawn; set TERM (e.g. TERM=xterm-256color) or use plain mode (--plain)"
        case .notATerminal:
            return "standard output is not a terminal; use plain mode (--plain) to print captions as lines"
        case .cannotOpen(let term, let reason):
            return "cannot open the terminal (TERM=\(term)): \(reason); try TERM=xterm-256color or plain mode (--plain)"
        case .cannotMoveCursor(let term):
            return "TERM=\(term) is a terminal that cannot move the cursor, so the caption screen cannot be drawn; "
                + "use plain mode (--plain) to print captions as lines, or set TERM to your terminal's type (e.g. TERM=xterm-256color)"
        }
    }
}
