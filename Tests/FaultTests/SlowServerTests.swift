import Foundation
import Testing
import TestSupport

/// A server that answers slowly (every frame to captty delayed 200 ms by the proxy): captty
/// keeps up, prints every line once, and its finish waits for the late last results.
@Suite(.serialized) struct SlowServerTests {
    @Test(.timeLimit(.minutes(3))) func everyFrameDelayedStillCompletes() async throws {
        let scene = try await CounterScene("slow", seconds: 24, proxyArgs: ["--delay-ms", "200"])
        defer { scene.stop() }
        let (peers, total, journal) = (scene.peers, scene.total, scene.journal)
        let captty = try scene.startPlainCaptty()
        defer { captty.stop() }
        #expect(await captty.waitExit(timeout: 120), "captty did not finish; stderr: \(captty.stderrText)")
        let words = FaultAudio.words(in: captty.stdoutLines)
        let coverage = try FaultAudio.coverage(of: [peers.recordDir])
        let j = try JournalSummary.read(journal)
        print("""
            slow server (200 ms per frame): captty \(captty.ending); audio sent \(total * 4) bytes, server received \(coverage); \
            lines printed \(captty.stdoutLines.count) (\(words.count) words); journal \(j)
            """)
        #expect(captty.ending == "exit 0", "stderr: \(captty.stderrText)")
        #expect(coverage.missing(total: total).isEmpty)
        #expect(FaultAudio.transcriptProblems(words: words, total: total) == [])
        #expect(j.words == words)
    }
}
