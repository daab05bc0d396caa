import Foundation
import Testing
import TestSupport

/// `captty transcribe` has no journal, so what it received before the engine failed or stopped
/// answering is all the user has. Found by probing: a fatal close (1008 DATA-0000) halfway
/// through threw away every final that had arrived (nothing on stdout, no `-o` file), and a
/// server that stopped answering got the advice to check the recording's language and level.
/// The server is the Deepgram TEST DOUBLE.
@Suite(.serialized) struct TranscribeFailureTests {
    @Test(.timeLimit(.minutes(2))) func aFatalCloseMidwayKeepsWhatWasTranscribed() async throws {
        let dir = try scratchDirectory("transcribe-fatal")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("counter.wav")
        let total = try FaultAudio.writeCounterWAV(to: wav, seconds: 12)
        let (double, port) = try await Peer.launch("deepgram_double.py", [
            "--api-key", FaultAudio.apiKey, "--word-names", "counter", "--close-after-bytes", "\(8 * FaultAudio.bytesPerSecond)",
            "--close-code", "1008", "--close-reason", "DATA-0000: cannot decode"])
        defer { double.stop(grace: 1) }
        let out = dir.appendingPathComponent("out.txt").path
        let captty = try startCaptty(["transcribe", "--engine", "deepgram", "--url", "ws://127.0.0.1:\(port)", "--no-timestamps",
                                      "-o", out, wav.path])
        defer { captty.stop() }
        #expect(await captty.waitExit(timeout: 60), "stderr: \(captty.stderrText)")
        #expect(captty.ending == "exit 1", "a failure is still a failure: \(captty.stderrText)")
        #expect(captty.stderrText.contains("DATA-0000"), "\(captty.stderrText)")
        #expect(captty.stderrText.contains("The transcript up to 00:00:0"), "\(captty.stderrText)")
        #expect(captty.stderrText.contains("was written to \(out)"), "\(captty.stderrText)")
        // The finals before the close (2 s each, up to about 8 s) are there, in order, from c0.
        try Self.expectTranscriptPrefix(in: out, atLeast: 6 * 2, below: total)
        // The rest is marked in the file itself, not only said on stderr (found in QA).
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.range(of: #"\[[0-9.]+ s of audio lost: the engine stopped before captioning it; no captions\]"#,
                           options: .regularExpression) != nil, "\(text)")
    }

    /// Standard output closed by the caller (`captty … >&-`): the first file captty opened took
    /// its number, and the transcript went into captty's log file with exit 0 (found in QA). A
    /// write to it fails as a write to a closed stream does, and is said; nothing goes to the log.
    @Test(.timeLimit(.minutes(2))) func aClosedStandardOutputIsSaidAndTheTranscriptGoesNowhereElse() async throws {
        let dir = try scratchDirectory("closed-stdout")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("counter.wav")
        _ = try FaultAudio.writeCounterWAV(to: wav, seconds: 3)
        let (double, port) = try await Peer.launch("deepgram_double.py", ["--api-key", FaultAudio.apiKey, "--word-names", "counter"])
        defer { double.stop(grace: 1) }
        let home = dir.appendingPathComponent("home")
        let url = "ws://127.0.0.1:\(port)"
        for args in [["transcribe", "--engine", "deepgram", "--url", url, "--no-journal", wav.path],
                     ["--plain", "--engine", "deepgram", "--url", url, "--no-journal", "--speed", "0", "--file", wav.path]] {
            let r = try runProcess("/bin/sh", ["-c", #"exec "$0" "$@" >&-"#, TestPaths.capttyBinary.path] + args,
                                   environment: ["HOME": home.path, "XDG_STATE_HOME": nil, "DEEPGRAM_API_KEY": FaultAudio.apiKey],
                                   timeout: 60)
            #expect(r.status != 0 && !r.timedOut, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("standard output is closed"), "\(args): \(r.stderr)")
            let log = (try? String(contentsOf: home.appendingPathComponent(".local/state/captty/captty.log"), encoding: .utf8)) ?? ""
            #expect(!log.contains("c8000"), "the transcript went into the log: \(log.suffix(300))")
        }
    }

    /// A run that fails before any final came back (a wrong key) said "the finals that came back
    /// are in the journal" and left a journal of a header alone in the sessions folder, one per
    /// failed run (found in QA). Nothing is said of it, and it goes.
    @Test(.timeLimit(.minutes(2))) func aRunWithNoFinalLeavesNoJournalBehind() async throws {
        let dir = try scratchDirectory("transcribe-no-finals")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("counter.wav")
        _ = try FaultAudio.writeCounterWAV(to: wav, seconds: 1)
        let (double, port) = try await Peer.launch("deepgram_double.py", ["--api-key", "another-key"])
        defer { double.stop(grace: 1) }
        let home = dir.appendingPathComponent("home")
        let r = try runCaptty(["transcribe", "--engine", "deepgram", "--url", "ws://127.0.0.1:\(port)", wav.path],
                              environment: ["HOME": home.path, "XDG_DATA_HOME": nil, "DEEPGRAM_API_KEY": FaultAudio.apiKey])
        #expect(r.status != 0 && r.stderr.contains("401"), "\(r.status) \(r.stderr)")
        #expect(!r.stderr.contains("in the journal"), "\(r.stderr)")
        let sessions = home.appendingPathComponent(".local/share/captty/sessions").path
        let left = (try? FileManager.default.contentsOfDirectory(atPath: sessions)) ?? []
        #expect(left.isEmpty, "left behind: \(left)")
    }

    /// A server whose every Results is malformed: the transcript is empty because nothing could
    /// be read, not because of the recording (it was told to check the language and level,
    /// and it exited 0; found in QA).
    @Test(.timeLimit(.minutes(2))) func resultsThatCannotBeReadAreNotBlamedOnTheRecording() async throws {
        let dir = try scratchDirectory("transcribe-bad-results")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("counter.wav")
        _ = try FaultAudio.writeCounterWAV(to: wav, seconds: 1)
        let server = try HostileServerProcess(mode: "bad-results")
        defer { server.stop() }
        let captty = try startCaptty(["transcribe", "--engine", "deepgram", "--url", "ws://127.0.0.1:\(server.port)", wav.path])
        defer { captty.stop() }
        #expect(await captty.waitExit(timeout: 60), "stderr: \(captty.stderrText)")
        #expect(captty.ending == "exit 1", "\(captty.ending): \(captty.stderrText)")
        #expect(captty.stderrText.contains("malformed Results message"), "\(captty.stderrText)")
        #expect(captty.stderrText.contains("no usable transcript came back: the server's results could not be read (1 message rejected"),
                "\(captty.stderrText)")
        #expect(!captty.stderrText.contains("check its language"), "\(captty.stderrText)")
    }

    /// Live (plain, journal on): a stream that ends with a fatal close midway leaves the rest of
    /// the audio without captions; the journal marks it, so every export does (it read as whole).
    @Test(.timeLimit(.minutes(2))) func liveAudioLeftWithoutCaptionsIsMarkedInTheJournal() async throws {
        let dir = try scratchDirectory("live-fatal-gap")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("counter.wav")
        _ = try FaultAudio.writeCounterWAV(to: wav, seconds: 12)
        let (double, port) = try await Peer.launch("deepgram_double.py", [
            "--api-key", FaultAudio.apiKey, "--word-names", "counter", "--close-after-bytes", "\(6 * FaultAudio.bytesPerSecond)",
            "--close-code", "1008", "--close-reason", "DATA-0000: cannot decode"])
        defer { double.stop(grace: 1) }
        let journal = dir.appendingPathComponent("j.jsonl").path
        let captty = try startCaptty(["--plain", "--engine", "deepgram", "--url", "ws://127.0.0.1:\(port)", "--file", wav.path,
                                      "--speed", "0", "--journal", journal], environment: ["HOME": dir.path])
        defer { captty.stop() }
        #expect(await captty.waitExit(timeout: 60), "stderr: \(captty.stderrText)")
        let exported = try runCaptty(["export", journal, "--format", "srt"])
        let gap = try #require(exported.stdout.firstMatch(of: #/(\d\d:\d\d:\d\d),\d+ --> (\d\d:\d\d:\d\d),\d+\n\[([0-9.]+) s of audio lost: the engine stopped/#),
                               "no gap in the export:\n\(exported.stdout)")
        // From the last final (2 s each, the close after 6 s) to the last audio read before the
        // session ended (at full speed, some of the audio after the close).
        #expect(gap.output.1 <= "00:00:06" && gap.output.2 > "00:00:06", "\(exported.stdout)")
        #expect((Double(gap.output.3) ?? 0) >= 1, "\(exported.stdout)")
        // A clean session marks nothing.
        let clean = dir.appendingPathComponent("clean.jsonl").path
        let (double2, port2) = try await Peer.launch("deepgram_double.py", ["--api-key", FaultAudio.apiKey])
        defer { double2.stop(grace: 1) }
        let ok = try startCaptty(["--plain", "--engine", "deepgram", "--url", "ws://127.0.0.1:\(port2)", "--file", wav.path,
                                  "--speed", "0", "--journal", clean], environment: ["HOME": dir.path])
        defer { ok.stop() }
        #expect(await ok.waitExit(timeout: 60) && ok.ending == "exit 0", "\(ok.stderrText)")
        #expect(try !runCaptty(["export", clean]).stdout.contains("no captions"))
    }

    @Test(.timeLimit(.minutes(2))) func aServerThatStopsAnsweringIsNotBlamedOnTheRecording() async throws {
        let dir = try scratchDirectory("transcribe-silent")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("counter.wav")
        _ = try FaultAudio.writeCounterWAV(to: wav, seconds: 1)   // shorter than one 2 s final: nothing before CloseStream
        let (double, port) = try await Peer.launch("deepgram_double.py", [
            "--api-key", FaultAudio.apiKey, "--word-names", "counter", "--late-final-delay", "30"])
        defer { double.stop(grace: 1) }
        let captty = try startCaptty(["transcribe", "--engine", "deepgram", "--url", "ws://127.0.0.1:\(port)", wav.path])
        defer { captty.stop() }
        #expect(await captty.waitExit(timeout: 60), "stderr: \(captty.stderrText)")
        // The audio is tried again on a new connection, then the stall ends the run with the
        // audio that has no captions named and a failing status (it exited 0).
        #expect(captty.stderrText.range(of: #"did not finish the stream within \d+ s of CloseStream \(no final for 10 s\), and 1\.0 s of audio \(from 0\.0 s\) have no final results; sending them again"#,
                                        options: .regularExpression) != nil, "\(captty.stderrText)")
        #expect(captty.stderrText.contains("again; the last 1.0 s of audio (from 0.0 s) have no captions"), "\(captty.stderrText)")
        #expect(captty.ending != "exit 0", "\(captty.ending)")
        #expect(!captty.stderrText.contains("check its language"), "\(captty.stderrText)")
    }

    /// Ctrl-C during a transcribe wrote nothing (no output, no message, exit 130) though finals
    /// had arrived, and a transcribe keeps no journal. Now the audio ends where it is, the
    /// engine finishes what it was sent, that transcript is written, and what was left out is
    /// said. The double answers the first 5 s at once, then only Finalize and CloseStream (a
    /// slow server), so the 10-minute file is still being sent when the signal comes.
    @Test(.timeLimit(.minutes(2))) func ctrlCWritesTheTranscriptSoFar() async throws {
        let dir = try scratchDirectory("transcribe-interrupt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("counter.wav")
        let total = try FaultAudio.writeCounterWAV(to: wav, seconds: 600)
        let (double, port) = try await Peer.launch("deepgram_double.py", [
            "--api-key", FaultAudio.apiKey, "--word-names", "counter", "--backlog-after-bytes", "\(5 * FaultAudio.bytesPerSecond)"])
        defer { double.stop(grace: 1) }
        let out = dir.appendingPathComponent("out.txt").path
        let captty = try startCaptty(["transcribe", "--engine", "deepgram", "--url", "ws://127.0.0.1:\(port)", "--no-timestamps",
                                      "-o", out, wav.path])
        defer { captty.stop() }
        try await Task.sleep(for: .seconds(2))
        let before = captty.stderrLines.count
        captty.signal(SIGINT)
        let told = await captty.waitForLine(.stderr, after: before, timeout: 5) { $0.hasPrefix("captty: stopping:") }
        #expect(told?.contains("Ctrl-C again") == true, "stderr: \(captty.stderrText)")
        #expect(await captty.waitExit(timeout: 60), "stderr: \(captty.stderrText)")
        #expect(captty.ending == "exit 130", "\(captty.ending): \(captty.stderrText)")
        // The server answers CloseStream with a final for all it was sent: all that was read is
        // transcribed, and the rest of the file was not read.
        #expect(captty.stderrText.contains("interrupted: the transcript of all"), "\(captty.stderrText)")
        #expect(captty.stderrText.contains("was written to \(out); the rest of counter.wav was not read"), "\(captty.stderrText)")
        // What was sent is transcribed, in order, from the start; the rest of the file is not.
        try Self.expectTranscriptPrefix(in: out, atLeast: 5 * 2, below: total / 2)
    }

    /// Interrupted before any transcript came back (here: no server at the address, so it is
    /// still retrying): the -o file is not replaced by an empty transcript (an earlier
    /// transcript there was lost that way).
    @Test(.timeLimit(.minutes(2))) func ctrlCBeforeAnyTranscriptLeavesTheOutputFileAlone() async throws {
        let dir = try scratchDirectory("transcribe-interrupt-empty")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("counter.wav")
        _ = try FaultAudio.writeCounterWAV(to: wav, seconds: 30)
        let out = dir.appendingPathComponent("notes.txt").path
        try "yesterday's notes\n".write(toFile: out, atomically: true, encoding: .utf8)
        let port = try refusingLoopbackPort()
        let captty = try startCaptty(["transcribe", "--engine", "deepgram", "--url", "ws://127.0.0.1:\(port)", "-o", out, wav.path])
        defer { captty.stop() }
        _ = await captty.waitForLine(.stderr, after: 0, timeout: 20) { $0.contains("reconnecting") }
        captty.signal(SIGINT)
        // Never connected, so nothing to finish: one Ctrl-C stops at once (it went on retrying
        // for a minute).
        let stopping = ContinuousClock.now
        #expect(await captty.waitExit(timeout: 60), "stderr: \(captty.stderrText)")
        #expect(stopping.duration(to: .now) < .seconds(10), "stderr: \(captty.stderrText)")
        #expect(captty.ending == "exit 130", "\(captty.ending): \(captty.stderrText)")
        #expect(captty.stderrText.contains("interrupted before any transcript came back: \(out) was not written"), "\(captty.stderrText)")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "yesterday's notes\n")
    }

    /// The transcript written to `path` is the start of the counter audio: from c0, every word
    /// once and in order, at least `atLeast` words, the last one before counter `below`.
    static func expectTranscriptPrefix(in path: String, atLeast: Int, below: Int) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let words = FaultAudio.words(in: text.split(separator: "\n").map(String.init))
        #expect(words.first == 0, "\(text.prefix(200))")
        #expect(words.count >= atLeast, "\(words.count) words: \(text.prefix(200))")
        #expect(words.last.map { $0 < below } == true, "the transcript goes to c\(words.last ?? -1), past c\(below)")
        #expect(FaultAudio.transcriptProblems(words: words, total: words.last.map { $0 + FaultAudio.countersPerWord } ?? 0) == [])
    }
}
