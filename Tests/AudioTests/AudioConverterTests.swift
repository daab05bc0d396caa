import Testing
import Audio

/// Conversion to the engine's format: pass-through, mix-down, resampling, any chunking.
struct AudioConverterTests {
    @Test func identicalFormatsPassThroughUntouched() throws {
        var c = try AudioConverter(input: PCMFormat(encoding: .mulaw, sampleRate: 8000, channels: 1),
                                   output: AudioFormat(encoding: .mulaw, sampleRate: 8000))
        #expect(c.isPassThrough)
        let bytes = (0..<255).map { UInt8($0) }
        #expect(c.convert(bytes) == bytes)
        #expect(c.flush() == [])
    }

    @Test func partialFramesWaitForTheirRest() throws {
        var c = try AudioConverter(input: PCMFormat(encoding: .s24le, sampleRate: 16_000, channels: 2), output: .speech16k)
        let frame: [UInt8] = [0, 0, 0x10, 0, 0, 0x30]                  // L = 0x100000, R = 0x300000
        var out: [UInt8] = []
        for b in frame + frame { out += c.convert([b]) }               // one byte at a time
        #expect(int16s(out) == [0x2000, 0x2000])
    }

    @Test func encodesToEveryWireEncoding() throws {
        let input = PCMFormat(encoding: .f32le, sampleRate: 8000, channels: 1)
        let x: [Float] = [0.5, -0.5]
        let bytes = x.flatMap { WAVBuilder.le32($0.bitPattern) }
        for enc in SampleEncoding.allCases {
            var c = try AudioConverter(input: input, output: AudioFormat(encoding: enc, sampleRate: 8000))
            let out = c.convert(bytes)
            #expect(out.count == 2 * enc.bytesPerSample)
            var back: [Float] = []
            out.withUnsafeBytes { SampleCodec.decode($0, as: InputEncoding(enc), into: &back) }
            #expect(zip(back, x).allSatisfy { abs($0 - $1) < 0.02 }, "\(enc)")
        }
    }

    @Test func refusesImpossibleChannelCounts() {
        #expect(throws: AudioError.self) {
            try AudioConverter(input: PCMFormat(encoding: .s16le, sampleRate: 16_000, channels: 2), output: AudioFormat(channels: 3))
        }
    }
}
