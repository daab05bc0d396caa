import CCurses
import Foundation
import Testing
@testable import CaptionUI

/// A real crash in a child process (this test binary, re-run with a filter) must leave its
/// terminal usable: main screen back, cursor shown, echo and line mode restored.
@Suite("Terminal restored after a crash", .serialized)
struct CrashRestoreTests {
    static let childFlag = "CAPTTY_CRASH_CHILD"

    /// The child: opens the curses screen on its stdin/stdout (a pty) and crashes.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childFlag] == "1"))
    func crashingChild() throws {
        let term = try CursesTerminal(input: STDIN_FILENO, output: STDOUT_FILENO, termType: "xterm-256color")
        Renderer(terminal: term).renderNow(SampleScreens.snapshot(), now: 0)
        fatalError("deliberate crash: the terminal-restore test")
    }

    @Test func crashRestoresTheTerminal() throws {
        var master: Int32 = -1, slave: Int32 = -1
        #expect(captty_openpty(&master, &slave, 24, 80) == 0)
        try #require(master >= 0 && slave >= 0)
        defer { close(master); close(slave) }

        let child = Process()
        child.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", "crashingChild"]
        var env = ProcessInfo.processInfo.environment
        env[Self.childFlag] = "1"
        env["SWIFT_BACKTRACE"] = "enable=no"
        env["TERM"] = "xterm-256color"
        child.environment = env
        let tty = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        child.standardInput = tty
        child.standardOutput = tty
        child.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try child.run()

        // Drain the pty while the child runs (bounded), so it never blocks on output.
        var output = Data()
        var buf = [UInt8](repeating: 0, count: 65536)
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 100) > 0 {
                let n = read(master, &buf, buf.count)
                if n > 0 { output.append(contentsOf: buf[0..<n]) }
            } else if !child.isRunning {
                break
            }
        }
        if child.isRunning {
            child.terminate()
            Issue.record("child did not crash within the time limit")
        }
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal)
        let text = String(decoding: output, as: UTF8.self)
        guard let entered = text.range(of: "\u{1B}[?1049h") else {
            Issue.record("child never opened the screen; output: \(text.prefix(500))")
            return
        }
        #expect(text.contains("Good morning"))
        // After the screen was opened, the crash handler's reset sequence appears.
        let after = text[entered.upperBound...]
        #expect(after.contains("\u{1B}[?1049l"))
        #expect(after.contains("\u{1B}[?25h"))
        // And the tty is back in line mode with echo.
        var modes = termios()
        #expect(tcgetattr(slave, &modes) == 0)
        #expect(modes.c_lflag & tcflag_t(ECHO) != 0)
        #expect(modes.c_lflag & tcflag_t(ICANON) != 0)
    }
}
