import Audio
import Deepgram
import Foundation
import SpeechEngines
import TestSupport
import Testing

/// `DeepgramEngine`: a `SpeechEngine` over `AudioChunk` streams, run against the Deepgram TEST
/// DOUBLE (Tests/Peers/deepgram_double.py; Deepgram itself cannot be reached here).
@Suite(.serialized) struct DeepgramEngineTests {
    @Test func optionsTakeTheAudioFormatWhenUnset() {
        let o = DeepgramEngine.options(LiveOptions(model: .nova3), for: AudioFormat(encoding: .mulaw, sampleRate: 8_000, channels: 2))
        #expect(o.encoding == .mulaw && o.sampleRate == 8_000 && o.channels == 2)
        let f = DeepgramEngine.options(LiveOptions(), for: AudioFormat(encoding: .float32, sampleRate: 48_000))
        #expect(f.encoding == .linear16 && f.sampleRate == 48_000 && f.channels == 1)
        // Deepgram's linear32 is "32-bit, little endian, floating-point PCM": asked for, it is
        // sent as float (it was sent as 32-bit integers).
        #expect((try? DeepgramEngine.wireFormat(LiveOptions(encoding: .linear32, sampleRate: 16_000)))?.encoding == .float32)
        let kept = DeepgramEngine.options(LiveOptions(encoding: .linear16, sampleRate: 16_000, channels: 1),
                                          for: AudioFormat(encoding: .float32, sampleRate: 44_100, channels: 2))
        #expect(kept.encoding == .linear16 && kept.sampleRate == 16_000 && kept.channels == 1)
    }

    @Test func engineStreamsChunksFinishesAtEndOfAudioAndEndsTheEventStream() async throws {
        let double = try await DeepgramDoubleProcess.launch(["--api-key", "engine-key"])
        defer { double.stop() }
        var config = LiveClientConfiguration(environment: ["DEEPGRAM_URL": double.baseURL])
        config.replayPacing = .unlimited
        config.logger.logLevel = .critical
        let engine = DeepgramEngine(credential: .apiKey("engine-key"), configuration: config)
        let format = AudioFormat.speech16k
        let audio = AsyncThrowingStream<AudioChunk, Error> { c in
            for k in 0..<25 { // 2.5 s in 100 ms chunks
                c.yield(AudioChunk(format: format, data: [UInt8](repeating: UInt8(k), count: 3_200), startFrame: Int64(k * 1_600)))
            }
            c.finish()
        }
        var events: [LiveEvent] = []
        for try await e in engine.transcribe(audio, options: LiveOptions(model: .nova3)) { events.append(e) }
        #expect(engine.name == "deepgram")
        let finals = events.compactMap { e -> Results? in if case .results(let r) = e, r.isFinal { return r } else { return nil } }
        #expect(finals.map(\.end) == [2.0, 2.5]) // the last one only comes after CloseStream
        #expect(events.contains { if case .metadata = $0 { return true } else { return false } })
        if case .close(let code, _)? = events.last { #expect(code == 1000) } else { Issue.record("no .close at the end") }
        let query = try double.stats().connections.first?.query ?? ""
        #expect(query.contains("encoding=linear16") && query.contains("sample_rate=16000") && query.contains("channels=1"))
    }

    @Test func fatalRefusalIsYieldedThenThrown() async throws {
        let double = try await DeepgramDoubleProcess.launch(["--api-key", "engine-key"])
        defer { double.stop() }
        let engine = DeepgramEngine(credential: .apiKey("not-the-key"),
                                    configuration: LiveClientConfiguration(environment: ["DEEPGRAM_URL": double.baseURL]))
        let audio = AsyncThrowingStream<AudioChunk, Error> { c in
            c.yield(AudioChunk(format: .speech16k, data: [UInt8](repeating: 0, count: 3_200))); c.finish()
        }
        var sawError = false
        do {
            for try await e in engine.transcribe(audio, options: LiveOptions()) {
                if case .error(let le) = e, le.isFatal { sawError = true }
            }
            Issue.record("no error thrown")
        } catch let e as LiveError {
            #expect(e.httpStatus == 401 && e.isFatal)
            #expect(!e.description.contains("not-the-key"))
        }
        #expect(sawError)
    }

    @Test func float32AudioIsSentAsLinear16() async throws {
        let double = try await DeepgramDoubleProcess.launch(["--api-key", "engine-key"])
        defer { double.stop() }
        let engine = DeepgramEngine(credential: .apiKey("engine-key"),
                                    configuration: LiveClientConfiguration(environment: ["DEEPGRAM_URL": double.baseURL]))
        let samples: [Float] = [0, 0.5, -0.5, 1, -1, 2]
        var data: [UInt8] = []
        for s in samples { withUnsafeBytes(of: s.bitPattern.littleEndian) { data += $0 } }
        let audio = AsyncThrowingStream<AudioChunk, Error> { c in
            c.yield(AudioChunk(format: AudioFormat(encoding: .float32, sampleRate: 16_000), data: data)); c.finish()
        }
        for try await _ in engine.transcribe(audio, options: LiveOptions()) {}
        let received = try double.received(connection: 0)
        let pcm = stride(from: 0, to: received.count, by: 2).map { Int16(bitPattern: UInt16(received[$0]) | UInt16(received[$0 + 1]) << 8) }
        #expect(pcm == [0, 16384, -16384, 32767, -32768, 32767])   // SampleCodec's scaling, as for files
    }

    /// 100 ms chunks of a 16 kHz tone.
    private static func tone16k(seconds: Int) -> (chunks: [AudioChunk], bytes: [UInt8]) {
        var bytes: [UInt8] = []
        for i in 0..<(16_000 * seconds) {
            let v = Int16((sin(Double(i) * 2 * .pi * 440 / 16_000) * 12_000).rounded())
            bytes += [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8)]
        }
        let chunks = stride(from: 0, to: bytes.count, by: 3_200).map {
            AudioChunk(format: .speech16k, data: Array(bytes[$0..<min($0 + 3_200, bytes.count)]), startFrame: Int64($0 / 2))
        }
        return (chunks, bytes)
    }

    private static func stream(_ chunks: [AudioChunk]) -> AsyncThrowingStream<AudioChunk, Error> {
        AsyncThrowingStream { c in for k in chunks { c.yield(k) }; c.finish() }
    }

    /// `--encoding mulaw --sample-rate 8000` with 16 kHz linear16 audio: Deepgram reads the
    /// bytes as the query says, so they must be mu-law at 8 kHz (they were sent unchanged).
    @Test func optionsAskingForAnotherFormatAreWhatIsSent() async throws {
        let double = try await DeepgramDoubleProcess.launch(["--api-key", "engine-key"])
        defer { double.stop() }
        var config = LiveClientConfiguration(environment: ["DEEPGRAM_URL": double.baseURL])
        config.logger.logLevel = .critical
        let engine = DeepgramEngine(credential: .apiKey("engine-key"), configuration: config)
        let (chunks, bytes) = Self.tone16k(seconds: 2)
        for try await _ in engine.transcribe(Self.stream(chunks), options: LiveOptions(encoding: .mulaw, sampleRate: 8_000)) {}
        let query = try double.stats().connections.first?.query ?? ""
        #expect(query.contains("encoding=mulaw") && query.contains("sample_rate=8000") && query.contains("channels=1"), "\(query)")
        var converter = try AudioConverter(input: PCMFormat(.speech16k), output: AudioFormat(encoding: .mulaw, sampleRate: 8_000))
        let expected = converter.convert(bytes) + converter.flush()
        let received = try double.received(connection: 0)
        #expect(received.count == expected.count && abs(received.count - 16_000) < 64, "\(received.count) bytes for 2 s of 8 kHz mu-law")
        #expect(received == expected)
    }

    @Test func anEncodingCapttyCannotProduceIsAClearFatalErrorBeforeConnecting() async throws {
        let double = try await DeepgramDoubleProcess.launch(["--api-key", "engine-key"])
        defer { double.stop() }
        let engine = DeepgramEngine(credential: .apiKey("engine-key"),
                                    configuration: LiveClientConfiguration(environment: ["DEEPGRAM_URL": double.baseURL]))
        for (options, words) in [(LiveOptions(encoding: .flac), "captty sends uncompressed audio"),
                                 (LiveOptions(channels: 2), "the audio has 1 channel(s), which cannot become 2: ask for 1 (--channels)"),
                                 (LiveOptions(sampleRate: 100), "sample rate 100 Hz cannot be sent")] {
            do {
                for try await _ in engine.transcribe(Self.stream(Self.tone16k(seconds: 1).chunks), options: options) {}
                Issue.record("no error for \(options)")
            } catch let e as LiveError {
                #expect(e.isFatal && e.kind == .badAudio)
                #expect(e.description.contains(words), "\(e)")
            }
        }
        // The double writes its stats file at the first connection.
        #expect((try? double.stats().connections.isEmpty) ?? true, "it connected for audio it cannot send as announced")
    }
}
