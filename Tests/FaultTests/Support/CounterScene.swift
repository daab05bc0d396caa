import Foundation
import TestSupport

/// Where most fault tests start: a scratch directory holding `counter.wav` (counter audio, see
/// `FaultAudio`), the proxied Deepgram TEST DOUBLE (`ProxiedDouble`) and a journal path.
/// `stop()` stops the peers and removes the directory.
final class CounterScene: @unchecked Sendable {
    let dir: URL
    let wav: URL
    /// Counters in the WAV (data bytes / 4).
    let total: Int
    let peers: ProxiedDouble
    let journal: String

    init(_ tag: String, seconds: Double, proxyArgs: [String] = []) async throws {
        dir = try scratchDirectory(tag)
        wav = dir.appendingPathComponent("counter.wav")
        journal = dir.appendingPathComponent("j.jsonl").path
        do {
            total = try FaultAudio.writeCounterWAV(to: wav, seconds: seconds)
            peers = try await ProxiedDouble(in: dir, proxyArgs: proxyArgs)
        } catch {
            try? FileManager.default.removeItem(at: dir)
            throw error
        }
    }

    /// `captty --plain` on the WAV through the proxy, journaling to `journal`, with `extra`
    /// arguments.
    func startPlainCaptty(_ extra: [String] = []) throws -> ChildProcess {
        try startCaptty(["--plain", "--file", wav.path] + extra + ["--engine", "deepgram", "--url", peers.url,
                                                                   "--journal", journal])
    }

    func stop() {
        peers.stop()
        try? FileManager.default.removeItem(at: dir)
    }
}
