import CCurses

/// A terminal's size in columns and rows.
public struct TerminalSize: Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
    public var description: String { "\(width)x\(height)" }
}

extension TerminalSize {
    /// The width of the terminal on `fd` as the kernel has it now (it follows resizes); nil
    /// when `fd` is not a terminal.
    public static func columns(of fd: Int32) -> Int? {
        let n = captty_get_columns(fd)
        return n > 0 ? Int(n) : nil
    }
}
