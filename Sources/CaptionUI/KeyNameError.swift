/// A key name in a config file that could not be understood.
public enum KeyNameError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case unknown(String)
    case badControl(String)
    /// A key the terminal keeps for itself: it never reaches the program.
    case reservedByTerminal(String, String)

    public var description: String {
        switch self {
        case .empty:
            return "empty key name: write a character (\"q\") or a name like \"space\", \"ctrl-l\", \"pgup\", \"F1\""
        case .unknown(let n):
            return "unknown key name \"\(n)\": use a single character or one of space, enter, esc, tab, backspace, delete, insert, up, down, left, right, home, end, pgup, pgdn, F1–F24, ctrl-<letter>"
        case .badControl(let n):
            return "bad control key \"\(n)\": write ctrl- followed by one letter, e.g. \"ctrl-l\""
        case .reservedByTerminal(let n, let why):
            return "\"\(n)\" cannot be bound: \(why), so captty never sees it; choose another key"
        }
    }
}
