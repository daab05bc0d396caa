import FoundationEssentials
import Glibc

/// A terminal's modes saved before another process takes it over (the full-screen app run by
/// `captty`'s supervisor), put back with `restore()` if that process could not do it itself.
public struct TerminalSnapshot: @unchecked Sendable {
    private let input: Int32
    private let output: Int32
    private let modes: termios

    /// The modes of `input` now; nil when it is not a terminal.
    public static func take(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) -> TerminalSnapshot? {
        guard isatty(input) == 1 else { return nil }
        var t = termios()
        guard tcgetattr(input, &t) == 0 else { return nil }
        return TerminalSnapshot(input: input, output: output, modes: t)
    }

    /// Writes what a full-screen program leaves behind undone (attributes off, cursor shown,
    /// keypad mode off, main screen back) and puts the saved modes (echo, line editing) back.
    public func restore() {
        if isatty(output) == 1 {
            TerminalSignals.resetBytes.withUnsafeBufferPointer { _ = write(output, $0.baseAddress, $0.count) }
        }
        var t = modes
        _ = tcsetattr(input, TCSANOW, &t)
    }
}
