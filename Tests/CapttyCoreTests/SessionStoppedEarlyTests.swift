import Audio
import Deepgram
import Foundation
import SpeechEngines
import Testing
import TestSupport
@testable import CapttyCore

/// `Session.Summary.stoppedEarly`: a file quit before its end says how far it got, but not when
/// the engine had already failed (a refused key): the full screen said "stopped at 00:00:03 …
/// the rest was not captioned" after a 401, as if 3 s had been captioned (found in QA).
@Suite(.serialized) struct SessionStoppedEarlyTests {
    func quit(after: Duration, doubleArgs: [String], until ready: @escaping @Sendable (SessionView) -> Bool) async throws -> Session.Summary {
        let dir = try scratchDirectory("stopped-early")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 20, in: dir)
        return try await withDeepgramDouble(doubleArgs) { double in
            var config = LiveClientConfiguration(environment: [:])
            config.baseURL = double.baseURL
            let session = Session(source: try await FileAudioSource(path: wav),
                                  engine: DeepgramEngine(credential: .apiKey("test-key"), configuration: config), options: .captionDefaults)
            return try await within(.seconds(60), "quitting a file part way") {
                await session.start()
                while !ready(session.view) { try await Task.sleep(for: .milliseconds(50)) }
                try await Task.sleep(for: after)
                return await session.finish(userAsked: true)
            }
        }
    }

    @Test(.timeLimit(.minutes(2))) func aFileQuitPartWaySaysHowFarItGot() async throws {
        let summary = try await quit(after: .seconds(3), doubleArgs: []) { $0.connection == .live }
        let early = try #require(summary.stoppedEarly)
        #expect(early.at >= 2 && early.at < 10 && early.length == 20, "\(early)")
        #expect(early.note.hasPrefix("stopped at 00:00:0") && early.note.hasSuffix("(00:00:20 long): the rest was not captioned"), "\(early.note)")
    }

    @Test(.timeLimit(.minutes(2))) func notAfterTheEngineRefusedTheKey() async throws {
        let summary = try await quit(after: .seconds(2), doubleArgs: ["--refuse", "401"]) {
            if case .error = $0.connection { true } else { false }
        }
        #expect(summary.stoppedEarly == nil, "\(String(describing: summary.stoppedEarly))")
    }
}
