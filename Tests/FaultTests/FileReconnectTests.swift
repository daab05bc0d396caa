import Foundation
import Testing
import TestSupport

/// A file read faster than real time, and the connection drops once (the Deepgram TEST DOUBLE
/// is killed after 2 s of audio and comes back). Found by probing: `captty transcribe` of a
/// 150 s file reported "dropped the oldest 87.2 s of audio" and still wrote its transcript with
/// exit 0. While disconnected the client dropped audio past its 60 s replay limit, as it must
/// for a microphone; a file can wait, so now it does, and every byte reaches the server.
@Suite(.serialized) struct FileReconnectTests {
    static let seconds = 150
    static var total: Int { seconds * 32_000 }

    /// Runs captty with `args` (the WAV path and the URL are appended as needed) against a
    /// double that drops the first connection after 64000 bytes; returns (captty, stats).
    func run(_ args: (String, String) -> [String]) async throws -> (ChildProcess, DeepgramDoubleProcess.Stats, URL) {
        let dir = try scratchDirectory("file-reconnect")
        let wav = try TestAudio.tone(seconds: Double(Self.seconds), in: dir)
        let double = try await DeepgramDoubleProcess.launch(["--kill-after-bytes", "64000", "--kill-times", "1"])
        defer { double.stop() }
        let captty = try startCaptty(args(wav, double.baseURL), environment: ["HOME": dir.path, "XDG_DATA_HOME": dir.path,
                                                                               "DEEPGRAM_API_KEY": "test-key"])
        defer { captty.stop() }
        #expect(await captty.waitExit(timeout: 90), "captty did not finish; stderr: \(captty.stderrText)")
        return (captty, try double.stats(), dir)
    }

    func expectNothingLost(_ captty: ChildProcess, _ stats: DeepgramDoubleProcess.Stats, _ what: String) {
        let bytes = stats.connections.map(\.bytes)
        print("\(what): \(Self.total) bytes in the file, the server got \(bytes) over \(bytes.count) connections; \(captty.ending)")
        #expect(captty.ending == "exit 0", "stderr: \(captty.stderrText)")
        #expect(!captty.stderrText.contains("dropped"), "audio was dropped: \(captty.stderrText)")
        #expect(stats.connections.count == 2, "\(bytes)")
        // The second connection replays from the last final (at most the 64000 bytes the first
        // one got) to the end of the file.
        if let first = bytes.first, let second = bytes.last, bytes.count == 2 {
            #expect(first == 64_000)
            #expect(second >= Self.total - first && second <= Self.total, "the second connection got \(second) bytes")
        }
        #expect(stats.connections.last?.close_stream == 1)
    }

    @Test(.timeLimit(.minutes(2))) func transcribeLosesNothingAcrossADrop() async throws {
        let (captty, stats, dir) = try await run { wav, url in
            ["transcribe", "--engine", "deepgram", "--url", url, wav, "-o", wav + ".txt"]
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        expectNothingLost(captty, stats, "transcribe")
    }

    @Test(.timeLimit(.minutes(2))) func liveFileAtFullSpeedLosesNothingAcrossADrop() async throws {
        let (captty, stats, dir) = try await run { wav, url in
            ["--plain", "--file", wav, "--speed", "0", "--engine", "deepgram", "--url", url, "--no-journal"]
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        expectNothingLost(captty, stats, "live --file --speed 0")
    }
}
