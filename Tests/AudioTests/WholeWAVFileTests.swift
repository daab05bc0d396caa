import Foundation
import Testing
import Audio

/// `WAVFile` (a whole WAV read at once) parses like `FileAudioSource` and converts to the same
/// samples: both go through `WAVHeader` and `AudioConverter`.
@Suite(.timeLimit(.minutes(2)))
struct WholeWAVFileTests {
    /// 48 kHz stereo 24-bit: resampled and mixed down, so the converter really works.
    static let builder = WAVBuilder(channels: 2, rate: 48_000, bits: 24)
    static let bytes: [UInt8] = (0..<9_600).flatMap { i -> [UInt8] in
        let v = Int32(4_000_000 * sin(Double(i / 2) * 2 * .pi * 440 / 48_000))
        let u = UInt32(bitPattern: v)
        return [UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF), UInt8((u >> 16) & 0xFF)]
    }

    @Test func samplesMatchTheStreamingSource() async throws {
        let path = try WAVBuilder.write(Self.builder.build(Self.bytes), name: "whole.wav")
        let file = try WAVFile(path: path)
        #expect(file.header.format == PCMFormat(encoding: .s24le, sampleRate: 48_000, channels: 2))
        #expect(file.data == Self.bytes)
        let whole = try file.samples(as: AudioFormat(encoding: .linear16, sampleRate: 16_000, channels: 1))
        let streamed = try await drain(try await FileAudioSource(path: path, options: fastOptions()))
        #expect(streamed.error == nil)
        #expect(whole.count == 3_200)   // 4 800 frames at 48 kHz → 1 600 at 16 kHz, 2 bytes each
        #expect(whole == streamed.bytes)
    }

    @Test func dataStopsAtTheDataChunkOrTheEndOfAShortFile() throws {
        var b = WAVBuilder()
        b.chunksAfterData = [("LIST", Array(repeating: 0x41, count: 40))]
        #expect(try WAVFile(bytes: b.build([1, 2, 3, 4]), path: "x.wav").data == [1, 2, 3, 4])
        b = WAVBuilder()
        b.dataSize = 100                                    // claims more than the file holds
        #expect(try WAVFile(bytes: b.build([1, 2, 3, 4]), path: "x.wav").data == [1, 2, 3, 4])
        b.dataSize = 0xFFFF_FFFF                            // streamed: until the end
        #expect(try WAVFile(bytes: b.build([5, 6]), path: "x.wav").data == [5, 6])
    }

    @Test func errorsNameTheFileAndTheProblem() throws {
        #expect(throws: AudioError.notRIFFWave(path: "x.wav", found: "'hell'")) {
            try WAVFile(bytes: Array("hello".utf8), path: "x.wav")
        }
        let missing = "/nonexistent/captty-\(UUID().uuidString).wav"
        do {
            _ = try WAVFile(path: missing)
            Issue.record("a missing file was read")
        } catch {
            guard case .cannotRead(let path, _) = error else { Issue.record("\(error)"); return }
            #expect(path == missing)
        }
    }
}
