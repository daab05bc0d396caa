import Foundation
import Testing
import TestSupport

/// SIGTERM (or Ctrl-C) to `captty serve` with clients connected: each gets a close frame with
/// 1001 (going away), which Deepgram's SDKs and captty answer by reconnecting, instead of a
/// dropped TCP connection (1006) mid-stream. Found by a QA pass; the client is the Python
/// `websockets` library (`local_server_probe.py hold`).
@Suite(.serialized) struct ServeShutdownTests {
    @Test(.timeLimit(.minutes(2))) func sigtermClosesOpenStreamsWith1001() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("captty-serve-log-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: log) }
        let server = try ServeProcess([], environment: ["CAPTTY_LOG": log.path])
        defer { server.stop() }
        // Two clients: every open stream gets its close, not only the first.
        var peers: [(Process, Collected)] = []
        defer { for (p, _) in peers where p.isRunning { p.terminate() } }
        for _ in 0 ..< 2 {
            let peer = Process()
            let out = Pipe()
            peer.executableURL = URL(fileURLWithPath: TestPaths.python)
            peer.arguments = ["-u", TestPaths.peers.appendingPathComponent("local_server_probe.py").path, "hold", server.url, "60"]
            peer.standardOutput = out
            peer.standardInput = FileHandle.nullDevice
            try peer.run()
            let collected = Collected()
            PipeEOF().read(out.fileHandleForReading) { collected.append($0) }
            peers.append((peer, collected))
        }
        for (_, collected) in peers {
            #expect(await collected.waitFor("RESULT {\"open\": true}", timeout: 30), "\(collected.text)")
        }
        kill(server.pid, SIGTERM)
        for (_, collected) in peers {
            #expect(await collected.waitFor("CLOSED ", timeout: 20), "\(collected.text)")
            let line = collected.text.split(separator: "\n").first { $0.hasPrefix("CLOSED ") }.map(String.init) ?? ""
            let closed = try JSONSerialization.jsonObject(with: Data(line.dropFirst("CLOSED ".count).utf8)) as? [String: Any]
            #expect(closed?["code"] as? Int == 1001, "\(line)")
            #expect((closed?["reason"] as? String)?.contains("shutting down") == true, "\(line)")
        }
        #expect(server.stop() == 0, "stderr: \(server.stderr)")
        #expect(server.stderr.contains("shutting down"))
        // Logged as closed by the shutdown, not as left by their clients.
        let logged = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(logged.components(separatedBy: "ended: serverShutdown").count == 3, "log: \(logged)")
        #expect(!logged.contains("ended: clientGone"), "log: \(logged)")
    }
}

/// Output of a child, appended from its pipe's handler.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ d: Data) { lock.withLock { data.append(d) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    func waitFor(_ s: String, timeout: Double) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            if text.contains(s) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return text.contains(s)
    }
}
