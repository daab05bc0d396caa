import Foundation
import Testing
import TestSupport

/// The PulseAudio daemon is SIGKILLed and restarted during a live plain-mode capture (a private
/// daemon from scripts/pulse-test-daemon): captty keeps running, captures again once the daemon
/// is back (the Deepgram TEST DOUBLE counts the bytes), and ends cleanly with its journal.
@Suite(.serialized) struct PulseRestartTests {
    static func daemon(_ args: [String]) throws -> ProcessResult {
        try runProcess(TestPaths.packageRoot.appendingPathComponent("scripts/pulse-test-daemon").path, args, timeout: 60)
    }

    @Test(.timeLimit(.minutes(3))) func pulseDaemonKilledAndRestarted() async throws {
        let dir = try scratchDirectory("pulse")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pulseDir = dir.appendingPathComponent("pulse").path
        let started = try Self.daemon(["start", "--dir", pulseDir])
        defer { _ = try? Self.daemon(["stop", "--dir", pulseDir, "--kill"]) }
        try #require(started.status == 0, "pulse-test-daemon start failed: \(started.stderr)")
        let env: [String: String?] = [
            "XDG_RUNTIME_DIR": "\(pulseDir)/runtime", "PULSE_SERVER": "unix:\(pulseDir)/runtime/pulse/native"]
        let peers = try await ProxiedDouble(in: dir)
        defer { peers.stop() }
        let journal = dir.appendingPathComponent("j.jsonl").path
        let captty = try startCaptty(["--plain", "--device", "captty_null.monitor", "--engine", "deepgram",
                                      "--url", peers.url, "--journal", journal], environment: env)
        defer { captty.stop() }
        #expect(await peers.waitForBytes(2 * FaultAudio.bytesPerSecond, timeout: 60), "no audio; stderr: \(captty.stderrText)")
        let beforeKill = peers.bytesReceived()
        let killed = try Self.daemon(["stop", "--dir", pulseDir, "--kill"])
        #expect(killed.status == 0)
        try await Task.sleep(for: .seconds(2))
        let duringOutage = peers.bytesReceived()
        let restarted = try Self.daemon(["start", "--dir", pulseDir])
        try #require(restarted.status == 0, "restart failed: \(restarted.stderr)")
        let resumed = await peers.waitForBytes(duringOutage + 3 * FaultAudio.bytesPerSecond, timeout: 60)
        let afterRestart = peers.bytesReceived()
        #expect(captty.process.isRunning, "captty stopped when PulseAudio died; stderr: \(captty.stderrText)")
        captty.signal(SIGTERM)
        #expect(await captty.waitExit(timeout: 30))
        let j = try JournalSummary.read(journal)
        print("""
            pulse restart: bytes before kill \(beforeKill), after 2 s outage \(duringOutage), \
            after restart \(afterRestart) (resumed: \(resumed)); captty \(captty.ending); \
            stderr: \(captty.stderrLines.prefix(12).joined(separator: " | ")); journal \(j)
            """)
        #expect(resumed, "capture did not resume after the daemon came back")
        // The outage is said once, with why (plain mode printed it on every attempt).
        let lost = captty.stderrLines.filter { $0.contains("audio lost") }
        #expect(lost.count == 1, "\(lost)")
        #expect(lost.first?.hasSuffix("; retrying") == true && lost.first?.contains("audio lost: ") == true, "\(lost)")
        // Once back, how long the gap was (it was not said).
        #expect(captty.stderrLines.contains { $0.contains("is back after") && $0.contains("s without it; that stretch has no captions") },
                "stderr: \(captty.stderrText)")
        #expect(captty.ending == "exit 0", "stderr: \(captty.stderrText)")
        #expect(j.issues.isEmpty && !j.tornLastLine)
    }
}
