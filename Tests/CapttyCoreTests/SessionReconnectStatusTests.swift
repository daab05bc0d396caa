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

    /// Live captions do not give up: an outage far longer than a batch job's 10 attempts is
    /// waited out, the status counting attempts and saying why, and when the server comes back
    /// the audio kept meanwhile reaches it whole. (Delays are shortened for the test; the live
    /// launcher's engine has the same unlimited policy with 1–10 s delays.)
    @Test func aLongOutageIsWaitedOutNotGivenUpOn() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 6, in: dir)
        let port = try freeLoopbackPort()
        var config = LiveClientConfiguration(environment: [:])
        config.baseURL = "ws://127.0.0.1:\(port)"
        config.reconnect = ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(40), maxAttempts: .max)
        let engine = DeepgramEngine(credential: .apiKey("test-key"), configuration: config)
        let session = Session(source: try await FileAudioSource(path: wav), engine: engine, options: .captionDefaults)
        await session.start()
        // Wait for attempt 25: two and a half times where a batch job stops.
        let reached = try await within(.seconds(30), "25 reconnect attempts") { () -> ConnectionState in
            while true {
                let c = session.view.status.connection
                if case .reconnecting(_, let attempt, _) = c, attempt >= 25 { return c }
                if case .error = c { return c }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        guard case .reconnecting(_, _, let reason) = reached else {
            Issue.record("gave up: \(reached)")
            await session.finish()
            return
        }
        #expect(reason.contains("127.0.0.1:\(port)") && reason.contains("Connection refused"), "\(reason)")
        try await withDeepgramDouble(["--port", "\(port)"]) { double in
            try await within(.seconds(60), "captioning once the server is back") {
                await session.waitUntilIdle()
                await session.finish()
            }
            #expect(session.view.status.connection == .finished)
            let counts = await session.audioCounts
            let stats = try double.stats()
            print("long outage: \(counts.produced) bytes produced, the server got \(stats.total_bytes) over \(stats.connections.count) connection(s)")
            #expect(stats.total_bytes == counts.produced, "audio kept during the outage was lost")
            let words = session.view.store.lines.flatMap(\.words)
            #expect(abs((words.first?.start ?? -1)) < 1e-3)
            #expect(abs((words.last?.end ?? -1) - 6.0) < 1e-3)
        }
    }
}
