import Foundation
import Testing
import TestSupport

/// Plain mode and error paths of `captty` (no terminal): final lines on stdout, status on
/// stderr, clear errors with a non-zero status.
@Suite struct PlainModeTests {
    @Test(.timeLimit(.minutes(2))) func plainPrintsFinalLinesToStdout() throws {
        let r = try runCaptty(["--plain", "--engine", "local", "--file", TestAudio.preamble, "--no-journal", "--timestamps"],
                              timeout: 100)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count >= 3)
        #expect(lines.first?.hasPrefix("[00:00:0") == true)
        #expect(lines.first?.contains("people") == true)
        #expect(lines.last?.contains("America") == true)
        #expect(!r.stdout.contains("\u{1B}"))
        #expect(r.stderr.contains("captty: live"))
        #expect(r.stderr.contains("captty: finished"))
    }

    /// Output that is not a terminal switches to plain mode by itself.
    @Test(.timeLimit(.minutes(2))) func pipedOutputIsPlainAndTheJournalIsNamed() throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("p.jsonl").path
        let r = try runCaptty(["--engine", "local", "--file", TestAudio.preamble, "--journal", journal], timeout: 100)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("We, the people"))
        #expect(r.stderr.contains("Transcript saved to \(journal); export it with: captty export \(journal) --format srt"))
        #expect(FileManager.default.fileExists(atPath: journal))
    }

    /// A session with no captions (here the server refuses the key) gets no export command for
    /// an empty transcript.
    @Test(.timeLimit(.minutes(2))) func aSessionWithoutCaptionsOffersNoExport() async throws {
        let dir = try scratchDirectory("e2e-empty")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("e.jsonl").path
        try await withDeepgramDouble(["--refuse", "401"]) { double in
            let r = try runCaptty(["--plain", "--engine", "deepgram", "--url", double.baseURL, "--file", TestAudio.preamble,
                                   "--journal", journal], environment: ["DEEPGRAM_API_KEY": "test-key"], timeout: 60)
            #expect(r.status != 0)
            #expect(r.stderr.contains("401"), "\(r.stderr)")
            #expect(r.stderr.contains("Transcript saved to \(journal) (no captions this session, so nothing to export)"), "\(r.stderr)")
            #expect(!r.stderr.contains("export it with"), "\(r.stderr)")
        }
    }

    /// A failed start leaves no header-only journal in the sessions folder (one was kept after
    /// every refused key); the one it named is said to be removed.
    @Test(.timeLimit(.minutes(2))) func aSessionWithoutCaptionsLeavesNoJournalOfItsOwn() async throws {
        let dir = try scratchDirectory("e2e-empty")
        defer { try? FileManager.default.removeItem(at: dir) }
        try await withDeepgramDouble(["--refuse", "401"]) { double in
            let r = try runCaptty(["--plain", "--engine", "deepgram", "--url", double.baseURL, "--file", TestAudio.preamble],
                                  environment: ["DEEPGRAM_API_KEY": "test-key", "HOME": dir.path, "XDG_DATA_HOME": dir.path], timeout: 60)
            #expect(r.status != 0)
            let saving = try #require(r.stderr.split(separator: "\n").first { $0.hasPrefix("captty: saving to ") }, "\(r.stderr)")
            let path = String(saving.dropFirst("captty: saving to ".count))
            #expect(path.hasPrefix(dir.path) && path.hasSuffix(".jsonl"), "\(path)")
            #expect(!FileManager.default.fileExists(atPath: path), "the empty journal was kept")
            #expect(r.stderr.contains("captty: no captions this session, so its journal \(path) was removed"), "\(r.stderr)")
            #expect(!r.stderr.contains("Transcript saved"), "\(r.stderr)")
            // Nor is a file quit before it began said to have stopped part way.
            #expect(!r.stderr.contains("stopped at"), "\(r.stderr)")
        }
    }

    /// A server that falls behind (no finals after the first 2 s until CloseStream): plain mode
    /// says the captions are behind, and by how much, instead of "live" alone while they came
    /// half a minute late (found in QA on a slow link). In real time only; at full speed a file
    /// is ahead of its captions by design, and nothing is said.
    @Test(.timeLimit(.minutes(2))) func captionsFallingBehindAreSaid() async throws {
        try await withDeepgramDouble(["--backlog-after-bytes", "64000"]) { double in
            let r = try runCaptty(["--plain", "--engine", "deepgram", "--url", double.baseURL, "--file", TestAudio.preamble,
                                   "--no-journal"], environment: ["DEEPGRAM_API_KEY": "test-key"], timeout: 90)
            #expect(r.status == 0, "\(r.stderr)")
            let notes = r.stderr.split(separator: "\n").filter { $0.contains("behind the audio") }
            #expect(notes.first?.hasPrefix("captty: captions are 5 s behind the audio") == true, "\(r.stderr)")
            // Said again as it doubles, not every second.
            #expect((2...3).contains(notes.count), "\(r.stderr)")
            #expect(r.stdout.contains("b608000"), "\(r.stdout)")
        }
        try await withDeepgramDouble(["--backlog-after-bytes", "64000"]) { double in
            let r = try runCaptty(["--plain", "--engine", "deepgram", "--url", double.baseURL, "--file", TestAudio.preamble,
                                   "--no-journal", "--speed", "4"], environment: ["DEEPGRAM_API_KEY": "test-key"], timeout: 60)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(!r.stderr.contains("behind the audio"), "\(r.stderr)")
        }
    }

    /// A server that keeps up: no such note.
    @Test(.timeLimit(.minutes(2))) func captionsKeepingUpAreNotSaidToBeBehind() async throws {
        try await withDeepgramDouble([]) { double in
            let r = try runCaptty(["--plain", "--engine", "deepgram", "--url", double.baseURL, "--file", TestAudio.preamble,
                                   "--no-journal"], environment: ["DEEPGRAM_API_KEY": "test-key"], timeout: 90)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(!r.stderr.contains("behind the audio"), "\(r.stderr)")
            #expect(r.stdout.contains("b608000"), "\(r.stdout)")
        }
    }

    /// Words the engine never made final (the server closed without confirming them) are
    /// printed marked, as the text export marks them; the line read as confirmed speech.
    @Test(.timeLimit(.minutes(2))) func unconfirmedWordsArePrintedMarked() async throws {
        try await withDeepgramDouble(["--no-finals", "--no-final-at-close"]) { double in
            let r = try runCaptty(["--plain", "--engine", "deepgram", "--url", double.baseURL, "--file", TestAudio.preamble,
                                   "--no-journal", "--speed", "0"], environment: ["DEEPGRAM_API_KEY": "test-key"], timeout: 60)
            #expect(r.status == 0, "\(r.stderr)")
            let last = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
            #expect(last.hasPrefix("b0 ") && last.hasSuffix(" [unconfirmed: the engine's last guess]"), "\(r.stdout)")
        }
    }

    @Test func missingFileIsAClearError() throws {
        let r = try runCaptty(["--plain", "--engine", "local", "--file", "/nonexistent/a.wav", "--no-journal"], timeout: 30)
        #expect(r.status != 0)
        #expect(r.stderr.contains("/nonexistent/a.wav"))
    }

    /// A --journal path in a folder that does not exist is refused, as `export -o` refuses one
    /// (the whole path was created: a typo made a new tree, as root even under /).
    @Test func aJournalInAMissingFolderIsRefused() throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("no-such-folder/deeper/j.jsonl").path
        let r = try runCaptty(["--plain", "--engine", "local", "--file", TestAudio.preamble, "--journal", journal], timeout: 60)
        #expect(r.status == 73, "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains("the folder \(dir.path)/no-such-folder/deeper for --journal does not exist"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("no-such-folder").path))
        // A folder given as the journal is named as one.
        let folder = try runCaptty(["--plain", "--engine", "local", "--file", TestAudio.preamble, "--journal", dir.path], timeout: 60)
        #expect(folder.status == 73 && folder.stderr.contains("\(dir.path) is a directory: --journal takes a file path"), "\(folder.stderr)")
    }

    @Test func unknownDeviceWithoutPulseIsAClearError() throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let env: [String: String?] = ["PULSE_SERVER": "unix:\(dir.path)/no-such-socket", "XDG_RUNTIME_DIR": dir.path]
        let r = try runCaptty(["--plain", "--engine", "local", "--device", "USB mic", "--no-journal"], environment: env, timeout: 30)
        #expect(r.stderr.contains("PulseAudio"))
        // No sound server is exit 69 (service unavailable) however the input was named (1
        // for --device and --system-audio, 69 for the default microphone).
        #expect(r.status == 69, "\(r.status)")
        let system = try runCaptty(["--plain", "--engine", "local", "--system-audio", "--no-journal"], environment: env, timeout: 30)
        #expect(system.status == 69 && system.stderr.contains("PulseAudio"), "\(system.status) \(system.stderr)")
    }

    @Test func badKeyBindingNamesTheConfigLine() throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cfg = dir.appendingPathComponent("config.toml")
        try "engine = \"local\"\n\n[keys]\nquit = \"ctrl-1\"\n".write(to: cfg, atomically: true, encoding: .utf8)
        let r = try runCaptty(["--plain", "--config", cfg.path, "--file", TestAudio.preamble, "--no-journal"], timeout: 30)
        #expect(r.status == 78)
        #expect(r.stderr.contains("\(cfg.path):4"))
        #expect(r.stderr.contains("quit"))
    }

    @Test func deepgramWithoutKeyIsAClearError() throws {
        let r = try runCaptty(["--plain", "--engine", "deepgram", "--file", TestAudio.preamble, "--no-journal"],
                              environment: ["DEEPGRAM_API_KEY": nil], timeout: 30)
        #expect(r.status != 0)
        #expect(r.stderr.contains("DEEPGRAM_API_KEY"))
    }

    /// Quiet input gets the full screen's "no audio" warning on stderr in plain mode too (it
    /// said nothing; screen-reader users rely on plain mode), once, and its end is said.
    @Test(.timeLimit(.minutes(2))) func silenceIsSaidInPlainMode() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tone = try TestAudio.tone(seconds: 2, in: dir)
        let silence = dir.appendingPathComponent("silence.wav").path, both = dir.appendingPathComponent("both.wav").path
        for step in [["-n", "-r", "16000", "-c", "1", "-b", "16", silence, "trim", "0", "8"], [silence, tone, both]] {
            let sox = try runProcess("/usr/bin/sox", step, timeout: 30)
            try #require(sox.status == 0, "sox: \(sox.stderr)")
        }
        try await withDeepgramDouble([]) { double in
            let r = try runCaptty(["--plain", "--engine", "deepgram", "--url", double.baseURL, "--file", both, "--speed", "4", "--no-journal"],
                                  environment: ["DEEPGRAM_API_KEY": "test-key"], timeout: 60)
            #expect(r.status == 0, "\(r.stderr)")
            let lines = r.stderr.split(separator: "\n").map(String.init)
            // A file is not switched on: it is silent there (the advice was for a microphone).
            #expect(lines.filter { $0 == "captty: no audio from both.wav — it is silent here" }.count == 1, "\(r.stderr)")
            #expect(lines.contains("captty: audio again from both.wav"), "\(r.stderr)")
            #expect(!r.stderr.contains("stopped at"), "the whole file was captioned: \(r.stderr)")
        }
    }

    /// A pipe that stops delivering is not silence: "it is silent here" was said of one whose
    /// audio had simply stopped arriving (found in QA).
    @Test(.timeLimit(.minutes(2))) func aStalledPipeIsNotCalledSilent() async throws {
        let dir = try scratchDirectory("e2e-stall")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tone = try TestAudio.tone(seconds: 2, in: dir)
        try await withDeepgramDouble([]) { double in
            // The header and 1 s of tone, 7 s of nothing, then the rest.
            let script = "(head -c 32044 \(shellQuoted(tone)); sleep 7; tail -c +32045 \(shellQuoted(tone))) | "
                + "\(shellQuoted(TestPaths.capttyBinary.path)) --plain --engine deepgram --url \(double.baseURL) --file - --no-journal"
            let r = try runProcess("/bin/sh", ["-c", script], environment: ["DEEPGRAM_API_KEY": "test-key"], timeout: 60)
            #expect(r.status == 0, "\(r.stderr)")
            let lines = r.stderr.split(separator: "\n").map(String.init)
            #expect(lines.contains("captty: no audio from standard input — nothing is arriving"), "\(r.stderr)")
            #expect(!r.stderr.contains("silent here"), "\(r.stderr)")
            #expect(lines.contains("captty: audio again from standard input"), "\(r.stderr)")
        }
    }

    /// A server given up on while the input pipe is stalled ends plain mode at once: it kept
    /// running until the pipe sent more, saying "no audio from standard input — nothing is
    /// arriving" and then "audio again", for audio that went nowhere (found in QA).
    @Test(.timeLimit(.minutes(2))) func givingUpOnTheServerEndsAStalledPipeAtOnce() async throws {
        let dir = try scratchDirectory("e2e-stall-gaveup")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tone = try TestAudio.tone(seconds: 2, in: dir)
        let port = try refusingLoopbackPort()
        let script = """
            cd \(shellQuoted(dir.path)) && mkfifo in.fifo
            (head -c 32044 \(shellQuoted(tone)); exec sleep 40) > in.fifo &
            w=$!
            start=$(date +%s%N)
            \(shellQuoted(TestPaths.capttyBinary.path)) --plain --engine deepgram --url ws://127.0.0.1:\(port) --file - --no-journal < in.fifo
            rc=$?
            echo "rc=$rc ms=$(( ($(date +%s%N) - start) / 1000000 ))" >&2
            kill $w
            """
        let r = try runProcess("/bin/sh", ["-c", script], environment: ["DEEPGRAM_API_KEY": "test-key"], timeout: 90)
        let end = try #require(r.stderr.firstMatch(of: /rc=(\d+) ms=(\d+)/), "\(r.stderr)")
        #expect(end.1 == "1", "\(r.stderr)")
        #expect(r.stderr.contains("gave up after"), "\(r.stderr)")
        // The give-up takes its 4 tries (a few seconds), not the 40 s the pipe stays silent.
        #expect((Int(end.2) ?? .max) < 25_000, "\(r.stderr)")
        // Nothing is said of the input after the error: its audio goes nowhere. (Before it, the
        // stall may rightly be said: the 4 tries can outlast the 5 s of silence.)
        let lines = r.stderr.split(separator: "\n")
        let error = try #require(lines.firstIndex { $0.hasPrefix("captty: error: ") }, "\(r.stderr)")
        #expect(!lines[error...].contains { $0.contains("no audio from") || $0.contains("audio again") }, "\(r.stderr)")
    }

    /// Plain mode whose standard output cannot be written (a full disk): said at the end, with
    /// where the captions are kept, and a failing status (it exited 0 with every caption lost).
    @Test(.timeLimit(.minutes(2))) func aFullStandardOutputIsReported() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 3, in: dir)
        let journal = dir.appendingPathComponent("j.jsonl").path
        try await withDeepgramDouble([]) { double in
            let cmd = "DEEPGRAM_API_KEY=test-key \(shellQuoted(TestPaths.capttyBinary.path)) --plain --engine deepgram --url "
                + "\(double.baseURL) --file \(shellQuoted(wav)) --speed 0 --journal \(shellQuoted(journal)) > /dev/full"
            let r = try runProcess("/bin/sh", ["-c", cmd], timeout: 60)
            #expect(r.status == 74, "\(r.stderr)")
            #expect(r.stderr.contains("captions could not be written to standard output: No space left on device; the journal \(journal) has them"),
                    "\(r.stderr)")
        }
    }

    /// A server's Error message is shown cut to 300 characters (a 100 KB description was one
    /// 100 KB stderr line), and one with no text says so instead of ending in a colon.
    @Test(.timeLimit(.minutes(2))) func serverErrorMessagesAreCutAndNeverBlank() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 3, in: dir)
        let long = #"{"type":"Error","variant":"warning","description":""# + String(repeating: "x", count: 20_000) + #""}"#
        try await withDeepgramDouble(["--greet", long, "--greet", #"{"type":"Error"}"#]) { double in
            let r = try runCaptty(["--plain", "--engine", "deepgram", "--url", double.baseURL, "--file", wav, "--no-journal"],
                                  environment: ["DEEPGRAM_API_KEY": "test-key"], timeout: 60)
            #expect(r.status == 0, "\(r.stderr.prefix(2000))")
            let errors = r.stderr.split(separator: "\n").filter { $0.contains("Deepgram reported an error") }
            #expect(errors.count == 2, "\(errors.map { $0.prefix(200) })")
            #expect(errors.allSatisfy { $0.count < 400 }, "\(errors.map(\.count))")
            #expect(errors.contains { $0.contains("warning: xxxx") && $0.contains("x… [request") }, "\(errors.map { $0.prefix(200) })")
            #expect(errors.contains { $0.contains("Deepgram reported an error: (no description) [request") }, "\(errors.map { $0.prefix(200) })")
        }
    }
}

/// A journal that cannot be created when the session starts: a path the user named is refused
/// before anything is captioned; the default folder gives way to a private temporary one. The
/// transcript was kept in memory only, so a crash lost the whole session.
struct UnwritableJournalTests {
    @Test(.timeLimit(.minutes(2))) func theDefaultFolderGivesWayToATemporaryOne() throws {
        let dir = try scratchDirectory("e2e-journal-fallback")
        defer { try? FileManager.default.removeItem(at: dir) }
        // XDG_DATA_HOME names a file: the sessions folder cannot be made under it.
        let notADir = dir.appendingPathComponent("data")
        try Data("x".utf8).write(to: notADir)
        let tmp = dir.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let r = try runCaptty(["--plain", "--engine", "local", "--file", TestAudio.preamble],
                              environment: ["XDG_DATA_HOME": notADir.path, "TMPDIR": tmp.path], timeout: 100)
        #expect(r.status == 0, "\(r.stderr)")
        let sessions = tmp.appendingPathComponent("captty-\(getuid())/sessions")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: sessions.path)) ?? []
        #expect(files.count == 1 && files.first?.hasSuffix(".jsonl") == true, "\(files) \(r.stderr)")
        let journal = sessions.appendingPathComponent(files.first ?? "-").path
        #expect(r.stderr.contains("the transcript is saved to \(journal) instead"), "\(r.stderr)")
        #expect(r.stderr.contains("cannot create the directory \(notADir.path)/captty"), "\(r.stderr)")
        #expect(r.stderr.contains("Transcript saved to \(journal); export it with"), "\(r.stderr)")
        let text = (try? String(contentsOfFile: journal, encoding: .utf8)) ?? ""
        #expect(text.contains("\"type\":\"final\"") && text.contains("people"), "\(text.prefix(300))")
        var st = stat()
        #expect(stat(tmp.appendingPathComponent("captty-\(getuid())").path, &st) == 0 && st.st_mode & 0o777 == 0o700)
    }

    @Test(.enabled(if: TmpfsMount.isAvailable, "needs root to mount a small tmpfs; skipped"), .timeLimit(.minutes(2)))
    func aNamedJournalOnAFullDiskIsRefusedBeforeCaptioning() throws {
        let mount = try TmpfsMount(sizeKiB: 64)
        defer { mount.unmount() }
        // Fill it: the journal's file can be created, its header cannot be written.
        let filler = mount.url.appendingPathComponent("filler")
        _ = FileManager.default.createFile(atPath: filler.path, contents: nil)
        if let h = FileHandle(forWritingAtPath: filler.path) {
            for _ in 0 ..< 64 { try? h.write(contentsOf: Data(count: 4096)) }
            try? h.close()
        }
        let journal = mount.url.appendingPathComponent("talk.jsonl").path
        let r = try runCaptty(["--plain", "--engine", "local", "--file", TestAudio.preamble, "--journal", journal], timeout: 60)
        #expect(r.status == 73, "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains("No space left on device") && r.stderr.contains("free some disk space"), "\(r.stderr)")
        #expect(r.stderr.contains("Nothing was captioned yet: choose another --journal path, or caption without saving with --no-journal"), "\(r.stderr)")
        #expect(r.stdout.isEmpty, "nothing captioned: \(r.stdout)")
        #expect(!FileManager.default.fileExists(atPath: journal), "no empty journal left behind")
    }
}

/// Plain mode stops when nothing reads its captions any more (`captty --plain | head -1`): a
/// microphone was captioned for ever, for no one, and the broken pipe was said only at the end.
struct ClosedStandardOutputTests {
    @Test(.timeLimit(.minutes(2)), arguments: ["head -1 > /dev/null", "exit 0"])
    func plainModeStopsWhenTheReaderHasGone(reader: String) async throws {
        let dir = try scratchDirectory("e2e-closed-stdout")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Two minutes at real-time pace: only stopping early ends it within the test's bound.
        let wav = try TestAudio.tone(seconds: 120, in: dir)
        let journal = dir.appendingPathComponent("j.jsonl").path
        try await withDeepgramDouble { double in
            let started = ContinuousClock.now
            let r = try runProcess("/bin/sh", ["-c", """
                "$CAPTTY" --plain --engine deepgram --url \(double.baseURL) --file \(wav) --journal \(journal) 2>\(dir.path)/err | (\(reader)); \
                echo "rc=$(cat \(dir.path)/rc 2>/dev/null)" >&2
                """.replacingOccurrences(of: "\"$CAPTTY\"", with: "( \"$CAPTTY\"").replacingOccurrences(of: "--journal \(journal)", with: "--journal \(journal); echo $? > \(dir.path)/rc )")],
                environment: ["CAPTTY": TestPaths.capttyBinary.path, "DEEPGRAM_API_KEY": "test-key"], timeout: 100)
            let took = started.duration(to: .now).components.seconds
            let err = (try? String(contentsOfFile: dir.path + "/err", encoding: .utf8)) ?? ""
            #expect(r.stderr.contains("rc=74"), "\(r.stderr) \(err)")
            #expect(err.contains("captions could not be written to standard output: Broken pipe; the journal \(journal) has them"), "\(err)")
            #expect(took < 40, "took \(took) s of a 120 s recording")
        }
    }
}

/// Captions of a file stop after a few tries when nothing has ever answered at the address (a
/// wrong `--url`), as `transcribe` does; they retried for minutes before exiting 1.
struct WrongAddressTests {
    @Test(.timeLimit(.minutes(2))) func aFileGivesUpOnAnAddressThatNeverAnswered() throws {
        let started = ContinuousClock.now
        let r = try runCaptty(["--plain", "--engine", "deepgram", "--url", "ws://127.0.0.1:1", "--file", TestAudio.preamble, "--no-journal"],
                              environment: ["DEEPGRAM_API_KEY": "test-key"], timeout: 90)
        let took = started.duration(to: .now).components.seconds
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("gave up after 4 tries: nothing answered at this address since the session started"), "\(r.stderr)")
        #expect(took < 30, "took \(took) s")
    }
}

/// A journal emptied in place while captions run (`: > journal.jsonl`) is written again in
/// full: it was left without its header and earlier lines, `captty export` refused it, and the
/// session still said the transcript was saved.
struct EmptiedJournalTests {
    @Test(.timeLimit(.minutes(2))) func anEmptiedJournalIsWrittenAgainWithEveryLine() async throws {
        let dir = try scratchDirectory("e2e-emptied-journal")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 16, in: dir)
        let journal = dir.appendingPathComponent("j.jsonl").path
        try await withDeepgramDouble { double in
            let p = Process()
            p.executableURL = TestPaths.capttyBinary
            p.arguments = ["--plain", "--engine", "deepgram", "--url", double.baseURL, "--file", wav, "--journal", journal]
            p.environment = ProcessInfo.processInfo.environment.merging(["DEEPGRAM_API_KEY": "test-key"]) { $1 }
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
            // Some lines first, then the file is emptied under the session.
            let by = Date().addingTimeInterval(30)
            while ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").components(separatedBy: "\"type\":\"final\"").count < 4,
                  Date() < by { try await Task.sleep(for: .milliseconds(100)) }
            #expect(truncate(journal, 0) == 0)
            let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(said)")
            #expect(said.contains("the journal \(journal) was emptied by another program while captions ran; it was written again"), "\(said)")
            let lines = printed.split(separator: "\n").filter { !$0.isEmpty }
            let export = try runCaptty(["export", journal, "--format", "txt", "--no-timestamps"])
            #expect(export.status == 0, "\(export.stderr)")
            let exported = export.stdout.split(separator: "\n").filter { !$0.isEmpty }
            #expect(exported == lines, "printed \(lines.count) lines, the journal has \(exported.count)")
            #expect(lines.count >= 4)
        }
    }
}
