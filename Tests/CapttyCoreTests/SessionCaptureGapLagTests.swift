import Audio
import CaptionUI
import Deepgram
import Foundation
import SpeechEngines
import Testing
import TestSupport
@testable import CapttyCore

/// The lag on the status bar after a capture outage: a private PulseAudio daemon is killed and
/// started again under a session captioning its null sink's monitor through the Deepgram test
/// double. The time without audio is not lag (the engine never had it to caption); the status
/// bar read the whole outage as lag until the engine's next result.
@Suite(.serialized) struct SessionCaptureGapLagTests {
    static func daemon(_ args: [String]) throws -> ProcessResult {
        try runProcess(TestPaths.packageRoot.appendingPathComponent("scripts/pulse-test-daemon").path, args, timeout: 60)
    }

    @Test(.timeLimit(.minutes(3))) func anOutageIsNotCountedAsLag() async throws {
        let dir = try scratchDirectory("gap-lag")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pulseDir = dir.appendingPathComponent("pulse").path
        let started = try Self.daemon(["start", "--dir", pulseDir])
        defer { _ = try? Self.daemon(["stop", "--dir", pulseDir, "--kill"]) }
        try #require(started.status == 0, "pulse-test-daemon: \(started.stderr)")
        let server = "unix:\(pulseDir)/runtime/pulse/native"
        try await withDeepgramDouble([]) { double in
            var config = LiveClientConfiguration(environment: [:])
            config.baseURL = double.baseURL
            let engine = DeepgramEngine(credential: .apiKey("test-key"), configuration: config)
            var options = PulseCaptureOptions(device: .named("captty_null.monitor"), server: server)
            options.reconnectDelay = 0.2
            options.maxReconnectDelay = 0.5
            let session = Session(source: try PulseCapture(options: options), engine: engine, options: .captionDefaults)
            typealias Outage = (noAudio: Bool, rms: Double)
            let (lags, outage): ((before: Int, after: [Int]), [Outage]) = try await within(.seconds(120), "captioning across a PulseAudio outage") {
                let recorder = Task { () -> ([(Int, Bool)], [Outage]) in
                    var seen: [(Int, Bool)] = []
                    var outage: [Outage] = []
                    for await _ in session.changes {
                        let v = session.view
                        if let lag = v.lagMilliseconds { seen.append((lag, v.warningCount > 0)) }
                        if v.deviceName.contains("audio lost") { outage.append((v.noAudio, v.level.rmsDB)) }
                    }
                    return (seen, outage)
                }
                await session.start()
                try await Task.sleep(for: .seconds(3))
                let before = session.view.lagMilliseconds ?? -1
                _ = try Self.daemon(["stop", "--dir", pulseDir, "--kill"])
                try await Task.sleep(for: .seconds(3))
                let again = try Self.daemon(["start", "--dir", pulseDir])
                try #require(again.status == 0, "\(again.stderr)")
                // Until capture is back ("… is back after 3.x s" is the session's warning) and a
                // second after it.
                let deadline = Date().addingTimeInterval(30)
                while session.view.warningCount == 0, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
                try await Task.sleep(for: .seconds(1))
                await session.finish()
                let (seen, outage) = await recorder.value
                return ((before, seen.filter(\.1).map(\.0)), outage)
            }
            #expect(lags.before >= 0 && lags.before < 1500, "lag before the outage: \(lags.before) ms")
            #expect(!lags.after.isEmpty, "capture did not come back")
            // The outage was over 3 s: a lag that counts it reads 3000+ ms right after.
            #expect((lags.after.max() ?? 0) < 2000, "lag after the outage: \(lags.after)")
            // During the outage the meter is empty (it froze at the last level) and the outage
            // notice is not wrapped in a "no audio from …" warning.
            #expect(!outage.isEmpty, "no outage seen")
            #expect(outage.allSatisfy { !$0.noAudio && $0.rms <= LevelMeter.floorDB }, "\(outage)")
        }
    }
}
