import Foundation
import Testing
import TestSupport

/// Plain mode stops when the engine stops for good, also while audio keeps coming (a microphone,
/// an endless pipe). Found by an audit: after a refused key it printed the error, then read
/// audio that went nowhere until Ctrl-C. Against the Deepgram TEST DOUBLE
/// (Tests/Peers/deepgram_double.py), which answers 401 to any other key.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct PlainModeEngineStopTests {
    @Test func aRefusedKeyEndsPlainModeWhileAudioKeepsComing() async throws {
        let double = try await DeepgramDoubleProcess.launch(["--api-key", "the-right-key"])
        defer { double.stop() }
        let captty = TestPaths.capttyBinary.path
        // Endless silence, paced by captty's reading (real time).
        let command = "cat /dev/zero | '\(captty)' --plain --engine deepgram --url \(double.baseURL) "
            + "--file - --raw-format s16le:16000:1 --no-journal"
        let started = ContinuousClock.now
        let r = try runProcess("/bin/sh", ["-c", command], environment: ["DEEPGRAM_API_KEY": "a-wrong-key-4411"], timeout: 60)
        let took = (ContinuousClock.now - started).inSeconds
        #expect(!r.timedOut, "plain mode still running after 60 s: \(r.stderr)")
        #expect(r.status != 0, "a refused key is a failure: \(r.stderr)")
        #expect(r.stderr.contains("401"), "\(r.stderr)")
        #expect(took < 30, "took \(took) s to stop")
        #expect(!r.stderr.contains("a-wrong-key-4411"))
    }
}
