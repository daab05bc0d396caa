import Foundation
import Testing
import TestSupport
import Audio

/// The real recordings Deepgram's SDK streams (mu-law 8 kHz, PCM 22.05 kHz) decode correctly.
@Suite(.timeLimit(.minutes(3)))
struct FixtureRecordingTests {
    static let audio = TestPaths.deepgramFixtures.appendingPathComponent("audio")
    private func path(_ name: String) -> String { Self.audio.appendingPathComponent(name).path }

    @Test func mulawRecordingDecodesExactlyLikeSox() async throws {
        let p = path("preamble-websocket.wav")
        let source = try await FileAudioSource(path: p, options: fastOptions(rate: 8000))
        #expect(source.inputFormat == PCMFormat(encoding: .mulaw, sampleRate: 8000, channels: 1))
        let ours = int16s(try await drain(source).bytes)
        let sox = try Signal.soxSamples(p, rate: 8000).map { Int16($0 * 32768) }
        #expect(ours.count == 152_784)
        #expect(ours == sox)
    }

    @Test func mulawRecordingPassesThroughAsMulaw() async throws {
        let p = path("testing-websocket.wav")
        var options = FileSourceOptions(passThrough: [.mulaw, .linear16], pacing: .asFastAsPossible)
        options.chunkDuration = 0.1
        let source = try await FileAudioSource(path: p, options: options)
        #expect(source.format == AudioFormat(encoding: .mulaw, sampleRate: 8000, channels: 1))
        let r = try await drain(source)
        let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: p)))
        let header = try #require(source.wavHeader)
        let expected = Array(file[header.dataOffset..<(header.dataOffset + Int(header.dataLength ?? Int64(file.count - header.dataOffset)))])
        #expect(r.bytes == expected)
        #expect(r.chunks.dropLast().allSatisfy { $0.data.count == 800 })    // 100 ms of 8 kHz mu-law
    }

    @Test func pcm22kRecordingResamplesTo16kLikeSox() async throws {
        let p = path("preamble-rest.wav")
        let source = try await FileAudioSource(path: p, options: FileSourceOptions(pacing: .asFastAsPossible))
        #expect(source.inputFormat == PCMFormat(encoding: .s16le, sampleRate: 22_050, channels: 1))
        #expect(source.format == .speech16k)
        let r = try await drain(source)
        let ours = Signal.floats(fromLinear16: r.bytes)
        // Length within one sample of 421110 × 16000 / 22050 = 305567.35.
        let ideal: Double = 421_110.0 * 16_000 / 22_050
        #expect(abs(Double(ours.count) - ideal) <= 1)
        // sox's very-high-quality resampler as the peer: the two agree closely, at zero lag.
        let sox = try Signal.soxSamples(p, rate: 16_000)
        let n = min(ours.count, sox.count)
        #expect(Signal.correlation(Array(ours.prefix(n)), Array(sox.prefix(n)), offset: 0) > 0.999)
        let starts: [Int64] = r.chunks.map(\.startFrame)
        let expectedStarts: [Int64] = r.chunks.indices.map { Int64($0 * 800) }
        #expect(starts == expectedStarts)
    }

    @Test(arguments: ["microsoft_headquarters.wav", "testing-websocket.wav", "preamble-websocket.wav", "preamble-rest.wav"])
    func everyFixtureDecodesToItsFullLength(name: String) async throws {
        let p = path(name)
        let source = try await FileAudioSource(path: p, options: FileSourceOptions(pacing: .asFastAsPossible))
        let r = try await drain(source)
        #expect(r.error == nil)
        let frames = Int64(try #require(source.wavHeader?.dataLength)) / Int64(source.inputFormat.bytesPerFrame)
        let expected: Double = Double(frames) * 16_000 / Double(source.inputFormat.sampleRate)
        let got: Double = Double(r.bytes.count / 2)
        #expect(abs(got - expected) <= 1)
    }
}
