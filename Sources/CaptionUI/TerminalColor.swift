/// The eight standard terminal colours (their curses numbers are the raw values).
public enum TerminalColor: Int, Hashable, Sendable, CaseIterable {
    case black = 0, red, green, yellow, blue, magenta, cyan, white
}
