import Foundation
import TestSupport

/// The Deepgram TEST DOUBLE (`deepgram_double.py`, records every byte per connection) behind
/// the loopback fault proxy (`fault_proxy.py`: stall, delay, inject frames, drop), both stopped
/// in every path. captty connects to the proxy.
final class ProxiedDouble: @unchecked Sendable {
    let double: ChildProcess
    let proxy: ChildProcess
    let recordDir: URL
    let proxyPort: Int

    init(in dir: URL, doubleArgs: [String] = [], proxyArgs: [String] = []) async throws {
        recordDir = dir.appendingPathComponent("double")
        let (d, dport) = try await Peer.launch("deepgram_double.py", [
            "--api-key", FaultAudio.apiKey, "--record-dir", recordDir.path, "--word-names", "counter",
            "--idle-timeout", "60"] + doubleArgs)
        double = d
        do {
            let (p, pport) = try await Peer.launch("fault_proxy.py", ["--upstream", "\(dport)",
                                                                     "--send-log", dir.appendingPathComponent("sent.jsonl").path] + proxyArgs)
            proxy = p
            proxyPort = pport
        } catch {
            d.stop()
            throw error
        }
    }

    var url: String { "ws://127.0.0.1:\(proxyPort)" }

    /// Sends a proxy command and waits for its `OK`.
    @discardableResult
    func command(_ line: String, timeout: Double = 30) async -> Bool {
        let before = proxy.stdoutLines.count
        proxy.send(line)
        let verb = line.split(separator: " ").first.map(String.init) ?? line
        return await proxy.waitForLine(after: before, timeout: timeout, { $0.hasPrefix("OK \(verb)") }) != nil
    }

    /// Bytes the double has recorded so far (all connections).
    func bytesReceived() -> Int {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: recordDir.path)) ?? []
        return files.filter { $0.hasSuffix(".bin") }.reduce(0) { sum, f in
            sum + ((try? FileManager.default.attributesOfItem(atPath: recordDir.appendingPathComponent(f).path)[.size] as? Int) ?? 0)
        }
    }

    /// Waits until the double has recorded at least `bytes`.
    func waitForBytes(_ bytes: Int, timeout: Double) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            if bytesReceived() >= bytes { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    func stop() {
        proxy.stop(grace: 1)
        double.stop(grace: 1)
    }

    deinit { stop() }
}
