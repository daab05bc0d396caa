import Foundation
import Testing
import Audio

/// fmt chunks that real writers get slightly wrong, or that use the less common corners of the
/// format, decode as those writers (and sox) mean. Each was refused before.
@Suite(.timeLimit(.minutes(2)))
struct FmtChunkQuirksTests {
    private func decode(_ b: WAVBuilder, _ data: [UInt8]) async throws -> [Int16] {
        let path = try WAVBuilder.write(b.build(data))
        let r = try await drain(try await FileAudioSource(path: path, options: fastOptions(channels: Int(b.channels), keep: true)))
        if let e = r.error { throw e }
        return int16s(r.bytes)
    }

    /// `arecord -f S24_LE -c 2` writes bits 24 with a block align of 8: 24-bit samples in the low
    /// three bytes of 32-bit words (the top byte zero or a sign extension).
    @Test func arecordS24LEIsTwentyFourBitsInThirtyTwo() async throws {
        let values: [Int32] = [0x123456, -0x123456, 0x7FFFFF, -0x800000]
        let words = values.enumerated().flatMap { i, v -> [UInt8] in
            let u = UInt32(bitPattern: v)
            let top: UInt8 = i % 2 == 0 ? UInt8(u >> 24) : 0     // sign-extended, then zero padding
            return [UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF), UInt8((u >> 16) & 0xFF), top]
        }
        let got = try await decode(WAVBuilder(channels: 2, bits: 24, blockAlign: 8), words)
        #expect(got == [0x1234, -0x1234, 32767, -32768])
    }

    /// Samples that are not whole bytes are left-justified in the next whole size (WAVE spec).
    @Test func twelveAndTwentyBitPCM() async throws {
        #expect(try await decode(WAVBuilder(bits: 12, blockAlign: 2), WAVBuilder.le16(0x1230) + WAVBuilder.le16(-0x7FF0)) == [0x1230, -0x7FF0])
        let got = try await decode(WAVBuilder(bits: 20, blockAlign: 3), [0x00, 0x34, 0x12, 0x00, 0xCC, 0xED])
        #expect(got == [0x1234, -0x1234])
    }

    /// Block align 0, or one channel's size for a stereo file: bits and channels decide, as in sox.
    @Test(arguments: [UInt16(0), 2])
    func harmlessBlockAlignMistakes(align: UInt16) async throws {
        let frames: [Int16] = [100, -100, 2000, -2000, 7, 9]
        #expect(try await decode(WAVBuilder(channels: 2, blockAlign: align), frames.flatMap { WAVBuilder.le16($0) }) == frames)
    }

    @Test func contradictoryBlockAlignIsRefusedWithAWayOut() async throws {
        let path = try WAVBuilder.write(WAVBuilder(channels: 2, blockAlign: 6).build(Array(repeating: 0, count: 24)))
        await #expect {
            _ = try await FileAudioSource(path: path, options: fastOptions())
        } throws: { e in
            let m = String(describing: e)
            return m.contains("block align is 6 but 2 channel(s) of 16-bit samples need 4") && m.contains("`sox in.wav -b 16 out.wav`")
        }
    }

    /// A writer that leaves out the pad byte after an odd-sized chunk: the next chunk is found
    /// where it is. It was read one byte late: "'ata\u{22}' chunk claims 4278191056 bytes".
    @Test func oddChunkWithoutItsPadByte() async throws {
        var b = WAVBuilder()
        b.chunksBeforeData = [("ODD ", [1, 2, 3])]
        let samples: [Int16] = [5, -5, 3000, -3000]
        var bytes = b.build(samples.flatMap { WAVBuilder.le16($0) })
        #expect(bytes[47] == 0)                           // the pad: RIFF(12) fmt(24) ODD header(8) body(3)
        bytes.remove(at: 47)
        bytes.replaceSubrange(4..<8, with: WAVBuilder.le32(UInt32(bytes.count - 8)))
        let path = try WAVBuilder.write(bytes)
        let r = try await drain(try await FileAudioSource(path: path, options: fastOptions()))
        #expect(r.error == nil)
        #expect(int16s(r.bytes) == samples)
        // The data size's low byte printable ('"' = 34 bytes) makes "ata\"" look like an id too.
        let printable = (0..<17).map { Int16($0) }
        b = WAVBuilder()
        b.chunksBeforeData = [("ODD ", [1, 2, 3])]
        bytes = b.build(printable.flatMap { WAVBuilder.le16($0) })
        bytes.remove(at: 47)
        let r2 = try await drain(try await FileAudioSource(path: try WAVBuilder.write(bytes), options: fastOptions()))
        #expect(r2.error == nil)
        #expect(int16s(r2.bytes) == printable)
    }

    @Test func s24in32IsARawFormatToo() throws {
        #expect(try PCMFormat(spec: "s24in32le:48000:2") == PCMFormat(encoding: .s24in32le, sampleRate: 48_000, channels: 2))
    }
}
