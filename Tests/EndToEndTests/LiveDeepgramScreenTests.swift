import Foundation
import Testing
import TestSupport

/// The full-screen app in tmux against the Deepgram protocol TEST DOUBLE on loopback (Deepgram
/// cannot be reached here; the double counts every audio byte per connection and names each
/// word by its byte offset, e.g. `b16000`).
@Suite(.serialized) struct LiveDeepgramScreenTests {
    static func command(_ d: DeepgramDoubleProcess, file: String, extra: String = "") -> String {
        "\(shellQuoted(TestPaths.capttyBinary.path)) --engine deepgram --url \(d.baseURL) --file \(shellQuoted(file)) --no-journal \(extra)"
    }

    /// `i` hides and shows the interim guess; `l` switches language over a new connection, and
    /// the two connections' byte counts add up to the whole file.
    @Test(.timeLimit(.minutes(2))) func interimToggleAndLanguageSwitchWithNoLostAudio() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 6, in: dir)
        // No finals until CloseStream: all the text on screen is interim.
        try await withDeepgramDouble(["--final-seconds", "100"]) { double in
            let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run(Self.command(double, file: wav))
            try tmux.waitFor(text: "b16000", timeout: 30)
            try tmux.press("i")
            try tmux.waitFor("interim hidden") { !$0.contains("b0 b16000") }
            try tmux.press("i")
            try tmux.waitFor(text: "b0 b16000")
            #expect(try tmux.screen().contains("· en"))
            try tmux.press("l")
            try tmux.waitFor(text: "· es")
            let done = try tmux.waitFor(text: "finished", timeout: 30)
            #expect(!done.contains("error"))
            try tmux.press("q")
            try tmux.waitForShell()
            let stats = try double.stats()
            #expect(stats.connections.count == 2)
            #expect(stats.connections.last?.query.contains("language=es") == true)
            #expect(stats.total_bytes == 6 * 32_000, "bytes per connection: \(stats.connections.map(\.bytes))")
            #expect(stats.connections.allSatisfy { $0.bytes > 0 && $0.close_stream == 1 })
        }
    }

    /// Space pauses: the status says so and no audio reaches the engine until resumed.
    @Test(.timeLimit(.minutes(2))) func spacePausesAndTheStatusSaysSo() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 8, in: dir)
        try await withDeepgramDouble { double in
            let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run(Self.command(double, file: wav))
            try tmux.waitFor(text: "live", timeout: 30)
            try tmux.waitFor(text: "b16000", timeout: 30)
            try tmux.press("Space")
            try tmux.waitFor(text: "paused")
            let recording = double.recordDir.appendingPathComponent("conn-000.bin").path
            func size() -> Int { ((try? FileManager.default.attributesOfItem(atPath: recording))?[.size] as? Int) ?? -1 }
            try await Task.sleep(for: .milliseconds(500))
            let atPause = size()
            try await Task.sleep(for: .milliseconds(1500))
            #expect(size() == atPause, "audio reached the engine while paused")
            try tmux.press("Space")
            try tmux.waitFor("resumed") { $0.contains("live") && !$0.contains("paused") }
            try tmux.waitFor(text: "finished", timeout: 30)
            #expect(size() > atPause)
            #expect(size() < 8 * 32_000)
            try tmux.press("q")
            try tmux.waitForShell()
        }
    }
}
