// Properties of `WAVHeader.parse` and `AudioConverter` on arbitrary bytes (a hostile or broken
// file, or stdin). Shared by the libFuzzer target (fuzz/wav) and the regression replay in
// Tests/SecurityTests.
//
// Input: byte 0 picks the output format (bits 0-2 encoding, bits 3-5 rate, bit 6 keep channels)
// and byte 1 the chunk size the stream arrives in; the rest is the file.
#if canImport(Audio)
import Audio
#endif

/// Checks one input; a violated property stops the process (libFuzzer records the input).
enum WAVCheck {
    static let encodings: [SampleEncoding] = [.linear16, .float32, .float32, .mulaw, .alaw, .linear16, .linear16, .mulaw]
    static let rates = [8_000, 16_000, 22_050, 44_100, 48_000, 16_000, 11_025, 96_000]
    /// Converters are built for input rates up to this (a filter for a prime 1 MHz input is
    /// tens of MB and seconds to design, which would drown the fuzzer; the header is still parsed).
    static let maxConvertedRate = 192_000
    /// Resampler filters larger than this (coefficients) are not built (`Resampler.designCost`):
    /// every common pair is far below it (44.1 → 16 kHz: 44 800; 11.025 → 16 kHz: about 65 000).
    static let maxDesignCost = 400_000
    /// Bytes of samples converted per input.
    static let maxSampleBytes = 1 << 15

    /// Stops with the message (`fatalError` prints it even in -O builds, unlike `precondition`).
    static func require(_ ok: Bool, _ why: @autoclosure () -> String = "property violated", line: UInt = #line) {
        if !ok { fail(why(), line: line) }
    }
    static func fail(_ why: String, line: UInt = #line) -> Never { fatalError("\(Self.self) line \(line): \(why)") }

    static func check(_ input: [UInt8]) {
        guard input.count >= 2 else { return }
        let ctl = input[0]
        let step = Int(input[1]) + 1
        let bytes = Array(input[2...])

        // At end of input the parser always decides: a header or a typed error, never "need more".
        let whole: Result<WAVHeader, AudioError>
        do {
            guard let h = try WAVHeader.parse(bytes, path: "fuzz.wav", atEOF: true) else {
                Self.fail("parse at EOF returned nil")
            }
            whole = .success(h)
        } catch {
            _ = error.description
            whole = .failure(error)
        }

        // Streaming: a prefix either asks for more, or already gives the final answer.
        var end = min(step, bytes.count)
        while end < bytes.count {
            do {
                if let h = try WAVHeader.parse(Array(bytes[..<end]), path: "fuzz.wav", atEOF: false) {
                    Self.require(whole == .success(h), "a prefix of \(end) bytes gives another header")
                    break
                }
            } catch {
                Self.require(whole == .failure(error), "a prefix of \(end) bytes fails differently: \(error)")
                break
            }
            end += step
        }

        guard case .success(let header) = whole else { return }
        Self.require(header.dataOffset >= 20 && header.dataOffset <= bytes.count, "data offset outside the input")
        if let n = header.dataLength {
            // RF64/BW64 sizes are 64-bit (a data size beyond 4 GiB is what the format is for; one
            // beyond the file is a truncated file, reported when the data runs out); RIFF's are 32-bit.
            let rf64 = bytes.starts(with: Array("RF64".utf8)) || bytes.starts(with: Array("BW64".utf8))
            // 0: an empty data chunk with another chunk after it (not a streaming placeholder).
            Self.require(n >= 0 && (rf64 || n < 0xFFFF_FFFF), "bad data length \(n)")
            if n == 0 { Self.require(bytes.count >= header.dataOffset + 8, "an empty data chunk decided without the next chunk's header") }
        }
        // Every data chunk's audio (`WAVDataWalker`): the same fed at once or in pieces, never
        // more than the bytes after the header, and starting with the first chunk's own bytes.
        var once = WAVDataWalker(firstDataLength: header.dataLength, followsChunks: true, format: header.format)
        let audio = once.feed(bytes[header.dataOffset...]) + once.finish()
        var piecewise = WAVDataWalker(firstDataLength: header.dataLength, followsChunks: true, format: header.format)
        var fed: [UInt8] = []
        var k = header.dataOffset
        while k < bytes.count {
            let j = min(bytes.count, k + step)
            fed += piecewise.feed(bytes[k..<j])
            k = j
        }
        fed += piecewise.finish()
        Self.require(audio == fed, "feeding the chunks in pieces changed the audio")
        Self.require(audio.count <= bytes.count - header.dataOffset, "more audio than bytes after the header")
        // An open-ended first chunk ends where another WAV file starts ("RIFF", a size, "WAVE":
        // streamed files one after another).
        let after = Array(bytes[header.dataOffset...])
        let openEnd = WAVDataWalker.nextFileStart(in: after).found ?? after.count
        let firstHeld = Int(min(Int64(after.count), header.dataLength ?? Int64(openEnd)))
        Self.require(audio.prefix(firstHeld).elementsEqual(bytes[header.dataOffset..<header.dataOffset + firstHeld]),
                     "the first data chunk's bytes changed")

        let input = header.format
        Self.require(input.channels >= 1 && input.channels <= 64 && input.sampleRate >= 1 && input.sampleRate <= 1_000_000)
        guard input.sampleRate <= maxConvertedRate else { return }

        let keep = ctl & 0x40 != 0
        let output = AudioFormat(encoding: encodings[Int(ctl & 7)], sampleRate: rates[Int(ctl >> 3 & 7)],
                                 channels: keep ? input.channels : 1)
        var available = bytes.count - header.dataOffset
        if let n = header.dataLength { available = Int(min(Int64(available), n)) }
        let samples = Array(bytes[header.dataOffset..<header.dataOffset + min(available, maxSampleBytes)])

        // A filter of millions of coefficients (an odd rate pair far apart) takes seconds to
        // design under the sanitizers and drowned the fuzzer (a "slow unit" near its timeout).
        if input.sampleRate != output.sampleRate,
           Resampler.designCost(inputRate: input.sampleRate, outputRate: output.sampleRate) > maxDesignCost { return }
        guard var oneGo = converter(input, output) else { Self.fail("converter refused \(input) → \(output)") }
        var chunked = oneGo
        let all = oneGo.convert(samples) + oneGo.flush()
        var pieces: [UInt8] = []
        var i = 0
        while i < samples.count {
            let j = min(samples.count, i + step)
            pieces += chunked.convert(Array(samples[i..<j]))
            i = j
        }
        pieces += chunked.flush()
        Self.require(all.count % output.bytesPerFrame == 0, "output is not whole frames")
        Self.require(all == pieces, "chunking changed the output")
        if oneGo.isPassThrough {
            let whole = samples.count - samples.count % input.bytesPerFrame
            Self.require(all == Array(samples[..<whole]), "pass-through changed the bytes")
        } else {
            // ceil(frames · out/in) frames come out, plus at most one for rounding.
            let frames = samples.count / input.bytesPerFrame
            let expected = (frames * output.sampleRate + input.sampleRate - 1) / input.sampleRate
            let got = all.count / output.bytesPerFrame
            Self.require(got == expected || (input.sampleRate == output.sampleRate && got == frames),
                         "\(frames) frames at \(input.sampleRate) Hz gave \(got) at \(output.sampleRate) Hz, expected \(expected)")
        }
    }

    /// Resampler design is the expensive part: reuse a fresh converter per format pair.
    nonisolated(unsafe) static var cache: [String: AudioConverter] = [:]

    static func converter(_ input: PCMFormat, _ output: AudioFormat) -> AudioConverter? {
        let key = "\(input.encoding) \(input.sampleRate) \(input.channels) \(output)"
        if let c = cache[key] { return c }
        guard let c = try? AudioConverter(input: input, output: output) else { return nil }
        if cache.count > 256 { cache.removeAll() }
        cache[key] = c
        return c
    }
}
