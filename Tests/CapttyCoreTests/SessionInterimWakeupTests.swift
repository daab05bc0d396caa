import Audio
import Deepgram
import Foundation
import SpeechEngines
import Testing
import TestSupport
@testable import CapttyCore

/// Plain mode shows no interim guess: an interim result does not wake it (`interimUpdates`
/// false), while every final line and status change still does. The screen is woken by each.
@Suite(.serialized) struct SessionInterimWakeupTests {
    struct Outcome { var wakeups: Int; var interims: Int; var lines: [String]; var wokenLines: Int }

    func caption(interimUpdates: Bool, wav: String, double: DeepgramDoubleProcess) async throws -> Outcome {
        var config = LiveClientConfiguration(environment: [:])
        config.baseURL = double.baseURL
        let engine = CountingEngine(DeepgramEngine(credential: .apiKey("test-key"), configuration: config))
        var sessionConfig = Session.Configuration()
        sessionConfig.levelUpdates = false
        sessionConfig.interimUpdates = interimUpdates
        let session = Session(source: try await FileAudioSource(path: wav), engine: engine, options: .captionDefaults,
                              configuration: sessionConfig)
        return try await within(.seconds(60), "captioning 6 s of audio") {
            let watcher = Task { () -> (Int, Int) in
                var wakeups = 0, closedSeen = 0
                for await _ in session.changes {
                    wakeups += 1
                    closedSeen = session.view.store.lines.filter(\.isClosed).count
                }
                return (wakeups, closedSeen)
            }
            await session.start()
            await session.waitUntilIdle()
            await session.finish()
            let (wakeups, closedSeen) = await watcher.value
            let lines = session.view.store.lines.map { $0.words.map(\.text).joined(separator: " ") }
            return Outcome(wakeups: wakeups, interims: engine.interims, lines: lines, wokenLines: closedSeen)
        }
    }

    @Test func plainModeIsNotWokenForInterims() async throws {
        let dir = try scratchDirectory("interim-wakeups")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 6, in: dir)
        try await withDeepgramDouble { double in
            let screen = try await caption(interimUpdates: true, wav: wav, double: double)
            let plain = try await caption(interimUpdates: false, wav: wav, double: double)
            print("interim wake-ups: screen \(screen.wakeups) wake-ups for \(screen.interims) interims; "
                  + "plain \(plain.wakeups) for \(plain.interims) interims; \(plain.lines.count) lines")
            // The double sends an interim per 0.5 s word and a final every 2 s.
            #expect(plain.interims >= 6 && screen.interims >= 6)
            // Each interim is a wake-up for the screen, none for plain mode.
            #expect(screen.wakeups - plain.wakeups >= plain.interims / 2,
                    "screen \(screen.wakeups), plain \(plain.wakeups), interims \(plain.interims)")
            // Plain mode still sees every line, closed, as the screen does.
            #expect(!plain.lines.isEmpty && plain.lines == screen.lines)
            #expect(plain.wokenLines == plain.lines.count)
        }
    }
}
