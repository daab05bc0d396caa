import Foundation
import Testing
import CCurses
@testable import CaptionUI

/// Runs real ncursesw on a pseudo-terminal (no mock): draws a frame, reads keys, ends cleanly.
@Suite("CursesTerminal on a pty", .serialized)
struct CursesTerminalSmokeTests {
    /// Reads what the pty master has, waiting up to `seconds` for `needle` to appear.
    func drain(_ fd: Int32, until needle: String, seconds: Double) -> String {
        var data = Data()
        let deadline = ContinuousClock.now + .seconds(seconds)
        var buf = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) > 0 else { continue }
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            data.append(contentsOf: buf[0..<n])
            if String(decoding: data, as: UTF8.self).contains(needle) { break }
        }
        return String(decoding: data, as: UTF8.self)
    }

    @Test func drawsAFrameReadsKeysAndRestoresTheTerminal() throws {
        var master: Int32 = -1, slave: Int32 = -1
        #expect(captty_openpty(&master, &slave, 24, 80) == 0)
        try #require(master >= 0 && slave >= 0)
        defer { close(master); close(slave) }

        let term = try CursesTerminal(input: slave, output: slave, termType: "xterm-256color")
        #expect(term.size == TerminalSize(width: 80, height: 24))
        #expect(term.hasColors)
        let renderer = Renderer(terminal: term)
        renderer.renderNow(SampleScreens.snapshot(interim: "interim words here"), now: 0)
        let frame = drain(master, until: "interim words here", seconds: 10)
        #expect(frame.contains("\u{1B}[?1049h"))          // switched to the alternate screen
        #expect(frame.contains("Good morning"))
        #expect(frame.contains("interim words here"))

        // Keys typed into the pty arrive as KeyInput values (keypad mode decodes sequences).
        let typed = "q\u{1B}[5~\u{0C}"
        _ = typed.utf8CString.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count - 1) }
        #expect(term.readKey(timeoutMilliseconds: 5000) == .character("q"))
        #expect(term.readKey(timeoutMilliseconds: 5000) == .pageUp)
        #expect(term.readKey(timeoutMilliseconds: 5000) == .control("l"))
        #expect(term.readKey(timeoutMilliseconds: 50) == nil)

        // A window-size change arrives as .resize and the new size is read from the tty.
        #expect(captty_set_winsize(master, 30, 100) == 0)
        kill(getpid(), SIGWINCH)
        var sawResize = false
        let deadline = ContinuousClock.now + .seconds(10)
        while !sawResize, ContinuousClock.now < deadline {
            sawResize = term.readKey(timeoutMilliseconds: 100) == .resize
        }
        #expect(sawResize)
        #expect(term.size == TerminalSize(width: 100, height: 30))
        renderer.renderNow(SampleScreens.snapshot(interim: "after the resize"), now: 1)
        #expect(drain(master, until: "after the resize", seconds: 10).contains("after the resize"))

        term.end()
        term.end()                                         // idempotent
        let tail = drain(master, until: "\u{1B}[?1049l", seconds: 10)
        #expect(tail.contains("\u{1B}[?1049l"))           // back to the main screen
    }

    @Test func unknownTerminalTypeIsAClearError() throws {
        var master: Int32 = -1, slave: Int32 = -1
        #expect(captty_openpty(&master, &slave, 24, 80) == 0)
        try #require(master >= 0 && slave >= 0)
        defer { close(master); close(slave) }
        do {
            _ = try CursesTerminal(input: slave, output: slave, termType: "no-such-terminal-xyz")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("TERM=no-such-terminal-xyz"))
            #expect(error.description.contains("--plain"))
        }
    }

    @Test func keyCodesMapToKeys() {
        #expect(CursesTerminal.keyFromCharacter(0x03) == .control("c"))
        #expect(CursesTerminal.keyFromCharacter(0x20) == .character(" "))
        #expect(CursesTerminal.keyFromCharacter(0x1B) == .escape)
        #expect(CursesTerminal.keyFromCharacter(0x65E5) == .character("日"))
        #expect(CursesTerminal.keyFromCode(0x152) == .pageDown)   // KEY_NPAGE
    }

    @Test func terminationSignalOnlySetsAFlag() {
        TerminalSignals.installTerminationHandlers()
        TerminalSignals.resetTerminationFlag()
        #expect(!TerminalSignals.terminationRequested)
        // Sent to the process (a test thread may block signals); wait, bounded, for delivery.
        kill(getpid(), SIGTERM)
        let deadline = ContinuousClock.now + .seconds(10)
        while !TerminalSignals.terminationRequested, ContinuousClock.now < deadline { usleep(1000) }
        #expect(TerminalSignals.terminationRequested)
        #expect(TerminalSignals.receivedSignalNumber == SIGTERM)
        TerminalSignals.resetTerminationFlag()
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
        signal(SIGHUP, SIG_DFL)
    }

    @Test func crashRestoreWritesTheResetSequenceAndRestoresTtyModes() throws {
        var master: Int32 = -1, slave: Int32 = -1
        #expect(captty_openpty(&master, &slave, 24, 80) == 0)
        try #require(master >= 0 && slave >= 0)
        defer { close(master); close(slave) }
        var original = termios()
        #expect(tcgetattr(slave, &original) == 0)
        TerminalSignals.saveTerminalModes(input: slave, output: slave)
        // What curses does: no echo, no canonical input.
        var raw = original
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON)
        #expect(tcsetattr(slave, TCSANOW, &raw) == 0)
        TerminalSignals.restoreTerminalFromSignalHandler()
        var after = termios()
        #expect(tcgetattr(slave, &after) == 0)
        #expect(after.c_lflag & tcflag_t(ECHO) != 0 && after.c_lflag & tcflag_t(ICANON) != 0)
        let out = drain(master, until: "\u{1B}[?1049l", seconds: 10)
        #expect(out.contains("\u{1B}[?25h") && out.contains("\u{1B}[?1049l"))
        TerminalSignals.disarmCrashRestore()
    }

    @Test func crashResetSequenceRestoresScreenAndCursor() {
        let seq = String(decoding: TerminalSignals.resetBytes, as: UTF8.self)
        #expect(seq.contains("\u{1B}[?1049l") && seq.contains("\u{1B}[?25h") && seq.contains("\u{1B}[0m"))
    }
}
