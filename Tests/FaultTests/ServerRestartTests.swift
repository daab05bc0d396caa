import Foundation
import Testing
import TestSupport

/// The server (the Deepgram TEST DOUBLE, which records every byte per connection) is SIGKILLed
/// and restarted on the same port 10 times during one session: captty reconnects each time,
/// replays what was not final, and the transcript and the audio stay complete and in order.
/// Each incarnation serves a few seconds first (a connection that dies young keeps the backoff
/// growing: that is a flapping server, tested in `connectionsThatDieYoungBackOffExponentially`).
@Suite(.serialized) struct ServerRestartTests {
    @Test(.timeLimit(.minutes(4))) func tenServerRestartsLoseNothing() async throws {
        let dir = try scratchDirectory("restart")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("counter.wav")
        let total = try FaultAudio.writeCounterWAV(to: wav, seconds: 160)
        let port = try freeLoopbackPort()
        var recordDirs: [URL] = []
        func startDouble() async throws -> ChildProcess {
            let rec = dir.appendingPathComponent("double-\(recordDirs.count)")
            recordDirs.append(rec)
            let (d, p) = try await Peer.launch("deepgram_double.py", [
                "--port", "\(port)", "--api-key", FaultAudio.apiKey, "--record-dir", rec.path,
                "--word-names", "counter", "--idle-timeout", "30"])
            #expect(p == port)
            return d
        }
        var double = try await startDouble()
        defer { double.stop(grace: 1) }
        let journal = dir.appendingPathComponent("j.jsonl").path
        let captty = try startCaptty(["--plain", "--file", wav.path, "--speed", "2", "--engine", "deepgram",
                                      "--url", "ws://127.0.0.1:\(port)", "--journal", journal])
        defer { captty.stop() }

        var restarts = 0
        while restarts < 10 && captty.process.isRunning {
            // Kill once this incarnation has audio flowing.
            let rec = recordDirs.last!
            let deadline = ContinuousClock.now + .seconds(40)
            var flowing = false
            while ContinuousClock.now < deadline && captty.process.isRunning {
                let size = (try? FileManager.default.attributesOfItem(atPath: rec.appendingPathComponent("conn-000.bin").path)[.size] as? Int) ?? 0
                if size >= 32_000 { flowing = true; break }
                try await Task.sleep(for: .milliseconds(50))
            }
            guard flowing else { break }
            // A healthy connection (LiveClient.healthyConnection) before the kill.
            try await Task.sleep(for: .seconds(5.5))
            guard captty.process.isRunning else { break }
            double.signal(SIGKILL)
            double.process.waitUntilExit()
            restarts += 1
            double = try await startDouble()
        }
        #expect(await captty.waitExit(timeout: 150), "captty did not finish; stderr: \(captty.stderrText)")
        let reconnects = captty.stderrLines.filter { $0.contains("reconnecting") }.count
        let words = FaultAudio.words(in: captty.stdoutLines)
        let coverage = try FaultAudio.coverage(of: recordDirs)
        let journalSummary = try JournalSummary.read(journal)
        print("""
            server restarts: \(restarts); captty: \(captty.ending), \(reconnects) reconnecting notices; \
            audio sent \(total * 4) bytes, server received \(coverage); \
            lines printed \(captty.stdoutLines.count) (\(words.count) words); journal \(journalSummary)
            """)
        #expect(restarts == 10)
        #expect(captty.ending == "exit 0", "stderr: \(captty.stderrText)")
        #expect(coverage.missing(total: total).isEmpty, "audio never received: \(coverage.missing(total: total))")
        #expect(coverage.discontinuities == 0)
        #expect(FaultAudio.transcriptProblems(words: words, total: total) == [])
        #expect(journalSummary.words == words, "the journal differs from what was printed")
        #expect(journalSummary.issues.isEmpty)
    }
}
