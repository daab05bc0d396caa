import Foundation
import Testing
import TestSupport

/// SIGHUP (the terminal closes) and SIGKILL to the full-screen app in tmux, captioning from the
/// Deepgram TEST DOUBLE. `captty` runs the screen in a child process and supervises it
/// (`ScreenSupervisor`): HUP finishes like quit (terminal restored, journal complete); KILL to
/// `captty` (the supervisor) makes the screen finish like quit too; KILL to the screen process
/// leaves the supervisor to restore the terminal and name the journal, which still parses and
/// holds a contiguous run of words from the start.
/// (SIGTERM in tmux is EndToEndTests/LiveScreenTests.sigtermFinishesLikeQuit.)
@Suite(.serialized) struct ScreenSignalTests {
    struct Outcome {
        var screen: String
        var alternate: String
        var journal: JournalSummary
        /// `stty -a` of the pane's terminal once the screen process has ended.
        var modes: String
    }

    /// Sends `sig` to `captty` (the shell's child), or with `toScreen` to the screen process
    /// it supervises; waits until the shell prompt and the main screen are back.
    /// `script`: run by a non-interactive `sh -c` that goes on to its next command, as a
    /// script does, instead of from the interactive shell's prompt.
    func run(signal sig: Int32, toScreen: Bool = false, script: Bool = false) async throws -> Outcome {
        let scene = try await CounterScene("tui\(sig)\(toScreen ? "s" : "")", seconds: 120)
        defer { scene.stop() }
        let (dir, wav, peers, journal) = (scene.dir, scene.wav, scene.peers, scene.journal)
        let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": FaultAudio.apiKey])
        defer { tmux.kill() }
        let command = "\(shellQuoted(TestPaths.capttyBinary.path)) --engine deepgram --url \(peers.url) --file \(shellQuoted(wav.path)) --speed 4 --journal \(shellQuoted(journal)); echo \"exit=$?\""
        try tmux.run(script ? "exec sh -c \(shellQuoted(command + "; sleep 60"))" : command)
        try tmux.waitFor(text: "c32000", timeout: 90)
        let shell = try tmux.format("#{pane_pid}")
        let supervisor = try Self.children(of: shell)
        #expect(supervisor.count == 1)
        let screenProcess = try supervisor.flatMap { try Self.children(of: String($0)) }
        #expect(screenProcess.count == 1, "captty runs the screen in one child process")
        for pid in toScreen ? screenProcess : supervisor { kill(pid, sig) }
        if script || toScreen || sig != SIGKILL {
            try tmux.waitFor(text: "exit=", timeout: 30)
        }
        // Killed outright, captty gives the shell the terminal back at once: the shell may print
        // "exit=137" before the screen process (which notices within 100 ms) has left the
        // alternate screen, and then that line goes with it. The prompt is what counts.
        if !script { try tmux.waitForShell(timeout: 30) }
        // Killing the supervisor gives the prompt back at once; the screen finishes just after.
        try tmux.waitFor("the screen process to end", timeout: 30) { _ in
            screenProcess.allSatisfy { kill($0, 0) != 0 }   // gone (and reaped)
        }
        var alternate = try tmux.format("#{alternate_on}")
        let deadline = ContinuousClock.now + .seconds(10)
        while alternate != "0" && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            alternate = try tmux.format("#{alternate_on}")
        }
        let screen = try tmux.tmux(["capture-pane", "-p", "-S", "-50"]).stdout
        let modes = try TmuxScreen.spawn("/bin/stty", ["-F", try tmux.format("#{pane_tty}"), "-a"], timeout: 10).stdout
        let j = try JournalSummary.read(journal)
        print("TUI SIG\(sig == SIGKILL ? "KILL" : "HUP") to \(toScreen ? "the screen process" : "captty"): alternate screen after exit: \(alternate); journal \(j); "
              + "server received \(peers.bytesReceived()) bytes")
        return Outcome(screen: screen, alternate: alternate, journal: j, modes: modes)
    }

    static func children(of pid: String) throws -> [Int32] {
        try TmuxScreen.spawn("/usr/bin/pgrep", ["-P", pid], timeout: 10).stdout.split(separator: "\n").compactMap { Int32($0) }
    }

    @Test(.timeLimit(.minutes(2))) func hangupFinishesLikeQuit() async throws {
        let r = try await run(signal: SIGHUP)
        #expect(r.alternate == "0", "terminal not restored")
        #expect(r.journal.issues.isEmpty && !r.journal.tornLastLine)
        #expect(r.journal.words.count >= 9)
        #expect(FaultAudio.transcriptProblems(words: r.journal.words, total: Int.max / 2).filter { !$0.hasPrefix("last word") } == [])
    }

    /// SIGKILL to `captty`: the screen process sees its supervisor gone and finishes like quit.
    @Test(.timeLimit(.minutes(2))) func killingCapttyStillRestoresTheTerminalAndCompletesTheJournal() async throws {
        let r = try await run(signal: SIGKILL)
        #expect(r.alternate == "0", "terminal not restored")
        #expect(r.screen.contains("Transcript saved to"), "screen:\n\(r.screen)")
        #expect(r.journal.issues.isEmpty && !r.journal.tornLastLine)
        #expect(r.journal.words.count >= 9, "lines shown before the kill must be journaled")
        #expect(FaultAudio.transcriptProblems(words: r.journal.words, total: Int.max / 2).filter { !$0.hasPrefix("last word") } == [])
    }

    /// SIGKILL to `captty` run by a script (`sh -c 'captty …; next command'`): no line editor
    /// takes the terminal back, so the screen process restores the modes it found; they were
    /// left without echo and line editing.
    @Test(.timeLimit(.minutes(2))) func killingCapttyInAScriptLeavesTheTerminalEchoing() async throws {
        let r = try await run(signal: SIGKILL, script: true)
        #expect(r.alternate == "0", "terminal not restored")
        let flags = r.modes.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }).map(String.init)
        #expect(flags.contains("icanon") && flags.contains("echo") && flags.contains("isig"), "stty -a:\n\(r.modes)")
        #expect(r.journal.issues.isEmpty && !r.journal.tornLastLine)
    }

    /// A crash of the screen process (SIGSEGV, SIGABRT) ends it at once, like SIGKILL: Swift's
    /// backtracer held the frozen captions for 30 s under an interactive prompt, and a crash
    /// signal sent by `kill` left the app running with the terminal in line mode.
    @Test(.timeLimit(.minutes(2)), arguments: [SIGSEGV, SIGABRT])
    func aCrashOfTheScreenProcessEndsItAtOnce(signal sig: Int32) async throws {
        let started = ContinuousClock.now
        let r = try await run(signal: sig, toScreen: true)
        let took = ContinuousClock.now - started
        #expect(r.alternate == "0", "terminal not restored")
        let flat = r.screen.replacingOccurrences(of: "\n", with: "")
        #expect(flat.contains("the caption screen was stopped by signal \(sig)"), "screen:\n\(r.screen)")
        #expect(!flat.contains("Press space to interact"), "the backtracer's prompt took the screen:\n\(r.screen)")
        #expect(flat.contains("captty export"), "the message names the journal: \(r.screen)")
        #expect(took < .seconds(60), "\(took)")
        #expect(r.journal.words.count >= 4)
    }

    /// SIGKILL to the screen process itself (what the OOM killer would do): the supervisor
    /// restores the terminal, says what happened and where the journal is, and exits 128+9.
    @Test(.timeLimit(.minutes(2))) func killingTheScreenProcessLeavesTheTerminalRestoredAndTheJournalNamed() async throws {
        let r = try await run(signal: SIGKILL, toScreen: true)
        #expect(r.alternate == "0", "terminal not restored")
        let flat = r.screen.replacingOccurrences(of: "\n", with: "")
        #expect(flat.contains("the caption screen was stopped by signal 9"), "screen:\n\(r.screen)")
        #expect(flat.contains("the terminal is restored"))
        #expect(flat.contains("captty export"), "the message names the journal: \(r.screen)")
        #expect(r.screen.contains("exit=137"), "screen:\n\(r.screen)")
        #expect(r.journal.words.count >= 4, "lines shown before the kill must be journaled")
        #expect(r.journal.issues.allSatisfy { _ in r.journal.tornLastLine })
        #expect(FaultAudio.transcriptProblems(words: r.journal.words, total: Int.max / 2).filter { !$0.hasPrefix("last word") } == [])
    }
}
