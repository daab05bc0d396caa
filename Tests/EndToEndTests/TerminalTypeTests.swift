import Foundation
import Testing
import TestSupport

/// `captty` in terminals it cannot draw the full screen on, in a real terminal (tmux): it says
/// what is wrong and what to do (`--plain`), before it opens a journal or an engine, and leaves
/// no debris.
@Suite(.serialized) struct TerminalTypeTests {
    /// Unset and unknown TERM are refused (they said "--plain" twice and left an empty journal
    /// behind).
    @Test(.timeLimit(.minutes(2)), arguments: ["TERM=nosuch-terminal", "unset TERM;"])
    func aTerminalTheScreenCannotBeDrawnOnIsRefusedWithWhatToDo(_ setting: String) throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("never.jsonl").path
        let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path])
        defer { tmux.kill() }
        try tmux.run("clear; \(setting) \(shellQuoted(TestPaths.capttyBinary.path)) --engine local --file \(shellQuoted(TestAudio.preamble)) --journal \(shellQuoted(journal)); echo \"exit=$?\"")
        let screen = try tmux.waitFor("the exit status", timeout: 30) { $0.range(of: #"exit=\d"#, options: .regularExpression) != nil }
        let flat = screen.replacingOccurrences(of: "\n", with: "")
        #expect(flat.contains("exit=1"), "screen:\n\(screen)")
        #expect(flat.contains("captty: "))
        #expect(flat.components(separatedBy: "--plain").count == 2, "names --plain once:\n\(screen)")
        #expect(!flat.contains("▕") && !flat.contains("live"), "no screen was drawn:\n\(screen)")
        #expect(!FileManager.default.fileExists(atPath: journal), "no journal for a session that never started")
        #expect(try tmux.format("#{alternate_on}") == "0")
    }

    /// TERM=dumb (an Emacs shell buffer) cannot move the cursor: the app drew its status bar
    /// and meter over each other on one line and ran on; then it was refused, and an Emacs user
    /// had to know to add --plain. Captions now come as lines, with a note saying why.
    @Test(.timeLimit(.minutes(2))) func aDumbTerminalGetsCaptionsAsLines() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 3, in: dir)
        let journal = dir.appendingPathComponent("dumb.jsonl").path
        let greet = try LiveScreenTextTests.finalResults("captions for emacs")
        try await withDeepgramDouble(["--word-seconds", "100", "--final-seconds", "100", "--greet", greet]) { double in
            let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run("clear; TERM=dumb \(shellQuoted(TestPaths.capttyBinary.path)) --engine deepgram --url \(double.baseURL) "
                         + "--file \(shellQuoted(wav)) --journal \(shellQuoted(journal)); echo \"exit=$?\"")
            let screen = try tmux.waitFor("the exit status", timeout: 60) { $0.range(of: #"exit=\d"#, options: .regularExpression) != nil }
            let flat = screen.replacingOccurrences(of: "\n", with: "")
            #expect(flat.contains("exit=0"), "screen:\n\(screen)")
            #expect(flat.contains("TERM=dumb cannot draw the caption screen, so captions are printed as lines"), "screen:\n\(screen)")
            #expect(screen.split(separator: "\n").contains { $0.hasPrefix("captions for emacs") }, "a caption line:\n\(screen)")
            #expect(!flat.contains("▕"), "no screen was drawn:\n\(screen)")
            let saved = try String(contentsOfFile: journal, encoding: .utf8)
            #expect(saved.contains("\"captions\""), "the journal holds the line: \(saved)")
            #expect(try tmux.format("#{alternate_on}") == "0")
        }
    }

    /// LANG=C: ncurses can write only ASCII and left everything else out, so the level meter
    /// was an empty bar, the status lost its symbols and "café" showed as "caf". The screen is
    /// drawn in ASCII look-alikes instead, column for column.
    @Test(.timeLimit(.minutes(2))) func aLocaleThatIsNotUTF8DrawsTheScreenInAscii() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 30, in: dir)
        let greet = try LiveScreenTextTests.finalResults("café 日本 ok")
        try await withDeepgramDouble(["--word-seconds", "100", "--final-seconds", "100", "--greet", greet]) { double in
            let tmux = try TmuxScreen(width: 80, height: 12, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run("LANG=C LC_ALL=C \(LiveScreenTextTests.command(double, file: wav))")
            let screen = try tmux.waitFor("the caption and the live status in ASCII", timeout: 30) {
                $0.contains("caf? ???? ok") && $0.contains("* live")
            }
            let rows = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let meter = try #require(rows.first { $0.contains(" dB") }, "screen:\n\(screen)")
            #expect(meter.hasPrefix("[#"), "the bar is drawn: \(meter)")
            #expect(meter.contains("] "), "\(meter)")
            #expect(rows.joined().utf8.allSatisfy { $0 < 0x80 }, "screen:\n\(screen)")
            try tmux.press("q")
            try tmux.waitForShell()
        }
    }

    /// TERM=vt100 (a common "safe" setting) defines no PgUp, PgDn, Home or End, and xterm's entry
    /// spells Home and End differently from what tmux and screen send: those keys arrived as Esc
    /// plus stray characters and did nothing, so there was no scrolling back. The usual
    /// sequences are now known whatever the entry says.
    @Test(.timeLimit(.minutes(2)), arguments: ["vt100", "xterm"])
    func scrollingAndHelpKeysWorkWhenTheTerminfoEntryLacksThem(_ term: String) async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 60, in: dir)
        try await withDeepgramDouble(["--word-seconds", "0.1", "--final-seconds", "0.5"]) { double in
            let tmux = try TmuxScreen(width: 80, height: 12, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run("TERM=\(term) \(LiveScreenTextTests.command(double, file: wav)) --speed 4")
            // The first line has scrolled out of view.
            try tmux.waitFor("the first line to scroll away", timeout: 30) { $0.contains("b320000") && !$0.contains("b0 b3200") }
            try tmux.press("PPage")
            // "↓ N lines below · End to follow" (", M new" once more lines have come in).
            try tmux.waitFor(text: "to follow", timeout: 15)
            try tmux.press("Home")
            try tmux.waitFor("the first line", timeout: 15) { $0.hasPrefix("b0 b3200 ") }
            try tmux.press("End")
            try tmux.waitFor("following again", timeout: 15) { !$0.contains("to follow") && !$0.hasPrefix("b0 b3200 ") }
            try tmux.press("F1")
            try tmux.waitFor(text: "Keys", timeout: 15)
            try tmux.press("Escape")
            try tmux.waitFor("help closed", timeout: 15) { !$0.contains("Keys") }
            try tmux.press("q")
            try tmux.waitForShell()
            // Quitting leaves no frame behind: vt100 has no alternate screen, and its last frame
            // (captions, status bar) stayed above the shell's prompt.
            let after = try tmux.screen()
            #expect(!after.contains("b3200") && !after.contains("help"), "\(after)")
        }
    }
}
