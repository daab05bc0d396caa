import Foundation
import Testing
import TestSupport

/// The server (the Deepgram TEST DOUBLE) holds its answer to CloseStream for 30 s, longer than
/// captty waits. Found by probing: live plain mode printed "finished" and exited 0 without a
/// word about the results it stopped waiting for (`transcribe` said it). Now the timeout is
/// shown on stderr; every final that arrived is printed and journaled.
@Suite(.serialized) struct FinishTimeoutTests {
    @Test(.timeLimit(.minutes(2))) func aServerThatNeverFinishesIsReportedAndFinalsAreKept() async throws {
        let dir = try scratchDirectory("finish-timeout")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = dir.appendingPathComponent("counter.wav")
        let total = try FaultAudio.writeCounterWAV(to: wav, seconds: 12)   // finals every 2 s; 3 s at --speed 4
        let rec = dir.appendingPathComponent("double")
        let (double, port) = try await Peer.launch("deepgram_double.py", [
            "--api-key", FaultAudio.apiKey, "--record-dir", rec.path, "--word-names", "counter", "--late-final-delay", "30"])
        defer { double.stop(grace: 1) }
        let journal = dir.appendingPathComponent("j.jsonl").path
        let captty = try startCaptty(["--plain", "--file", wav.path, "--speed", "4", "--engine", "deepgram",
                                      "--url", "ws://127.0.0.1:\(port)", "--journal", journal])
        defer { captty.stop() }
        #expect(await captty.waitExit(timeout: 60), "captty did not finish; stderr: \(captty.stderrText)")
        let words = FaultAudio.words(in: captty.stdoutLines)
        let j = try JournalSummary.read(journal)
        #expect(captty.ending == "exit 0", "stderr: \(captty.stderrText)")
        #expect(captty.stderrText.contains("did not close the stream within"), "the timeout is not reported: \(captty.stderrText)")
        // The finals sent before CloseStream (12 s in 2 s finals) are all there, once, in order.
        #expect(words.count > 0 && words.last.map { $0 < total } == true)
        #expect(FaultAudio.transcriptProblems(words: words, total: words.last.map { $0 + FaultAudio.countersPerWord } ?? 0) == [])
        #expect(j.words == words)
    }
}
