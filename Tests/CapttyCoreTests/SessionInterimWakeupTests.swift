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
    struct Outcome {
        var wakeups: Int; var interims: Int; var lines: [String]; var wokenLines: Int; var elapsed: Double
        /// Wake-ups where only the clock had moved since the one before.
        var clockOnly: Int
    }

    /// What a wake-up can be for, the clock aside: closed lines, connection, status, notices
    /// and warnings (the interim guess, the meter and the lag change without a signal here).
    static func signature(_ v: SessionView) -> String {
        let closed = v.store.lines.filter(\.isClosed).map { $0.words.map(\.text).joined(separator: " ") }
        return "\(closed) \(v.connection) \(v.paused) \(String(describing: v.save)) \(v.noAudio) \(v.noAudioArriving) "
            + "\(v.sourceEnded) \(v.engineStopped) \(v.finished) \(String(describing: v.notice)) \(v.warningCount) "
            + "\(String(describing: v.audioOutage)) \(v.runsStarted) \(v.deviceName)"
    }

    func caption(interimUpdates: Bool, clockUpdates: Bool = true, wav: String, double: DeepgramDoubleProcess) async throws -> Outcome {
        var config = LiveClientConfiguration(environment: [:])
        config.baseURL = double.baseURL
        let engine = CountingEngine(DeepgramEngine(credential: .apiKey("test-key"), configuration: config))
        var sessionConfig = Session.Configuration()
        sessionConfig.levelUpdates = false
        sessionConfig.interimUpdates = interimUpdates
        sessionConfig.clockUpdates = clockUpdates
        let session = Session(source: try await FileAudioSource(path: wav), engine: engine, options: .captionDefaults,
                              configuration: sessionConfig)
        return try await within(.seconds(60), "captioning 6 s of audio") {
            let watcher = Task { () -> (Int, Int, Int) in
                var wakeups = 0, closedSeen = 0, clockOnly = 0
                var last: (signature: String, elapsed: Double)?
                for await _ in session.changes {
                    wakeups += 1
                    let v = session.view
                    closedSeen = v.store.lines.filter(\.isClosed).count
                    let now = (signature: Self.signature(v), elapsed: v.elapsedSeconds)
                    if let last, last.signature == now.signature, last.elapsed != now.elapsed { clockOnly += 1 }
                    last = now
                }
                return (wakeups, closedSeen, clockOnly)
            }
            await session.start()
            await session.waitUntilIdle()
            await session.finish()
            let (wakeups, closedSeen, clockOnly) = await watcher.value
            let lines = session.view.store.lines.map { $0.words.map(\.text).joined(separator: " ") }
            return Outcome(wakeups: wakeups, interims: engine.interims, lines: lines, wokenLines: closedSeen,
                           elapsed: session.view.elapsedSeconds, clockOnly: clockOnly)
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

    /// Plain mode shows no clock: the session's new second does not wake it (`clockUpdates`
    /// false), though `view` still has the time; the status bar is woken every second.
    @Test func plainModeIsNotWokenByTheClock() async throws {
        let dir = try scratchDirectory("clock-wakeups")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 6, in: dir)
        try await withDeepgramDouble { double in
            let ticking = try await caption(interimUpdates: false, clockUpdates: true, wav: wav, double: double)
            let plain = try await caption(interimUpdates: false, clockUpdates: false, wav: wav, double: double)
            print("wake-ups with the clock \(ticking.wakeups) (\(ticking.clockOnly) for the clock alone), "
                  + "without \(plain.wakeups) (\(plain.clockOnly)); elapsed \(plain.elapsed) s")
            // 6 s of audio paced in real time: 5 new seconds on the clock, some of them with
            // nothing else new (finals come every 2 s and may coincide).
            #expect(ticking.clockOnly >= 2, "the screen's configuration was woken for the clock alone \(ticking.clockOnly) times")
            #expect(plain.clockOnly == 0, "plain mode was woken for the clock alone \(plain.clockOnly) times")
            #expect(plain.elapsed >= 5, "the view's clock stood at \(plain.elapsed) s")
            #expect(!plain.lines.isEmpty && plain.lines == ticking.lines)
            #expect(plain.wokenLines == plain.lines.count)
        }
    }
}
