import Foundation
import Testing
import Audio

/// Stdin-like pipes (WAV sniffed by its RIFF header, or raw PCM with a declared format) and raw files.
@Suite(.timeLimit(.minutes(2)))
struct StdinAndRawInputTests {
    /// A pipe whose write end is fed `bytes` by a thread (slowly, in pieces, like a real producer).
    static func pipe(feeding bytes: [UInt8], piece: Int = 777) -> Int32 {
        var fds: [Int32] = [0, 0]
        precondition(Glibc.pipe(&fds) == 0)
        let w = fds[1]
        Thread.detachNewThread {
            var i = 0
            while i < bytes.count {
                let n = min(piece, bytes.count - i)
                let written = bytes[i..<(i + n)].withUnsafeBytes { write(w, $0.baseAddress, n) }
                if written <= 0 { break }
                i += written
            }
            close(w)
        }
        return fds[0]
    }

    @Test func pipedWAVIsSniffedAndDecoded() async throws {
        let samples = (0..<4000).map { Int16(truncatingIfNeeded: $0 * 31) }
        var b = WAVBuilder(channels: 2)
        b.dataSize = 0xFFFF_FFFF                       // how streaming writers (sox -t wav -) say "until EOF"
        let stereo = samples.flatMap { WAVBuilder.le16($0) + WAVBuilder.le16($0) }
        let fd = Self.pipe(feeding: b.build(stereo))
        defer { close(fd) }
        let source = try await FileAudioSource(fileDescriptor: fd, name: "stdin", options: fastOptions())
        #expect(source.wavHeader != nil)
        let r = try await drain(source)
        #expect(r.error == nil)
        #expect(int16s(r.bytes) == samples)
        // One-shot: a second pass is refused, clearly.
        let again = try await drain(source)
        #expect(again.error.map { String(describing: $0) } == "stdin can be read only once")
    }

    /// The 44 bytes `arecord -f S16_LE -r 16000 -t wav` (alsa-utils 1.2.8) writes to a pipe: RIFF and
    /// data sizes 0x80000000, its "unknown length". The stream ends cleanly, without a truncation error.
    @Test func arecordPipeHeaderMeansUntilEOF() async throws {
        let header: [UInt8] = [0x52, 0x49, 0x46, 0x46, 0x24, 0x00, 0x00, 0x80, 0x57, 0x41, 0x56, 0x45, 0x66, 0x6D, 0x74, 0x20,
                               0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x80, 0x3E, 0x00, 0x00, 0x00, 0x7D, 0x00, 0x00,
                               0x02, 0x00, 0x10, 0x00, 0x64, 0x61, 0x74, 0x61, 0x00, 0x00, 0x00, 0x80]
        let samples = (0..<8000).map { Int16(truncatingIfNeeded: $0 * 7) }
        let fd = Self.pipe(feeding: header + samples.flatMap { WAVBuilder.le16($0) })
        defer { close(fd) }
        let source = try await FileAudioSource(fileDescriptor: fd, name: "stdin", options: fastOptions())
        #expect(source.wavHeader?.dataLength == nil)
        let r = try await drain(source)
        #expect(r.error == nil)
        #expect(int16s(r.bytes) == samples)
    }

    @Test func soxPipedWAVThroughARealProcess() async throws {
        // sox writing WAV to a pipe, as in `sox in.wav -t wav - | captty -`.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sox")
        p.arguments = ["-n", "-r", "22050", "-c", "2", "-b", "16", "-t", "wav", "-", "synth", "1", "sine", "440"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        let source = try await FileAudioSource(fileDescriptor: out.fileHandleForReading.fileDescriptor, name: "stdin",
                                               options: FileSourceOptions(pacing: .asFastAsPossible))
        #expect(source.inputFormat == PCMFormat(encoding: .s16le, sampleRate: 22_050, channels: 2))
        let r = try await drain(source)
        #expect(r.error == nil)
        #expect(abs(r.bytes.count / 2 - 16_000) <= 1)
        // Compare with sox reading the same stream from a file.
        let file = Signal.tempPath("sine.wav")
        try Subprocess.run(["sox", "-n", "-r", "22050", "-c", "2", "-b", "16", file, "synth", "1", "sine", "440"])
        let reference = try Signal.soxSamples(file, rate: 16_000)
        let ours = Signal.floats(fromLinear16: r.bytes)
        #expect(Signal.correlation(Array(ours.prefix(15_000)), reference, offset: 0) > 0.999)
    }

    @Test func rawPCMWithDeclaredFormat() async throws {
        let samples: [Int16] = (0..<1600).map { Int16($0) }
        let fd = Self.pipe(feeding: samples.flatMap { WAVBuilder.le16($0) })
        defer { close(fd) }
        let raw = try PCMFormat(spec: "s16le:16000:1")
        let source = try await FileAudioSource(fileDescriptor: fd, name: "stdin",
                                               options: FileSourceOptions(pacing: .asFastAsPossible, rawFormat: raw))
        #expect(source.wavHeader == nil)
        #expect(int16s(try await drain(source).bytes) == samples)
    }

    @Test func rawPipeWithoutAFormatIsRefused() async throws {
        let fd = Self.pipe(feeding: [UInt8](repeating: 1, count: 4000))
        defer { close(fd) }
        await #expect {
            _ = try await FileAudioSource(fileDescriptor: fd, name: "stdin", options: fastOptions())
        } throws: { e in
            guard case AudioError.rawFormatRequired("stdin") = e else { return false }
            return String(describing: e).contains("s16le:16000:1")
        }
    }

    @Test func rawFileIsMixedAndResampled() async throws {
        // f32le 8 kHz stereo: left 0.5, right -0.1 → mono 0.2 at 16 kHz.
        let frames = 8000
        let bytes = (0..<frames).flatMap { _ in WAVBuilder.le32(Float(0.5).bitPattern) + WAVBuilder.le32(Float(-0.1).bitPattern) }
        let path = try WAVBuilder.write(bytes, name: "in.raw")
        let source = try await FileAudioSource(path: path, options: FileSourceOptions(
            pacing: .asFastAsPossible, rawFormat: try PCMFormat(spec: "f32le:8000:2")))
        let out = int16s(try await drain(source).bytes)
        #expect(out.count == 16_000)
        #expect(out[1000..<15000].allSatisfy { abs(Int($0) - 6554) <= 2 })
        // Without a declared format, a non-WAV file is refused, naming what it found.
        await #expect {
            _ = try await FileAudioSource(path: path, options: fastOptions())
        } throws: { e in String(describing: e).contains("is not a RIFF/WAVE file (it starts with bytes 00 00 00 3F)") }
    }

    @Test func rawFormatSpecsParseOrExplain() throws {
        #expect(try PCMFormat(spec: "mulaw:8000") == PCMFormat(encoding: .mulaw, sampleRate: 8000, channels: 1))
        #expect(try PCMFormat(spec: "S24LE:48000:2") == PCMFormat(encoding: .s24le, sampleRate: 48_000, channels: 2))
        #expect(try PCMFormat(spec: "f64le") == PCMFormat(encoding: .f64le, sampleRate: 16_000, channels: 1))
        // Deepgram's, ALSA's, ffmpeg's and sox's names for the same encodings (a Deepgram user
        // wrote linear16:16000:1 and was refused).
        #expect(try PCMFormat(spec: "linear16:16000:1") == PCMFormat(encoding: .s16le, sampleRate: 16_000, channels: 1))
        for (name, e) in [("S16_LE", InputEncoding.s16le), ("pcm_s16le", .s16le), ("linear32", .f32le), ("S24_3LE", .s24le),
                          ("S24_LE", .s24in32le), ("FLOAT_LE", .f32le), ("pcm_f32le", .f32le), ("pcm_mulaw", .mulaw),
                          ("ulaw", .mulaw), ("a-law", .alaw), ("pcm_u8", .u8), ("pcm_f64le", .f64le)] {
            #expect(try PCMFormat(spec: "\(name):8000:2") == PCMFormat(encoding: e, sampleRate: 8000, channels: 2), "\(name)")
        }
        #expect { try PCMFormat(spec: "opus:48000") } throws: { String(describing: $0).contains("e.g. linear16, S16_LE, pcm_s16le") }
        #expect { try PCMFormat(spec: "s12le:8000") } throws: { String(describing: $0).contains("s16le|s24le|s32le|f32le|f64le|mulaw|alaw") || String(describing: $0).contains("ENCODING one of") }
        #expect { try PCMFormat(spec: "s16le:0") } throws: { String(describing: $0).contains("sample rate") }
        #expect { try PCMFormat(spec: "s16le:999") } throws: { String(describing: $0).contains("1000…1000000 Hz") }
        #expect { try PCMFormat(spec: "s16le:8000:0") } throws: { String(describing: $0).contains("channels") }
    }

    @Test func realTimePacingNeverRunsAheadOfTheClock() async throws {
        let samples = [Int16](repeating: 0, count: 16_000)    // 1 s
        let path = try WAVBuilder.write(WAVBuilder().build(samples.flatMap { WAVBuilder.le16($0) }))
        let source = try await FileAudioSource(path: path, options: FileSourceOptions(pacing: .realTime))
        let clock = ContinuousClock()
        let start = clock.now
        var count = 0
        for try await c in source.chunks() {
            // A chunk is not delivered before its last sample would have been recorded.
            let elapsed = clock.now - start
            let due = Duration.seconds(c.startTime + c.duration)
            #expect(elapsed >= due - .milliseconds(2), "chunk at \(c.startTime) came at \(elapsed)")
            count += 1
        }
        #expect(count == 20)
    }

    @Test func chunkDurationIsConfigurable() async throws {
        let samples = [Int16](repeating: 5, count: 16_000)
        let path = try WAVBuilder.write(WAVBuilder().build(samples.flatMap { WAVBuilder.le16($0) }))
        for ms in [20, 100, 250] {
            var o = fastOptions()
            o.chunkDuration = Double(ms) / 1000
            let r = try await drain(try await FileAudioSource(path: path, options: o))
            #expect(r.chunks.dropLast().allSatisfy { $0.frameCount == 16 * ms })
            #expect(r.bytes.count == 32_000)
        }
        var bad = fastOptions()
        bad.chunkDuration = 0.5
        await #expect { _ = try await FileAudioSource(path: path, options: bad) } throws: {
            String(describing: $0).contains("500 ms is outside the supported 20–250 ms")
        }
    }
}
