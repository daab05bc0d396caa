import Foundation
import Testing
import Audio

/// Compressed audio and other containers are named in the error, with a conversion command.
/// They were reported as "not a RIFF/WAVE file (it starts with 'fLaC'). For raw PCM, declare its
/// format with --raw-format", which sent users the wrong way; from stdin, or with a raw format
/// declared, a FLAC or Ogg file was even decoded as raw PCM (loud noise, garbage captions).
@Suite(.timeLimit(.minutes(2)))
struct UnsupportedContainerTests {
    private func openError(path: String, raw: PCMFormat? = nil) async -> AudioError? {
        do {
            _ = try await FileAudioSource(path: path, options: FileSourceOptions(pacing: .asFastAsPossible, rawFormat: raw))
            return nil
        } catch { return error }
    }

    /// Files written by sox, a writer nobody here wrote.
    @Test(arguments: [("flac", "a FLAC file"), ("ogg", "an Ogg file"), ("aiff", "an AIFF file"),
                      ("au", "a Sun/NeXT .au file"), ("w64", "a Sony Wave64 (.w64) file"), ("caf", "a Core Audio (CAF) file")])
    func soxWrittenContainersAreNamed(ext: String, name: String) async throws {
        let path = Signal.tempPath("tone.\(ext)")
        try Subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", path, "synth", "0.5", "sine", "440"])
        let e = await openError(path: path)
        let message = e.map { String(describing: $0) } ?? "no error"
        #expect(message.hasPrefix("\(path) is \(name)"))
        #expect(message.contains("`ffmpeg -i INPUT -ac 1 -ar 16000 out.wav`"))
        #expect(!message.contains("--raw-format"))
        // Declaring a raw format does not turn a FLAC file into noise.
        #expect(await openError(path: path, raw: PCMFormat(encoding: .s16le, sampleRate: 16_000, channels: 1))
                .map { if case .unsupportedContainer = $0 { return true }; return false } == true)
    }

    @Test func mp3FromStdinIsNamedNotCalledRaw() async throws {
        let mp3: [UInt8] = Array("ID3".utf8) + [4, 0, 0, 0, 0, 0, 0] + [0xFF, 0xFB, 0x90, 0x64] + Array(repeating: 0x55, count: 400)
        let fd = StdinAndRawInputTests.pipe(feeding: mp3)
        defer { close(fd) }
        await #expect {
            _ = try await FileAudioSource(fileDescriptor: fd, name: "standard input", options: fastOptions())
        } throws: { e in
            String(describing: e).hasPrefix("standard input is an MP3 file (ID3 tag), which captty cannot decode")
        }
        // A bare MPEG frame (no tag) is recognised too, when no raw format is declared.
        let path = try WAVBuilder.write([0xFF, 0xFB, 0x90, 0x64] + Array(repeating: 0, count: 400), name: "x.mp3")
        #expect(await openError(path: path).map { String(describing: $0) }?.contains("an MP3 or AAC file") == true)
    }

    @Test func imagesAreNotAudio() async throws {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 100)
        let path = try WAVBuilder.write(png, name: "cover.png")
        #expect(await openError(path: path).map { String(describing: $0) } == "\(path) is a PNG image, not audio. captty reads WAV files and raw PCM.")
    }

    /// Raw PCM with a declared format may start with bytes that look like an MP3 frame (-1 is FF FF).
    @Test func declaredRawPCMIsNotMistakenForMP3() async throws {
        let samples: [Int16] = [-1, -1, 5, -7] + Array(repeating: 100, count: 2000)
        let path = try WAVBuilder.write(samples.flatMap { WAVBuilder.le16($0) }, name: "quiet.raw")
        let source = try await FileAudioSource(path: path, options: FileSourceOptions(
            output: .speech16k, pacing: .asFastAsPossible, rawFormat: PCMFormat(encoding: .s16le, sampleRate: 16_000, channels: 1)))
        let r = try await drain(source)
        #expect(r.error == nil)
        #expect(int16s(r.bytes) == samples)
    }
}
