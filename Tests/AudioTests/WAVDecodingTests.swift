import Foundation
import Testing
import Audio

/// Every supported WAV format decodes to the expected 16-bit samples.
@Suite(.timeLimit(.minutes(2)))
struct WAVDecodingTests {
    private func decode(_ b: WAVBuilder, _ data: [UInt8], options: FileSourceOptions = fastOptions()) async throws -> [Int16] {
        let path = try WAVBuilder.write(b.build(data))
        let source = try await FileAudioSource(path: path, options: options)
        let r = try await drain(source)
        if let e = r.error { throw e }
        return int16s(r.bytes)
    }

    @Test func unsigned8Bit() async throws {
        let got = try await decode(WAVBuilder(bits: 8), [0, 128, 255, 64, 192])
        #expect(got == [-32768, 0, 32512, -16384, 16384])
    }

    @Test func signed16BitPassesThroughUnchanged() async throws {
        let samples: [Int16] = [0, 1, -1, 32767, -32768, 12345, -12345]
        let got = try await decode(WAVBuilder(), samples.flatMap { WAVBuilder.le16($0) })
        #expect(got == samples)
    }

    @Test func signed24Bit() async throws {
        let values: [Int32] = [0, 0x123456, -0x123456, 0x7FFFFF, -0x800000, 0x80, 0x7F]
        let bytes = values.flatMap { v -> [UInt8] in let u = UInt32(bitPattern: v); return [UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF), UInt8((u >> 16) & 0xFF)] }
        let got = try await decode(WAVBuilder(bits: 24), bytes)
        #expect(got == values.map { Int16(clamping: Int((Double($0) / 256).rounded())) })
        #expect(got == [0, 4660, -4660, 32767, -32768, 1, 0])
    }

    @Test func signed32Bit() async throws {
        let values: [Int32] = [0, 0x12345678, -0x12345678, Int32.max, Int32.min]
        let got = try await decode(WAVBuilder(bits: 32), values.flatMap { WAVBuilder.le32(UInt32(bitPattern: $0)) })
        #expect(got == [0, 4660, -4660, 32767, -32768])
    }

    @Test func float32AndFloat64ClipOutOfRange() async throws {
        let values: [Double] = [0.5, -0.25, 1.5, -1.0, -2.0, 0.000015]
        let expected: [Int16] = [16384, -8192, 32767, -32768, -32768, 0]
        let f32 = try await decode(WAVBuilder(tag: 3, bits: 32), values.flatMap { WAVBuilder.le32(Float($0).bitPattern) })
        #expect(f32 == expected)
        let f64 = try await decode(WAVBuilder(tag: 3, bits: 64), values.flatMap { v -> [UInt8] in
            let u = v.bitPattern; return (0..<8).map { UInt8((u >> (8 * $0)) & 0xFF) } })
        #expect(f64 == expected)
    }

    @Test func g711MatchesSoxForAll256Codes() async throws {
        for (tag, encoding) in [(UInt16(7), "u-law"), (UInt16(6), "a-law")] {
            let codes = (0...255).map { UInt8($0) }
            let path = try WAVBuilder.write(WAVBuilder(tag: tag, rate: 8000, bits: 8).build(codes))
            let source = try await FileAudioSource(path: path, options: fastOptions(rate: 8000))
            let ours = int16s(try await drain(source).bytes)
            // sox is the reference decoder.
            let sox = try Signal.soxSamples(path, rate: 8000).map { Int16($0 * 32768) }
            #expect(ours == sox, "\(encoding)")
            #expect(ours.count == 256)
        }
        // Well-known code points.
        #expect(SampleCodec.mulawTable[0xFF] == 0 && SampleCodec.mulawTable[0x00] == -32124 && SampleCodec.mulawTable[0x80] == 32124)
        #expect(SampleCodec.alawTable[0xD5] == 8 && SampleCodec.alawTable[0x55] == -8 && SampleCodec.alawTable[0xAA] == 32256)
    }

    @Test func g711EncodersInvertTheDecoders() {
        for i in 0...255 {
            let m = SampleCodec.mulawTable[i]
            #expect(SampleCodec.mulawTable[Int(SampleCodec.mulaw(m))] == m)
            let a = SampleCodec.alawTable[i]
            #expect(SampleCodec.alawTable[Int(SampleCodec.alaw(a))] == a)
        }
    }

    @Test func extensibleFormats() async throws {
        var b = WAVBuilder(channels: 2, bits: 24, extensible: true, subTag: 1)
        let frames: [(Int32, Int32)] = [(0x010000, 0x030000), (-0x020000, 0x020000)]
        let bytes = frames.flatMap { f in [f.0, f.1].flatMap { v -> [UInt8] in let u = UInt32(bitPattern: v); return [UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF), UInt8((u >> 16) & 0xFF)] } }
        let path = try WAVBuilder.write(b.build(bytes))
        let source = try await FileAudioSource(path: path, options: fastOptions())
        #expect(source.wavHeader?.isExtensible == true)
        #expect(source.inputFormat == PCMFormat(encoding: .s24le, sampleRate: 16_000, channels: 2))
        #expect(int16s(try await drain(source).bytes) == [512, 0])   // (256+768)/2, (-512+512)/2

        b = WAVBuilder(channels: 2, bits: 32, extensible: true, subTag: 3)
        let f = [Float(0.5), 0.25, -0.5, -0.25].flatMap { WAVBuilder.le32($0.bitPattern) }
        #expect(try await decode(b, f, options: fastOptions(channels: 2, keep: true)) == [16384, 8192, -16384, -8192])
    }

    @Test func multiChannelIsMixedDownOrKept() async throws {
        let b = WAVBuilder(channels: 3)
        let data = [Int16(1000), 2000, 6000, -300, -300, -300].flatMap { WAVBuilder.le16($0) }
        #expect(try await decode(b, data) == [3000, -300])
        #expect(try await decode(b, data, options: fastOptions(channels: 3, keep: true)) == [1000, 2000, 6000, -300, -300, -300])
    }

    @Test func skipsUnknownAndOddSizedChunksAndStopsAtDataEnd() async throws {
        var b = WAVBuilder()
        b.chunksBeforeFmt = [("LIST", Array("INFOISFT\u{5}\0\0\0sox!\0".utf8))]
        b.chunksBeforeData = [("fact", WAVBuilder.le32(3)), ("JUNK", [1, 2, 3])]   // odd size: padded
        b.chunksAfterData = [("LIST", Array(repeating: 0x41, count: 40))]        // not audio
        let samples: [Int16] = [7, -7, 300]
        #expect(try await decode(b, samples.flatMap { WAVBuilder.le16($0) }) == samples)
    }

    /// The placeholders streaming writers leave: 0, ffmpeg 0xFFFFFFFF, sox 0x7FFFF000, arecord
    /// 0x80000000 (and 0x7FFFFF00 in older versions), GStreamer 0x7FFF0000. arecord's and
    /// GStreamer's were taken as real sizes: every `arecord | captty --file -` ended with a false
    /// "cut short?" warning, and a pipe longer than 2 GiB (3 h of CD audio) stopped there.
    @Test(arguments: [UInt32(0), 0xFFFF_FFFF, 0x7FFF_F000, 0x8000_0000, 0x7FFF_FF00, 0x7FFF_0000])
    func streamedWAVDataSizeMeansUntilEOF(size: UInt32) async throws {
        var b = WAVBuilder()
        b.dataSize = size
        let samples = (0..<5000).map { Int16(truncatingIfNeeded: $0 * 13) }
        let path = try WAVBuilder.write(b.build(samples.flatMap { WAVBuilder.le16($0) }))
        let source = try await FileAudioSource(path: path, options: fastOptions())
        #expect(source.wavHeader?.dataLength == nil)
        let r = try await drain(source)
        #expect(r.error == nil)
        #expect(int16s(r.bytes) == samples)
        #expect(r.chunks.dropLast().allSatisfy { $0.frameCount == 800 })   // 50 ms at 16 kHz
    }

    /// A finished file with no audio says data size 0, like a streaming writer, but a chunk
    /// follows (ffmpeg's LIST of tags): its bytes are not audio. They were decoded as a burst
    /// of noise; a placeholder 0 followed by audio still reads to the end.
    @Test func anEmptyDataChunkFollowedByAChunkHoldsNoAudio() async throws {
        var b = WAVBuilder()
        b.dataSize = 0
        b.chunksAfterData = [("LIST", Array("INFOISFT\u{e}\0\0\0Lavf58.76.100\0".utf8))]
        let path = try WAVBuilder.write(b.build([]))
        let source = try await FileAudioSource(path: path, options: fastOptions())
        #expect(source.wavHeader?.dataLength == 0)
        let r = try await drain(source)
        #expect(r.bytes.isEmpty, "\(r.bytes.count) bytes of the LIST chunk were decoded as audio")
        let whole = try WAVFile(bytes: try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))), path: path)
        #expect(whole.data.isEmpty)
        // Streamed a byte at a time, the answer waits for the bytes after the header.
        let bytes = b.build([])
        let headerEnd = bytes.count - 8 - 26
        #expect(try WAVHeader.parse(Array(bytes[..<headerEnd]), path: "x", atEOF: false) == nil)
        #expect(try WAVHeader.parse(Array(bytes[..<(headerEnd + 8)]), path: "x", atEOF: false)?.dataLength == 0)
    }

    /// Files sox writes (a writer nobody here wrote), decoded against sox's own decoding.
    @Test(arguments: [
        ["-e", "unsigned-integer", "-b", "8"], ["-e", "signed-integer", "-b", "16"], ["-e", "signed-integer", "-b", "24"],
        ["-e", "signed-integer", "-b", "32"], ["-e", "floating-point", "-b", "32"], ["-e", "floating-point", "-b", "64"],
        ["-e", "mu-law"], ["-e", "a-law"], ["-e", "signed-integer", "-b", "24", "-c", "4"],
    ])
    func soxWrittenFilesMatchSoxDecoding(format: [String]) async throws {
        let path = Signal.tempPath("sox.wav")
        let r = try Subprocess.run(["sox", "-D", "-n", "-r", "16000"] + (format.contains("-c") ? [] : ["-c", "2"]) + format
                                   + [path, "synth", "0.5", "sine", "300-3000", "vol", "0.7"])
        #expect(r.status == 0, "\(r.stderr)")
        let source = try await FileAudioSource(path: path, options: fastOptions())
        let ours = int16s(try await drain(source).bytes).map { Int($0) }
        // sox's own decode + channel mix (-D: no dither) as 16-bit.
        let raw = Signal.tempPath("sox.raw")
        try Subprocess.run(["sox", "-D", path, "-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1", raw])
        let sox = int16s([UInt8](try Data(contentsOf: URL(fileURLWithPath: raw)))).map { Int($0) }
        #expect(ours.count == sox.count && ours.count == 8000)
        let maxDiff = zip(ours, sox).map { abs($0 - $1) }.max() ?? 0
        #expect(maxDiff <= 2, "max difference \(maxDiff) LSB for \(format)")
    }
}
