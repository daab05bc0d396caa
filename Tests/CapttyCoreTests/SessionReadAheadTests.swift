import Audio
import Deepgram
import Foundation
import SpeechEngines
import Testing
import TestSupport
@testable import CapttyCore

/// A file read as fast as possible is not read into memory ahead of an engine that cannot keep
/// up: the pump waits when the engine is about 1 MiB behind (it used to read the whole file),
/// and that wait is not taken for silence.
@Suite(.serialized) struct SessionReadAheadTests {
    @Test func aStalledEngineStopsTheFileBeingReadAhead() async throws {
        let dir = try scratchDirectory("readahead")
        defer { try? FileManager.default.removeItem(at: dir) }
        let seconds = 600.0
        let wav = try TestAudio.tone(seconds: seconds, in: dir)      // 19.2 MB of 16 kHz audio
        let fileBytes = Int(seconds * 32_000)
        // The server stops reading after 64 KiB: the socket fills, then the client's replay
        // buffer (60 s = 1.92 MB), then the session's input must stop growing.
        try await withDeepgramDouble(["--freeze-after-bytes", "65536"]) { double in
            var config = LiveClientConfiguration(environment: [:])
            config.baseURL = double.baseURL
            config.reconnect.maxAttempts = 0
            let engine = DeepgramEngine(credential: .apiKey("test-key"), configuration: config)
            let source = try await FileAudioSource(path: wav, options: FileSourceOptions(pacing: .asFastAsPossible))
            var sc = Session.Configuration()
            sc.finishTimeout = .seconds(2)
            sc.silenceSeconds = 1
            let session = Session(source: source, engine: engine, options: .captionDefaults, configuration: sc)
            try await within(.seconds(60), "a stalled engine") {
                await session.start()
                // Wait until reading has stopped: no growth for one second (bounded).
                _ = try await steadyValue(within: .seconds(12), every: .seconds(1)) { await session.audioCounts.produced }
                let produced = await session.audioCounts.produced
                #expect(produced > 65_536, "audio was read at all")
                // Socket buffers (a few MB on loopback) + 1.92 MB replay buffer + 1 MiB backlog:
                // far less than the file.
                #expect(produced < fileBytes / 2, "read \(produced) of \(fileBytes) bytes ahead of a stalled engine")
                // A file waiting for the engine is not a silent microphone: it said "no audio from
                // tone.wav — check it is on and not muted".
                try await Task.sleep(for: .seconds(2))
                #expect(await session.audioCounts.produced == produced)
                #expect(!session.view.noAudio, "a file held back by the engine was said to give no audio")
                await session.finish()
            }
        }
    }
}
