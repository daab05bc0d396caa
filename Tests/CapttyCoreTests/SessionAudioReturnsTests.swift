import Audio
import Deepgram
import Foundation
import SpeechEngines
import Testing
import TestSupport
@testable import CapttyCore

/// `SessionView.audioReturns` counts each time audio came again after "no audio", so a reader
/// that looks only now and then (plain mode) can say "audio again" for a return it did not see
/// happen: a pipe that stalled and then gave its last second of audio and ended at once went
/// unsaid, because by the next look the input had ended (seen in CI).
@Suite(.serialized) struct SessionAudioReturnsTests {
    /// Feeds a pipe: a WAV header and 1 s of tone, `stall` of nothing, then `after` bytes of
    /// tone and the end. Returns the view once the session has finished.
    func feed(stall: Duration, after: Int, double: DeepgramDoubleProcess) async throws -> (view: SessionView, sawNoAudio: Bool) {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        let dir = try scratchDirectory("audio-returns")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try Data(contentsOf: URL(fileURLWithPath: try TestAudio.tone(seconds: 2, in: dir)))
        var config = LiveClientConfiguration(environment: [:])
        config.baseURL = double.baseURL
        // Written from the start: opening the source reads the WAV header.
        let writer = Task.detached { () -> Bool in
            func write(_ d: Data) -> Bool {
                d.withUnsafeBytes { p in
                    var off = 0
                    while off < p.count {
                        let n = Foundation.write(writeEnd, p.baseAddress! + off, p.count - off)
                        if n <= 0 { return false }
                        off += n
                    }
                    return true
                }
            }
            defer { close(writeEnd) }
            guard write(wav.prefix(44 + 32_000)) else { return false }
            try? await Task.sleep(for: stall)
            return write(wav.dropFirst(44 + 32_000).prefix(after))
        }
        var sessionConfig = Session.Configuration()
        sessionConfig.silenceSeconds = 1
        let source = try await FileAudioSource(fileDescriptor: readEnd, name: "standard input")
        close(readEnd)   // the source reads its own copy
        let session = Session(source: source, engine: DeepgramEngine(credential: .apiKey("test-key"), configuration: config),
                              options: .captionDefaults, configuration: sessionConfig)
        return try await within(.seconds(60), "captioning a pipe that stalls") {
            let watcher = Task { () -> Bool in
                var saw = false
                for await _ in session.changes where session.view.noAudio { saw = true }
                return saw
            }
            await session.start()
            #expect(await writer.value, "writing the pipe failed")
            await session.waitUntilIdle()
            await session.finish()
            return (session.view, await watcher.value)
        }
    }

    @Test(.timeLimit(.minutes(2))) func audioAfterAStallIsCountedEvenWhenTheInputEndsRightAfter() async throws {
        try await withDeepgramDouble { double in
            let (v, sawNoAudio) = try await feed(stall: .seconds(4), after: 32_000, double: double)
            #expect(sawNoAudio && v.sourceEnded)
            #expect(v.audioReturns == 1, "audio returned \(v.audioReturns) times")
        }
    }

    @Test(.timeLimit(.minutes(2))) func aStallThatEndsWithTheInputIsNoReturn() async throws {
        try await withDeepgramDouble { double in
            let (v, sawNoAudio) = try await feed(stall: .seconds(4), after: 0, double: double)
            #expect(sawNoAudio && v.sourceEnded)
            #expect(v.audioReturns == 0, "audio returned \(v.audioReturns) times")
        }
    }

    @Test(.timeLimit(.minutes(2))) func noStallNoReturn() async throws {
        try await withDeepgramDouble { double in
            let (v, sawNoAudio) = try await feed(stall: .zero, after: 32_000, double: double)
            #expect(!sawNoAudio && v.sourceEnded)
            #expect(v.audioReturns == 0, "audio returned \(v.audioReturns) times")
        }
    }
}
