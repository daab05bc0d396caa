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
    private let width: Int
    private var shown = false

    /// A line on `fd` when it is a terminal; nil otherwise. `width`: the most columns drawn
    /// (`COLUMNS` when set, else 80), one less so that the cursor never wraps.
    public static func onTerminal(fd: Int32 = 2, environment: [String: String] = ProcessInfo.processInfo.environment) -> StatusLine? {
        guard isatty(fd) == 1 else { return nil }
        let columns = environment["COLUMNS"].flatMap { Int($0) }.map { max(20, min($0, 1000)) } ?? 80
        return StatusLine(fd: fd, width: columns - 1)
    }

    public init(fd: Int32, width: Int) {
        self.fd = fd
        self.width = max(10, width)
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
