import Foundation
import Testing
import TestSupport

/// Where the full-screen app reads keys from when standard input is not the terminal, in a real
/// terminal (tmux) against the Deepgram TEST DOUBLE: the keyboard is the controlling terminal.
@Suite(.serialized) struct KeyboardInputTests {
    static func command(_ d: DeepgramDoubleProcess, input: String, extra: String) -> String {
        "\(shellQuoted(TestPaths.capttyBinary.path)) --engine deepgram --url \(d.baseURL) \(input) \(extra)"
    }

    /// CPU seconds (user + system) a process has used, from /proc.
    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.range(of: ")")!.upperBound...].split(separator: " ")
        return (Double(fields[11])! + Double(fields[12])!) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The processes under the pane's shell: `captty` and the screen process it supervises.
    static func capttyProcesses(_ tmux: TmuxScreen) throws -> [Int32] {
        var out: [Int32] = []
        var parents = [try tmux.format("#{pane_pid}")]
        while let p = parents.popLast() {
            let kids = try TmuxScreen.spawn("/usr/bin/pgrep", ["-P", p], timeout: 10).stdout.split(separator: "\n").compactMap { Int32($0) }
            out += kids
            parents += kids.map(String.init)
        }
        return out
    }

    /// Ctrl-Z and `fg`: the shell gets its line mode back while captty is stopped, and the
    /// screen comes back whole, in the program's modes, with keys working. ncurses' own
    /// SIGTSTP handler did this from whichever thread took the signal, under another thread's
    /// frame: once (in about 20 tries) captty came back in line mode, `q` echoed over the status
    /// bar and did nothing until Enter. The UI thread now does it between frames.
    @Test(.timeLimit(.minutes(2))) func ctrlZThenFgGivesTheShellItsModesAndTheScreenBack() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 60, in: dir)
        try await withDeepgramDouble(["--word-seconds", "0.1", "--final-seconds", "0.5"]) { double in
            let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            let modes = "stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ,; echo"
            // (Alone on its line: after a stop and `fg`, bash does not run the rest of a list.)
            try tmux.run("clear; \(Self.command(double, input: "--file \(shellQuoted(wav))", extra: "--no-journal"))")
            try tmux.waitFor("captions", timeout: 30) { $0.contains("● live") && $0.contains("b0 ") }
            for round in 1 ... 2 {
                try tmux.press("C-z")
                try tmux.waitForShell()
                #expect(try tmux.format("#{alternate_on}") == "0", "round \(round): the main screen is back for the shell")
                try tmux.run("clear; jobs; \(modes)")
                let shell = try tmux.waitFor("the shell's modes", timeout: 15) { $0.contains("icanon,") && $0.contains("Stopped") }
                #expect(shell.contains("icanon,echo,"), "round \(round): the shell has line mode and echo:\n\(shell)")
                try tmux.run("fg")
                try tmux.waitFor("the screen back", timeout: 15) { $0.contains("● live") && $0.contains(" dB") && !$0.contains("icanon") }
                #expect(try tmux.format("#{alternate_on}") == "1", "round \(round)")
            }
            // Keys work at once: q quits (in line mode it waited for Enter).
            try tmux.press("q")
            try tmux.waitForShell()
            try tmux.run("r=$?; clear; echo \"exit=$r\"; \(modes)")
            let after = try tmux.waitFor("the modes after quitting", timeout: 15) { $0.contains("icanon,") }
            #expect(after.contains("exit=0"), "\(after)")
            #expect(after.contains("icanon,echo,"), "\(after)")
        }
    }

    /// `arecord … | captty --file -` in a terminal: keys were read from standard input, the
    /// audio, so ncurses ate audio bytes and took them for keys (a "q" byte quit at once, no
    /// captions). Keys now come from the terminal and every audio byte reaches the engine.
    @Test(.timeLimit(.minutes(2))) func audioPipedIntoStandardInputIsNotReadAsKeys() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        // 8 s of s16le samples made of "q" bytes: each one would be the quit key.
        let raw = dir.appendingPathComponent("q.raw")
        try Data(repeating: UInt8(ascii: "q"), count: 8 * 32_000).write(to: raw)
        let journal = dir.appendingPathComponent("piped.jsonl").path
        try await withDeepgramDouble { double in
            let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run("cat \(shellQuoted(raw.path)) | " + Self.command(double, input: "--file - --raw-format s16le:16000:1",
                                                                         extra: "--journal \(shellQuoted(journal))"))
            try tmux.waitFor(text: "finished", timeout: 60)
            #expect(try tmux.format("#{alternate_on}") == "1", "still on screen until the user quits")
            try tmux.press("?")
            try tmux.waitFor(text: "Keys", timeout: 15)
            try tmux.press("q")
            try tmux.press("q")
            try tmux.waitFor(text: "Transcript saved to", timeout: 30)
            let stats = try double.stats()
            #expect(stats.total_bytes == 8 * 32_000, "bytes per connection: \(stats.connections.map(\.bytes))")
            let text = try String(contentsOfFile: journal, encoding: .utf8)
            #expect(text.contains("\"b240000\""), "the last word of the audio is journaled")
        }
    }

    /// Ctrl-S stopped the terminal's output (flow control) and froze the captions with no
    /// sign until Ctrl-Q; Ctrl-\ sent SIGQUIT, and the crash reporter printed over the captions
    /// and held the app for 30 s. Both are now plain keys: the captions keep coming, the app
    /// lives on, and the terminal's own modes come back at the end.
    @Test(.timeLimit(.minutes(2))) func ctrlSAndCtrlBackslashNeitherFreezeNorKill() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 60, in: dir)
        try await withDeepgramDouble { double in
            let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            let tty = try tmux.format("#{pane_tty}")
            let before = try runProcess("/bin/stty", ["-F", tty, "-a"]).stdout
            try tmux.run(Self.command(double, input: "--file \(shellQuoted(wav))", extra: "--no-journal"))
            try tmux.waitFor(text: "b16000", timeout: 30)
            let during = try runProcess("/bin/stty", ["-F", tty, "-a"]).stdout
            #expect(during.contains("-ixon") && during.contains("quit = <undef>"), "\(during)")
            try tmux.press("C-s")
            try tmux.press("C-\\")
            try tmux.waitFor(text: "b96000", timeout: 30)   // still captioning, 5 s later
            let screen = try tmux.screen()
            #expect(!screen.contains("crashed") && !screen.contains("Backtrace"), "\(screen)")
            try tmux.press("q")
            try tmux.waitForShell(timeout: 30)
            let after = try runProcess("/bin/stty", ["-F", tty, "-a"]).stdout
            #expect(after.contains("quit = ^\\") == before.contains("quit = ^\\") && after.contains("-ixon") == before.contains("-ixon"),
                    "the terminal's modes are back: \(after)")
        }
    }

    /// Standard input at end of file (`< /dev/null`): every key read failed at once, so the
    /// loop spun a whole CPU. Keys now come from the terminal, and a dead input waits out its
    /// timeout.
    @Test(.timeLimit(.minutes(2))) func standardInputAtEndOfFileNeitherSpinsNorLosesTheKeyboard() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 60, in: dir)
        try await withDeepgramDouble { double in
            let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run(Self.command(double, input: "--file \(shellQuoted(wav))", extra: "--no-journal < /dev/null"))
            try tmux.waitFor(text: "b16000", timeout: 30)
            let pids = try Self.capttyProcesses(tmux)
            #expect(!pids.isEmpty)
            let before = try pids.map(Self.cpuSeconds).reduce(0, +)
            try await Task.sleep(for: .seconds(3))
            let used = try pids.map(Self.cpuSeconds).reduce(0, +) - before
            #expect(used < 1.0, "captty used \(used) s of CPU in 3 s")
            try tmux.press("q")
            try tmux.waitForShell(timeout: 30)
        }
    }

    /// Started by `timeout` (without `--foreground`) from a script, captty is not in the
    /// terminal's foreground: every key read fails. It said nothing (keys silently did nothing),
    /// and when the terminal closed no SIGHUP reached it, so both processes ran on, reading an
    /// EIO every 100 ms, with the journal open. Now the screen says keys cannot be read and how
    /// to stop it, and a terminal that goes away finishes the session like a hang-up.
    @Test(.timeLimit(.minutes(2))) func keysThatCannotBeReadAreSaidAndAClosedTerminalEndsTheSession() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 60, in: dir)
        let journal = dir.appendingPathComponent("bg.jsonl").path
        try await withDeepgramDouble { double in
            let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            let command = "timeout 90 " + Self.command(double, input: "--file \(shellQuoted(wav))", extra: "--journal \(shellQuoted(journal))")
            try tmux.run("exec sh -c \(shellQuoted(command + "; sleep 60"))")
            try tmux.waitFor(text: "b16000", timeout: 30)
            let screen = try tmux.waitFor(text: "keys cannot be read", timeout: 15)
            #expect(screen.contains("foreground"), "screen:\n\(screen)")
            let pids = try Self.capttyProcesses(tmux).filter { pid in
                ((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "").hasPrefix(TestPaths.capttyBinary.path)
            }
            #expect(pids.count == 2, "captty and its screen process: \(pids)")
            tmux.kill()   // the terminal goes away
            let deadline = ContinuousClock.now + .seconds(30)
            while pids.contains(where: { kill($0, 0) == 0 }) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(pids.allSatisfy { kill($0, 0) != 0 }, "captty still runs after its terminal closed")
            let text = try String(contentsOfFile: journal, encoding: .utf8)
            #expect(text.contains("\"type\":\"Metadata\"") || text.contains("Metadata"), "the journal was completed: \(text.suffix(300))")
        }
    }
}
