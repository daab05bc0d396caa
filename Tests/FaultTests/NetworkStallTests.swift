import Foundation
import Testing
import TestSupport

/// The network stalls (the proxy stops forwarding; TCP stays open): captty's heartbeat declares
/// the connection dead within its bound (15 s without a byte), it retries, and once the proxy
/// forwards again it reconnects through it, replays, and loses nothing.
@Suite(.serialized) struct NetworkStallTests {
    @Test(.timeLimit(.minutes(3))) func stalledConnectionIsDeclaredDeadAndReplaced() async throws {
        let scene = try await CounterScene("stall", seconds: 45)
        defer { scene.stop() }
        let (peers, total, journal) = (scene.peers, scene.total, scene.journal)
        let captty = try scene.startPlainCaptty()
        defer { captty.stop() }

        #expect(await peers.waitForBytes(3 * FaultAudio.bytesPerSecond, timeout: 60))
        #expect(await peers.command("stall"))
        let stalledAt = ContinuousClock.now
        let bytesAtStall = peers.bytesReceived()
        let before = captty.stderrLines.count
        let notice = await captty.waitForLine(.stderr, after: before, timeout: 40) { $0.contains("reconnecting") }
        let detection = (ContinuousClock.now - stalledAt).inSeconds
        // Keep the network down a little longer (a reconnect attempt hangs in the proxy), then heal it.
        try await Task.sleep(for: .seconds(3))
        #expect(await peers.command("resume"))
        #expect(await captty.waitExit(timeout: 120), "captty did not finish; stderr: \(captty.stderrText)")

        let words = FaultAudio.words(in: captty.stdoutLines)
        let coverage = try FaultAudio.coverage(of: [peers.recordDir])
        let j = try JournalSummary.read(journal)
        print("""
            stall: dead connection noticed after \(String(format: "%.1f", detection)) s (\(notice ?? "no notice")); \
            bytes at stall \(bytesAtStall); captty \(captty.ending); audio sent \(total * 4) bytes, server received \(coverage); \
            lines printed \(captty.stdoutLines.count) (\(words.count) words); journal \(j)
            """)
        #expect(notice != nil)
        #expect(detection < 15 + 5 + 5, "heartbeat bound is 15 s without bytes (+ ping interval + slack)")
        #expect(captty.ending == "exit 0", "stderr: \(captty.stderrText)")
        #expect(coverage.connections >= 2)
        #expect(coverage.missing(total: total).isEmpty, "audio never received: \(coverage.missing(total: total))")
        #expect(FaultAudio.transcriptProblems(words: words, total: total) == [])
        #expect(j.words == words)
    }
}
