import Audio
import CaptionUI
import Deepgram
import Foundation
import SpeechEngines
import Testing
import TestSupport
import Transcript
@testable import CapttyCore

/// A dropped connection shows as "reconnecting in N s, attempt k" and the transcript comes
/// through whole (the client replays its buffered audio; the store drops repeated words).
@Suite(.serialized) struct SessionReconnectStatusTests {
    @Test func droppedConnectionShowsReconnectingAndLosesNothing() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 5, in: dir)
        // The double aborts the first connection (no close frame) after 2 s of audio.
        try await withDeepgramDouble(["--kill-after-bytes", "64000", "--kill-times", "1"]) { double in
            var config = LiveClientConfiguration(environment: [:])
            config.baseURL = double.baseURL
            config.reconnect = ReconnectPolicy(initialDelay: .milliseconds(300), maxDelay: .seconds(1), maxAttempts: 5)
            let engine = DeepgramEngine(credential: .apiKey("test-key"), configuration: config)
            let source = try await FileAudioSource(path: wav)
            let session = Session(source: source, engine: engine, options: .captionDefaults)
            let seen = try await within(.seconds(60), "captioning across a dropped connection") { () -> [ConnectionState] in
                let watcher = Task { () -> [ConnectionState] in
                    var states: [ConnectionState] = []
                    for await _ in session.changes {
                        let c = session.view.status.connection
                        if states.last != c { states.append(c) }
                    }
                    return states
                }
                await session.start()
                await session.waitUntilIdle()
                await session.finish()
                return await watcher.value
            }
            // The status says why: the double aborted the connection without a close frame.
            let reconnect = seen.first { if case .reconnecting = $0 { return true }; return false }
            guard case .reconnecting(1, 1, let reason)? = reconnect else {
                Issue.record("no reconnecting state: \(seen)")
                return
            }
            #expect(reason.hasPrefix("connection to Deepgram lost: the peer closed the connection without a close frame"), "\(reason)")
            #expect(!reason.contains("1006"), "\(reason)")
            #expect(seen.last == .finished)
            let stats = try double.stats()
            #expect(stats.connections.count == 2)
            let counts = await session.audioCounts
            #expect(counts.perRun == [counts.produced])
            let words = session.view.store.lines.flatMap(\.words)
            #expect(abs((words.first?.start ?? -1)) < 1e-3)
            #expect(abs((words.last?.end ?? -1) - 5.0) < 1e-3)
            for (a, b) in zip(words, words.dropFirst()) {
                #expect(b.start >= a.end - 1e-3, "overlap: \(a.word) [\(a.start)–\(a.end)] then \(b.word) [\(b.start)–\(b.end)]")
            }
        }
    }
}
