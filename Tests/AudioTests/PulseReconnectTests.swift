import Foundation
import Testing
import Audio

/// Capture survives the PulseAudio daemon being killed and restarted, and reports the gap.
@Suite(.timeLimit(.minutes(2)))
struct PulseReconnectTests {
    @Test func resumesAfterTheDaemonIsKilledAndRestarted() async throws {
        // A private daemon: killing the shared one would break other tests.
        let dir = "/tmp/captty-pulse-restart-\(getpid())-\(uniqueSuffix())"
        let pulse = try PulseTestServer.startPrivate(dir: dir)
        defer {
            try? pulse.stop(kill: true)
            try? FileManager.default.removeItem(atPath: dir)
        }
        let capture = try PulseCapture(options: PulseCaptureOptions(
            device: .systemAudio, server: pulse.server, reconnectDelay: 0.1, maxReconnectDelay: 0.4))
        let events = capture.events()
        let downtime = 1.0

        let chunks: [AudioChunk] = try await withTimeout(60) {
            var got: [AudioChunk] = []
            var restarter: Task<Void, Error>?
            var afterGap = 0
            for try await c in capture.chunks() {
                got.append(c)
                if got.count == 10 && restarter == nil {
                    restarter = Task.detached {
                        try pulse.stop(kill: true)
                        try await Task.sleep(for: .seconds(downtime))
                        _ = try PulseTestServer.startPrivate(dir: dir)
                    }
                }
                if got.contains(where: { $0.gapBefore > 0 }) { afterGap += 1 }
                if afterGap == 10 { break }
            }
            try await restarter?.value
            return got
        }

        let gapIndex = try #require(chunks.firstIndex { $0.gapBefore > 0 })
        let gapChunk = chunks[gapIndex]
        #expect(gapIndex >= 10)
        #expect(chunks.filter { $0.gapBefore > 0 }.count == 1)
        // The daemon was down at least `downtime`; less than 30 s even on a loaded machine.
        #expect(gapChunk.gapBefore >= downtime * 0.9 && gapChunk.gapBefore < 30, "gap \(gapChunk.gapBefore)")
        // Time stays continuous: startFrame skips exactly the reported gap, and only there.
        for i in 1..<chunks.count {
            let expected = chunks[i - 1].startFrame + Int64(chunks[i - 1].frameCount)
                + Int64((chunks[i].gapBefore * 16_000).rounded())
            #expect(chunks[i].startFrame == expected, "chunk \(i)")
        }
        // The status stream told the UI what happened.
        var seen: [CaptureEvent] = []
        for await e in events {
            seen.append(e)
            if case .resumed = e { break }
        }
        #expect(seen.contains { if case .reconnecting = $0 { return true }; return false })
        #expect(seen.last == .resumed(gap: gapChunk.gapBefore))
    }
}
