import CaptionUI
import FoundationEssentials
import Glibc
import SystemSupport

/// One line of progress on a terminal's standard error, redrawn in place (`\r`, erase to the
/// end of the line), for a job that would otherwise say nothing for minutes (`captty
/// transcribe` of an hour's recording). Only on a terminal: a log file or a pipe gets no
/// progress lines. Other messages go through `say`, which takes the line away first so that
/// they are not written over it, and the next update draws it again.
public final class StatusLine: @unchecked Sendable {
    private let lock = Lock()
    private let fd: Int32
    private let fixedWidth: Int?
    private let fallbackWidth: Int
    private var shown = false

    /// A line on `fd` when it is a terminal; nil otherwise. Cut to the terminal's width as it
    /// is at each update (it follows resizes; `COLUMNS`, else 80, when the terminal has none),
    /// one column less so that the cursor never wraps: a wrapped line is not redrawn in place
    /// but leaves a copy behind at every update.
    public static func onTerminal(fd: Int32 = 2, environment: [String: String] = ProcessInfo.processInfo.environment) -> StatusLine? {
        guard isatty(fd) == 1 else { return nil }
        let columns = environment["COLUMNS"].flatMap { Int($0) }.map { max(20, min($0, 1000)) } ?? 80
        return StatusLine(fd: fd, fallbackWidth: columns)
    }

    /// `width`: a fixed number of columns to draw in (tests); nil to ask the terminal.
    public init(fd: Int32, width: Int? = nil, fallbackWidth: Int = 80) {
        self.fd = fd
        self.fixedWidth = width.map { max(10, $0) }
        self.fallbackWidth = fallbackWidth
    }

    private var width: Int {
        if let fixedWidth { return fixedWidth }
        return max(1, min(TerminalSize.columns(of: fd) ?? fallbackWidth, 1000) - 1)
    }

    /// Draws `text` in place of the line shown (cut to the width).
    public func update(_ text: String) {
        let cut = DisplayWidth.truncate(DisplayWidth.sanitizedForTerminal(text), toColumns: width)
        lock.withLock {
            Files.writeAll(fd, "\r\(cut)\u{1B}[K".utf8)
            shown = true
        }
    }

    /// Takes the line away (at the end, or before another message).
    public func clear() {
        lock.withLock {
            guard shown else { return }
            Files.writeAll(fd, "\r\u{1B}[K".utf8)
            shown = false
        }
    }

    /// Writes a message with `write` on a clean line.
    public func say(_ write: () -> Void) {
        lock.withLock {
            if shown { Files.writeAll(fd, "\r\u{1B}[K".utf8); shown = false }
            write()
        }
    }
}
