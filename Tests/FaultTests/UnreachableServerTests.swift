import Foundation
import Testing
import TestSupport

/// The server cannot be reached, from the start or after it dies. Found by probing in tmux:
/// plain mode printed only "reconnecting in 3 s (attempt 2)" with no reason, Ctrl-C then
/// waited 10 s in silence (a second Ctrl-C changed nothing), and it ended with "finished" as if
/// every second had captions. Now each reconnect says why, the wait is announced, a second
/// Ctrl-C stops it, and the end says which stretch of audio may have no captions.
@Suite(.serialized) struct UnreachableServerTests {
    static let reconnectLine = #"^captty: reconnecting in \d+ s \(attempt (\d+)\)(: .+)?$"#

    /// captty in plain mode captioning 60 s of counter audio (real time) through Deepgram at a
    /// loopback port where nothing listens; returns it and the port.
    func startWithNothingListening(in dir: URL, _ extra: [String]) throws -> (ChildProcess, Int) {
        let wav = dir.appendingPathComponent("counter.wav")
        _ = try FaultAudio.writeCounterWAV(to: wav, seconds: 60)
        let port = try refusingLoopbackPort()
        let captty = try startCaptty(["--plain", "--file", wav.path, "--engine", "deepgram",
                                      "--url", "ws://127.0.0.1:\(port)"] + extra)
        return (captty, port)
    }

    /// Waits for `count` reconnecting lines on stderr and returns them.
    func reconnectLines(_ captty: ChildProcess, count: Int, timeout: Double) async -> [String] {
        let deadline = ContinuousClock.now + .seconds(timeout)
        var lines: [String] = []
        while ContinuousClock.now < deadline && captty.process.isRunning {
            lines = captty.stderrLines.filter { $0.range(of: Self.reconnectLine, options: .regularExpression) != nil }
            if lines.count >= count { break }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return lines
    }

    /// Ctrl-C, then (once the wait is announced) Ctrl-C again: returns the seconds from the
    /// second signal to the exit.
    func interruptTwice(_ captty: ChildProcess) async -> Double? {
        let before = captty.stderrLines.count
        captty.signal(SIGINT)
        let told = await captty.waitForLine(.stderr, after: before, timeout: 5) { $0.hasPrefix("captty: stopping: waiting up to") }
        #expect(told == "captty: stopping: waiting up to 10 s for the last captions (Ctrl-C again to stop now)",
                "stderr: \(captty.stderrText)")
        let second = ContinuousClock.now
        captty.signal(SIGINT)
        guard await captty.waitExit(timeout: 8) else { return nil }
        return (ContinuousClock.now - second).inSeconds
    }

    /// A file captioned against an address where nothing listens: each attempt says why, and
    /// after 4 tries (nothing has ever answered there) it stops by itself with what to check,
    /// as `captty transcribe` does; it retried for minutes. (A microphone keeps trying, and
    /// says how to stop; a file does not need telling.)
    @Test(.timeLimit(.minutes(2))) func nothingListensOnThePort() async throws {
        let dir = try scratchDirectory("unreachable")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("j.jsonl").path
        let started = ContinuousClock.now
        let (captty, port) = try startWithNothingListening(in: dir, ["--journal", journal])
        defer { captty.stop() }
        let lines = await reconnectLines(captty, count: 3, timeout: 30)
        #expect(lines.count >= 3, "stderr: \(captty.stderrText)")
        for line in lines {
            #expect(line.hasSuffix(": cannot connect to Deepgram at 127.0.0.1:\(port): Connection refused"), "\(line)")
        }
        #expect(await captty.waitExit(timeout: 30), "stderr: \(captty.stderrText)")
        let took = (ContinuousClock.now - started).inSeconds
        #expect(took < 20, "took \(took) s to give up")
        #expect(captty.ending == "exit 1", "stderr: \(captty.stderrText)")
        #expect(captty.stderrLines.contains {
            $0.hasSuffix("Connection refused (gave up after 4 tries: nothing answered at this address since the session started; check the URL and that the server is running)")
        }, "stderr: \(captty.stderrText)")
        #expect(!captty.stderrText.contains("still trying to reconnect"), "a file gives up by itself: \(captty.stderrText)")
        #expect(!captty.stderrLines.contains("captty: finished"), "stderr: \(captty.stderrText)")
        let j = try JournalSummary.read(journal)
        print("nothing listening: \(lines.count) reconnect lines, gave up after \(String(format: "%.2f", took)) s; journal \(j)")
        #expect(j.words.isEmpty && j.issues.isEmpty)
    }

    /// A hang-up often arrives twice at once (from the kernel and again from the shell): that
    /// is one request to stop, and captty still waits for the last captions.
    /// (A server that answered, then holds its last final: there is something to wait for.)
    @Test(.timeLimit(.minutes(2))) func aDoubledHangUpStillWaitsForTheLastCaptions() async throws {
        let dir = try scratchDirectory("unreachable")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("counter.wav")
        _ = try FaultAudio.writeCounterWAV(to: wav, seconds: 60)
        let (double, port) = try await Peer.launch("deepgram_double.py", [
            "--api-key", FaultAudio.apiKey, "--word-names", "counter", "--late-final-delay", "30"])
        defer { double.stop(grace: 1) }
        let captty = try startCaptty(["--plain", "--file", wav.path, "--engine", "deepgram", "--url", "ws://127.0.0.1:\(port)",
                                      "--no-journal"])
        defer { captty.stop() }
        #expect(await captty.waitForLine(timeout: 30) { _ in true } != nil, "no finals: \(captty.stderrText)")
        let sent = ContinuousClock.now
        captty.signal(SIGHUP)
        try await Task.sleep(for: .milliseconds(300))   // the shell's copy comes a little later
        captty.signal(SIGHUP)
        let told = await captty.waitForLine(.stderr, timeout: 5) { $0.hasPrefix("captty: stopping: waiting up to 10 s") }
        #expect(told?.hasSuffix("(Ctrl-C again to stop now)") == true, "stderr: \(captty.stderrText)")
        #expect(await captty.waitExit(timeout: 30))
        let took = (ContinuousClock.now - sent).inSeconds
        print("doubled hang-up: exit \(String(format: "%.2f", took)) s after the signals (the finish timeout is 10 s)")
        #expect(took > 9, "the doubled hang-up cut the wait short: \(took) s")
        #expect(captty.ending == "exit 0", "stderr: \(captty.stderrText)")
        #expect(!captty.stdoutLines.isEmpty, "the captions before the hang-up were printed")
    }

    /// Finals flow, then the server (the Deepgram TEST DOUBLE) is killed and not restarted.
    @Test(.timeLimit(.minutes(2))) func theServerDiesAndStaysDown() async throws {
        let dir = try scratchDirectory("unreachable")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("counter.wav")
        _ = try FaultAudio.writeCounterWAV(to: wav, seconds: 120)
        let (double, port) = try await Peer.launch("deepgram_double.py", [
            "--api-key", FaultAudio.apiKey, "--record-dir", dir.appendingPathComponent("double").path,
            "--word-names", "counter"])
        defer { double.stop(grace: 1) }
        let journal = dir.appendingPathComponent("j.jsonl").path
        let captty = try startCaptty(["--plain", "--file", wav.path, "--speed", "2", "--engine", "deepgram",
                                      "--url", "ws://127.0.0.1:\(port)", "--journal", journal])
        defer { captty.stop() }
        #expect(await captty.waitForLine(after: 2, timeout: 30) { _ in true } != nil, "no finals: \(captty.stderrText)")
        double.signal(SIGKILL)
        double.process.waitUntilExit()
        let lines = await reconnectLines(captty, count: 2, timeout: 20)
        #expect(lines.count >= 2, "stderr: \(captty.stderrText)")
        // Every reconnect says why: on its own line or as the warning printed just before it.
        let err = captty.stderrLines
        for line in lines {
            let i = err.firstIndex(of: line)!
            let saysWhy = line.range(of: #"\): \S"#, options: .regularExpression) != nil
                || (i > 0 && !err[i - 1].contains("reconnecting in"))
            #expect(saysWhy, "\(line) (after \(i > 0 ? err[i - 1] : "nothing"))")
        }
        #expect(lines.dropFirst().allSatisfy { $0.hasSuffix(": cannot connect to Deepgram at 127.0.0.1:\(port): Connection refused") },
                "\(lines)")
        let took = await interruptTwice(captty)
        #expect(took.map { $0 < 4 } == true, "the second Ctrl-C did not stop the wait: \(String(describing: took)) s")
        #expect(captty.ending == "exit 0", "stderr: \(captty.stderrText)")
        let end = captty.stderrLines.first { $0.hasPrefix("captty: stopped before the deepgram engine finished") } ?? ""
        // The stretch named starts where the captions stopped, not at zero.
        let from = end.range(of: #"the last \d+(\.\d)? s of audio \(from \d\d:\d\d:\d\d\) may have no captions$"#, options: .regularExpression)
        #expect(from != nil && !end.contains("from 00:00:00"), "\(end)")
        let words = FaultAudio.words(in: captty.stdoutLines)
        let j = try JournalSummary.read(journal)
        print("server died: \(words.count) words printed, \(lines.count) reconnect lines; \(end); journal \(j)")
        #expect(!words.isEmpty && j.words == words, "journal and printed lines differ")
        #expect(j.issues.isEmpty && !j.tornLastLine)
    }
}
