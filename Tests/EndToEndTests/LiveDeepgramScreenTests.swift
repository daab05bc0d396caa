import Foundation
import Testing
import TestSupport

/// The full-screen app in tmux against the Deepgram protocol TEST DOUBLE on loopback (Deepgram
/// cannot be reached here; the double counts every audio byte per connection and names each
/// word by its byte offset, e.g. `b16000`).
@Suite(.serialized) struct LiveDeepgramScreenTests {
    static func command(_ d: DeepgramDoubleProcess, file: String, extra: String = "") -> String {
        "\(shellQuoted(TestPaths.capttyBinary.path)) --engine deepgram --url \(d.baseURL) --file \(shellQuoted(file)) --no-journal \(extra)"
    }

    /// `i` hides and shows the interim guess; `l` switches language over a new connection, and
    /// the two connections' byte counts add up to the whole file.
    @Test(.timeLimit(.minutes(2))) func interimToggleAndLanguageSwitchWithNoLostAudio() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 6, in: dir)
        // No finals until CloseStream: all the text on screen is interim.
        try await withDeepgramDouble(["--final-seconds", "100"]) { double in
            let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run(Self.command(double, file: wav))
            try tmux.waitFor(text: "b16000", timeout: 30)
            try tmux.press("i")
            try tmux.waitFor("interim hidden") { !$0.contains("b0 b16000") }
            // Said, since with no guess on screen the key changes nothing visible.
            try tmux.waitFor(text: "interim guesses hidden (i shows them)")
            try tmux.press("i")
            try tmux.waitFor(text: "b0 b16000")
            #expect(try tmux.screen().contains("· en"))
            try tmux.press("l")
            try tmux.waitFor(text: "· es")
            // Said on the meter row too, as the display keys are.
            try tmux.waitFor(text: "language es, from what is said next")
            let done = try tmux.waitFor(text: "finished", timeout: 30)
            #expect(!done.contains("error"))
            try tmux.press("q")
            try tmux.waitForShell()
            let stats = try double.stats()
            #expect(stats.connections.count == 2)
            #expect(stats.connections.last?.query.contains("language=es") == true)
            #expect(stats.total_bytes == 6 * 32_000, "bytes per connection: \(stats.connections.map(\.bytes))")
            #expect(stats.connections.allSatisfy { $0.bytes > 0 && $0.close_stream == 1 })
        }
    }

    /// Once the file has ended, pause and option keys say the audio has ended instead of
    /// pausing nothing or opening a new connection for no audio (found by an audit), and the
    /// clock stops.
    @Test(.timeLimit(.minutes(2))) func keysAfterTheEndSayTheAudioHasEnded() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 2, in: dir)
        try await withDeepgramDouble { double in
            let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run(Self.command(double, file: wav))
            let done = try tmux.waitFor(text: "finished", timeout: 30)
            try tmux.press("Space")
            try tmux.waitFor(text: "The audio has ended")
            #expect(try !tmux.screen().contains("paused"))
            try tmux.press("Escape")
            try tmux.press("p")
            try tmux.waitFor(text: "The audio has ended")
            try tmux.press("Escape")
            try await Task.sleep(for: .milliseconds(2_500))
            let later = try tmux.screen()
            let clock = #/\d\d:\d\d:\d\d/#
            #expect(done.firstMatch(of: clock) != nil, "no clock on the status bar: \(done)")
            #expect(done.firstMatch(of: clock).map { String($0.output) } == later.firstMatch(of: clock).map { String($0.output) },
                    "the clock ran on after the end")
            try tmux.press("q")
            try tmux.waitForShell()
            #expect(try double.stats().connections.count == 1, "an option key after the end opened a connection")
        }
    }

    /// The interim guess is drawn dim and italic; a terminal with neither (vt100) drew it like
    /// final text (found by an audit): it is underlined there instead.
    @Test(.timeLimit(.minutes(2)), arguments: ["vt100", "xterm-256color"])
    func theInterimLineIsDistinctOnEveryTerminal(term: String) async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 6, in: dir)
        try await withDeepgramDouble(["--final-seconds", "100"]) { double in   // all text interim
            let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key", "TERM": term])
            defer { tmux.kill() }
            try tmux.run("TERM=\(term) " + Self.command(double, file: wav))
            try tmux.waitFor(text: "b16000", timeout: 30)
            let styled = try tmux.styledScreen()
            let line = styled.split(separator: "\n").first { $0.contains("b16000") }.map(String.init) ?? ""
            // tmux writes the attributes in effect as SGR parameters: 2 dim, 3 italic, 4 underline.
            let sgr = line.matches(of: #/\e\[([0-9;]*)m/#).flatMap { $0.output.1.split(separator: ";").map(String.init) }
            if term == "vt100" {
                #expect(sgr.contains("4"), "not underlined on vt100: \(line.debugDescription)")
            } else {
                #expect(sgr.contains("2") || sgr.contains("3"), "neither dim nor italic: \(line.debugDescription)")
            }
            try tmux.press("q")
            try tmux.waitForShell()
        }
    }

    /// Space pauses: the status says so and no audio reaches the engine until resumed; a file
    /// goes on from where it was.
    @Test(.timeLimit(.minutes(2))) func spacePausesAndTheStatusSaysSo() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 8, in: dir)
        try await withDeepgramDouble { double in
            let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run(Self.command(double, file: wav))
            try tmux.waitFor(text: "live", timeout: 30)
            try tmux.waitFor(text: "b16000", timeout: 30)
            try tmux.press("Space")
            try tmux.waitFor(text: "paused")
            try tmux.waitFor(text: "paused: the file waits (Space resumes)")
            let recording = double.recordDir.appendingPathComponent("conn-000.bin").path
            func size() -> Int { ((try? FileManager.default.attributesOfItem(atPath: recording))?[.size] as? Int) ?? -1 }
            try await Task.sleep(for: .milliseconds(500))
            let atPause = size()
            try await Task.sleep(for: .milliseconds(1500))
            #expect(size() == atPause, "audio reached the engine while paused")
            try tmux.press("Space")
            try tmux.waitFor("resumed") { $0.contains("live") && !$0.contains("‖ paused") }
            let finished = try tmux.waitFor(text: "finished", timeout: 30)
            // A file waits where it is while paused: all of it is captioned, nothing skipped
            // (its audio was dropped as live audio is; the pipe case is in SessionPauseAndQuitTests).
            #expect(!finished.contains("not captioned"), "\(finished)")
            #expect(size() == 8 * 32_000)
            try tmux.press("q")
            try tmux.waitForShell()
        }
    }

    /// Nothing listens where the engine should be: the status bar says why it reconnects; q
    /// quits at once (no caption can come from a server never reached: it waited 10 s), and
    /// after the screen is gone captty says which audio may have no captions.
    @Test(.timeLimit(.minutes(2))) func unreachableEngineSaysWhyAndQuitTwiceStopsWaiting() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 30, in: dir)
        let port = try refusingLoopbackPort()   // bound, never listening: connections are refused
        let tmux = try TmuxScreen(width: 120, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
        defer { tmux.kill() }
        try tmux.run("\(shellQuoted(TestPaths.capttyBinary.path)) --engine deepgram --url ws://127.0.0.1:\(port) "
                     + "--file \(shellQuoted(wav)) --no-journal")
        // The reason, whole: on the status bar, or on its own row above the meter when the bar
        // cannot hold it (at 100 columns it was cut before "Connection refused").
        let screen = try tmux.waitFor("attempt 2 and why", timeout: 30) {
            $0.contains("(attempt 2)") && $0.contains("cannot connect to Deepgram at 127.0.0.1:\(port): Connection refused")
        }
        // "reconnecting in N s", or "reconnecting…" in the moment its attempt is under way.
        #expect(screen.contains("↻ reconnecting"), "\(screen)")
        try tmux.resize(width: 90, height: 30)
        let narrow = try tmux.waitFor("the reason above the meter", timeout: 10) {
            $0.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces) == "cannot connect to Deepgram at 127.0.0.1:\(port): Connection refused" }
        }
        #expect(narrow.contains("↻ reconnecting"), "\(narrow)")
        let pressed = ContinuousClock.now
        try tmux.press("q")
        try tmux.waitForShell(timeout: 8)
        #expect((ContinuousClock.now - pressed).inSeconds < 4, "q waited for a server that was never reached")
        let after = try tmux.screen().split(separator: "\n").joined()   // the message wraps at 120 columns
        #expect(after.contains("captty: stopped before the deepgram engine finished (last problem: cannot connect"), "\(after)")
        #expect(after.contains("may have no captions"), "\(after)")
    }

    /// Scrolled back, then made tall enough to hold everything from there on: that is following
    /// again, and it stays so as captions come (it showed live captions, then jumped back to the
    /// old place 20 s later and stopped following; found in QA).
    @Test(.timeLimit(.minutes(2))) func growingTheTerminalAfterScrollingBackFollowsAgain() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 40, in: dir)
        try await withDeepgramDouble(["--word-seconds", "0.25", "--final-seconds", "1"]) { double in
            let tmux = try TmuxScreen(width: 80, height: 14, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run(Self.command(double, file: wav))
            try tmux.waitFor(text: "b448000", timeout: 30)            // 14 s: more lines than the area holds
            try tmux.press("Up")
            try tmux.press("Up")
            try tmux.waitFor(text: "lines below", timeout: 10)
            try tmux.resize(width: 80, height: 20)
            try tmux.waitFor("following at the new size", timeout: 10) { !$0.contains("to follow") }
            // Ten more seconds of captions: still following, the newest on screen.
            try tmux.waitFor(text: "b800000", timeout: 30)
            let later = try tmux.screen()
            #expect(!later.contains("to follow") && later.contains("b800000"), "\(later)")
            try tmux.press("q")
            try tmux.waitForShell()
        }
    }

    /// The "Saved" box says "any key closes": the key closes it and does nothing else (Space
    /// closed it and paused the captions; q would have quit).
    @Test(.timeLimit(.minutes(2))) func theKeyThatClosesTheSavedBoxDoesNothingElse() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 30, in: dir)
        try await withDeepgramDouble { double in
            let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run(Self.command(double, file: wav))
            try tmux.waitFor(text: "b16000", timeout: 30)
            try tmux.press("s")
            try tmux.waitFor(text: "srt")
            try tmux.press("s")
            let saved = try tmux.waitFor(text: "Wrote")
            #expect(saved.contains("any key closes"))
            try tmux.press("Space")
            let after = try tmux.waitFor("the box to close") { !$0.contains("Wrote") }
            try await Task.sleep(for: .milliseconds(500))
            let later = try tmux.screen()
            #expect(!later.contains("paused"), "the key that closed the box also paused:\n\(later)")
            #expect(after.contains("live") || after.contains("finished"), "\(after)")
            try tmux.press("q")
            try tmux.waitForShell()
        }
    }

    /// `s` while the words on screen are all still a guess (someone speaking on without a
    /// pause): the file written holds them, marked unconfirmed. It was empty (found in QA).
    @Test(.timeLimit(.minutes(2))) func savingMidSentenceWritesTheWordsOnScreen() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 30, in: dir)
        try await withDeepgramDouble(["--final-seconds", "100"]) { double in
            let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run(Self.command(double, file: wav))
            try tmux.waitFor(text: "b32000", timeout: 30)
            try tmux.press("s")
            try tmux.waitFor(text: "srt")
            try tmux.press("t")   // txt
            try tmux.waitFor(text: "Wrote")
            let sessions = dir.appendingPathComponent(".local/share/captty/sessions")
            let txt = try #require(try FileManager.default.contentsOfDirectory(atPath: sessions.path).first { $0.hasSuffix(".txt") },
                                   "no txt in \(sessions.path)")
            let text = try String(contentsOf: sessions.appendingPathComponent(txt), encoding: .utf8)
            #expect(text.contains("b0 b16000 b32000"), "\(text)")
            #expect(text.contains("unconfirmed"), "\(text)")
            try tmux.press("Escape")
            // The guess is still a guess on screen: it goes on growing as an interim.
            try tmux.waitFor(text: "b96000", timeout: 30)
            try tmux.press("q")
            try tmux.waitForShell()
        }
    }

    /// `captty` (the supervisor) killed outright while the server is slow to finish: the
    /// shell has the terminal back at once, so the screen process gives it up at once and
    /// finishes without drawing. It kept the alternate screen for the whole finish (the
    /// prompt landed in it, and typed commands were read as keys).
    @Test(.timeLimit(.minutes(2))) func theScreenLetsGoAtOnceWhenItsSupervisorIsKilled() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 30, in: dir)
        try await withDeepgramDouble(["--late-final-delay", "6"]) { double in
            let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run(Self.command(double, file: wav))
            try tmux.waitFor(text: "b16000", timeout: 30)
            let shell = try tmux.format("#{pane_pid}")
            let supervisor = try TmuxScreen.spawn("/usr/bin/pgrep", ["-P", shell], timeout: 10).stdout.split(separator: "\n").compactMap { Int32($0) }
            try #require(supervisor.count == 1)
            kill(supervisor[0], SIGKILL)
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try tmux.format("#{alternate_on}") == "0", "the screen process still holds the terminal")
            try tmux.run("echo typed-$((6*7))")
            let screen = try tmux.waitFor(text: "typed-42", timeout: 10)
            #expect(!screen.contains("Finishing"), "\(screen)")
            // Typed once, shown once: restoring captty's saved terminal modes under the shell's
            // line editor made the terminal echo each typed line a second time.
            let typed = screen.components(separatedBy: "echo typed-$((6*7))").count - 1
            #expect(typed == 1, "the typed line shows \(typed) times:\n\(screen)")
        }
    }

    /// A server that answered but is slow with its last final: q says how long it waits for the
    /// last captions, and q again stops the wait.
    @Test(.timeLimit(.minutes(2))) func quitTwiceStopsWaitingForASlowServer() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 30, in: dir)
        try await withDeepgramDouble(["--late-final-delay", "30"]) { double in
            let tmux = try TmuxScreen(width: 120, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run(Self.command(double, file: wav))
            try tmux.waitFor(text: "b16000", timeout: 30)
            try tmux.press("q")
            let finishing = try tmux.waitFor(text: "Finishing", timeout: 10)
            #expect(finishing.contains("Waiting up to 10 s for the last captions"))
            #expect(finishing.contains("Press q again to stop waiting."))
            #expect(!finishing.contains("any key closes"), "keys do not close it while finishing")
            let pressed = ContinuousClock.now
            try tmux.press("q")
            try tmux.waitForShell(timeout: 8)
            #expect((ContinuousClock.now - pressed).inSeconds < 5, "the second q did not stop the wait")
        }
    }

    /// Ctrl-C, then Ctrl-C again 0.4 s later, stops the wait as q twice does. The second was
    /// ignored (a second signal within a second counted as a copy of the first, since the
    /// supervisor forwarded the copy the terminal had already sent the screen), and the user
    /// waited the whole finish. One Ctrl-C still waits.
    @Test(.timeLimit(.minutes(2))) func ctrlCTwiceQuicklyStopsWaiting() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 30, in: dir)
        // A server that answered and then holds its last final: a quit has something to wait for.
        try await withDeepgramDouble(["--late-final-delay", "30"]) { double in
            let tmux = try TmuxScreen(width: 120, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run(Self.command(double, file: wav))
            try tmux.waitFor(text: "b16000", timeout: 30)
            try tmux.press("C-c")
            try tmux.waitFor(text: "Finishing", timeout: 10)
            try await Task.sleep(for: .milliseconds(400))
            #expect(try tmux.screen().contains("Waiting up to 10 s"), "one Ctrl-C did not wait for the last captions")
            let pressed = ContinuousClock.now
            try tmux.press("C-c")
            try tmux.waitForShell(timeout: 9)
            let took = (ContinuousClock.now - pressed).inSeconds
            #expect(took < 4, "the second Ctrl-C did not stop the wait: \(took) s")
        }
    }

    /// A server's Error message (not fatal) shows for a while — on the meter row in place of
    /// the device name, or, too long for it, whole on rows just above the meter; the captions go
    /// on. (It reached only plain mode and the log; then it was cut to the meter row.)
    @Test(.timeLimit(.minutes(2))) func aServerErrorMessageShowsOnTheMeterRow() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 8, in: dir)
        let error = #"{"type":"Error","variant":"warning","description":"audio arriving faster than real time, slow down","message":"RATE"}"#
        try await withDeepgramDouble(["--greet", error]) { double in
            let tmux = try TmuxScreen(width: 120, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run(Self.command(double, file: wav))
            let screen = try tmux.waitFor(text: "⚠ Deepgram reported an error: warning: audio arriving", timeout: 30)
            let rows = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let first = rows.firstIndex { $0.contains("⚠ Deepgram reported an error") } ?? 0
            let meter = rows.firstIndex { $0.contains(" dB") } ?? 0
            let shown = rows[first..<max(first, meter)].map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            #expect(meter == first + 1 || meter == first + 2, "not just above the meter row:\n\(screen)")
            #expect(shown.contains("audio arriving faster than real time, slow down: RATE") && !shown.contains("…"), "not whole:\n\(screen)")
            #expect(!rows[meter].contains("⚠"), "shown twice:\n\(screen)")
            try tmux.waitFor(text: "b16000", timeout: 30)   // captions go on
            try tmux.press("q")
            try tmux.waitForShell()
        }
    }
}
