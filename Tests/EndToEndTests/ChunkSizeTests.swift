import Foundation
import Testing
import TestSupport

/// `--chunk-ms` / `chunk_ms`: how much audio each message to the engine carries, against the
/// Deepgram protocol TEST DOUBLE on loopback (it counts frames and bytes per connection).
@Suite(.serialized) struct ChunkSizeTests {
    /// Runs captty in plain mode on a 6 s tone at 4× real time; returns the double's only connection.
    static func stream(_ extra: [String], in dir: URL) async throws -> (DeepgramDoubleProcess.Stats.Conn, ProcessResult) {
        let wav = try TestAudio.tone(seconds: 6, in: dir)
        return try await withDeepgramDouble { double in
            let r = try runCaptty(["--plain", "--engine", "deepgram", "--url", double.baseURL, "--file", wav,
                                   "--speed", "4", "--no-journal"] + extra,
                                  environment: ["DEEPGRAM_API_KEY": "test-key", "HOME": dir.path], timeout: 60)
            let stats = try double.stats()
            try #require(stats.connections.count == 1, "connections: \(stats.connections.count); stderr: \(r.stderr)")
            return (stats.connections[0], r)
        }
    }

    @Test(.timeLimit(.minutes(2))) func largerChunksMeanFewerWholerMessagesAndNoLostAudio() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (big, r1) = try await Self.stream(["--chunk-ms", "250"], in: dir)
        let (small, r2) = try await Self.stream([], in: dir)
        #expect(r1.status == 0, "stderr: \(r1.stderr)")
        #expect(r2.status == 0, "stderr: \(r2.stderr)")
        #expect(big.bytes == 6 * 32_000 && small.bytes == 6 * 32_000, "bytes: \(big.bytes), \(small.bytes)")
        // 250 ms of 16 kHz linear16 is 8000 bytes: no message smaller than that but the last
        // (several chunks may share a frame when the sender falls behind, never the other way).
        #expect(big.frames <= (big.bytes + 7999) / 8000, "frames at 250 ms: \(big.frames)")
        #expect(small.frames > 3 * big.frames, "frames at 50 ms: \(small.frames), at 250 ms: \(big.frames)")
        #expect(big.empty_frames == 0 && small.empty_frames == 0)
    }

    @Test func aChunkSizeOutsideDeepgramsRangeIsRefused() throws {
        let r = try runCaptty(["--plain", "--engine", "local", "--file", TestAudio.preamble, "--no-journal", "--chunk-ms", "10"],
                              timeout: 30)
        #expect(r.status != 0)
        #expect(r.stderr.contains("--chunk-ms 10 is outside 20-250"), "stderr: \(r.stderr)")
    }

    @Test func theConfigFileSetsTheChunkSizeWithinRange() throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cfg = dir.appendingPathComponent("config.toml")
        try "engine = \"local\"\nchunk_ms = 300\n".write(to: cfg, atomically: true, encoding: .utf8)
        let r = try runCaptty(["--plain", "--config", cfg.path, "--file", TestAudio.preamble, "--no-journal"], timeout: 30)
        #expect(r.status == 78)
        #expect(r.stderr.contains("\(cfg.path):2"), "stderr: \(r.stderr)")
        #expect(r.stderr.contains("chunk_ms"), "stderr: \(r.stderr)")
    }
}
