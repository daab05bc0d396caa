import Foundation
import Testing
import TestSupport

/// The server (the Deepgram TEST DOUBLE) closes the connection normally — 1000, or 1001 as a
/// server going down gracefully sends — three times while audio is still flowing, before any
/// CloseStream. captty reconnects instead of ending the captions, replays what was not final,
/// and the transcript and the audio stay complete and in order.
@Suite(.serialized) struct NormalCloseMidStreamTests {
    @Test(.timeLimit(.minutes(3)), arguments: [1000, 1001])
    func aNormalCloseBeforeTheEndReconnects(_ code: Int) async throws {
        let dir = try scratchDirectory("normal-close")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("counter.wav")
        let total = try FaultAudio.writeCounterWAV(to: wav, seconds: 40)   // 10 s at --speed 4: room for 3 closes and backoffs
        let rec = dir.appendingPathComponent("double")
        let (double, port) = try await Peer.launch("deepgram_double.py", [
            "--api-key", FaultAudio.apiKey, "--record-dir", rec.path, "--word-names", "counter",
            "--close-after-bytes", "96000", "--close-times", "3", "--close-code", "\(code)", "--close-reason", ""])
        defer { double.stop(grace: 1) }
        let journal = dir.appendingPathComponent("j.jsonl").path
        let captty = try startCaptty(["--plain", "--file", wav.path, "--speed", "4", "--engine", "deepgram",
                                      "--url", "ws://127.0.0.1:\(port)", "--journal", journal])
        defer { captty.stop() }
        #expect(await captty.waitExit(timeout: 120), "captty did not finish; stderr: \(captty.stderrText)")
        let reconnects = captty.stderrLines.filter { $0.contains("reconnecting") }.count
        let words = FaultAudio.words(in: captty.stdoutLines)
        let coverage = try FaultAudio.coverage(of: [rec])
        let j = try JournalSummary.read(journal)
        print("""
            normal close \(code) ×3 mid-stream: captty \(captty.ending), \(reconnects) reconnecting notices; \
            audio sent \(total * 4) bytes, server received \(coverage); lines printed \(captty.stdoutLines.count) \
            (\(words.count) words); journal \(j)
            """)
        #expect(captty.ending == "exit 0", "stderr: \(captty.stderrText)")
        #expect(reconnects == 3, "stderr: \(captty.stderrText)")
        #expect(!captty.stderrText.contains("send() after finish()"))
        #expect(coverage.missing(total: total).isEmpty, "audio never received: \(coverage.missing(total: total))")
        #expect(FaultAudio.transcriptProblems(words: words, total: total) == [])
        #expect(j.words == words)
        #expect(j.issues.isEmpty)
    }
}
