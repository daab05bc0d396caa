import Foundation
import TestSupport
import Testing
import Audio

/// Corrupt, truncated, empty and lying WAV files give a clear typed error, never a crash or garbage.
@Suite(.timeLimit(.minutes(2)))
struct WAVErrorTests {
    private func openError(_ bytes: [UInt8]) async -> AudioError? {
        do {
            let path = try WAVBuilder.write(bytes)
            _ = try await FileAudioSource(path: path, options: fastOptions())
            return nil
        } catch let e as AudioError { return e } catch { return nil }
    }

    private func message(_ bytes: [UInt8]) async -> String { (await openError(bytes)).map { String(describing: $0) } ?? "no error" }

    private let tone = (0..<100).flatMap { WAVBuilder.le16(Int16($0 * 100)) }

    @Test func emptyFile() async {
        let e = await openError([])
        #expect(e.map { if case .empty = $0 { return true }; return false } == true)
        let text = await message([])
        #expect(text.contains("is empty: it holds no audio"), "\(text)")
        #expect(!text.contains("--raw-format"), "an empty input is not a raw-format problem: \(text)")
    }

    @Test func notAWAVAtAll() async {
        #expect(await message(Array("\u{1}\u{2}\u{3}\u{4}\0\0\0\0\0\0\0\0\0\0".utf8)).contains("is not a RIFF/WAVE file (it starts with bytes 01 02 03 04)"))
        #expect(await message(Array("RIFF\u{20}\0\0\0AVIX LIST".utf8)).contains("a RIFF form of type 'AVIX', not WAVE"))
        #expect(await message(Array("RIFX\0\0\0\0WAVEfmt ".utf8)).contains("RIFX (big-endian WAV)"))
        #expect(await message(Array("RF64\0\0\0\0WAVEds64".utf8)).contains("fmt chunk is missing (the file ends after 16 bytes)"))
    }

    @Test func unsupportedBitsPerSample() async {
        #expect(await message(WAVBuilder(bits: 4, blockAlign: 1).build(tone)).contains("bits per sample 4 is not supported (PCM: 8 to 32)"))
        #expect(await message(WAVBuilder(tag: 3, bits: 16).build(tone)).contains("bits per sample 16 is not supported for IEEE float"))
        #expect(await message(WAVBuilder(tag: 7, bits: 16).build(tone)).contains("bits per sample 16 is not valid for G.711 mu-law"))
    }

    @Test func unsupportedFormatTagsAndGUIDs() async {
        #expect(await message(WAVBuilder(tag: 0x55).build(tone)).contains("format tag 0x0055 (MP3) is not supported"))
        #expect(await message(WAVBuilder(tag: 2, bits: 4, blockAlign: 256).build(tone)).contains("Microsoft ADPCM"))
        var b = WAVBuilder(extensible: true)
        b.guidTail[13] = 0
        #expect(await message(b.build(tone)).contains("extensible sub-format GUID is not a standard"))
        b = WAVBuilder(extensible: true)
        b.fmtSizeOverride = 18
        #expect(await message(b.build(tone)).contains("fmt chunk size is 18; WAVE_FORMAT_EXTENSIBLE needs 40"))
    }

    @Test func lyingFields() async {
        #expect(await message(WAVBuilder(blockAlign: 3).build(tone)).contains("block align is 3 but 1 channel(s) of 16-bit samples need 2"))
        #expect(await message(WAVBuilder(channels: 0).build(tone)).contains("channels 0 is not valid"))
        #expect(await message(WAVBuilder(rate: 0).build(tone)).contains("sample rate 0 Hz is not valid"))
        #expect(await message(WAVBuilder(rate: 1).build(tone)).contains("sample rate 1 Hz is below the 1000 Hz supported"))
        var b = WAVBuilder()
        b.fmtSizeOverride = 10
        #expect(await message(b.build(tone)).contains("fmt chunk size is 10; at least 16 bytes are needed"))
        b = WAVBuilder()
        b.omitFmt = true
        #expect(await message(b.build(tone)).contains("data chunk comes before any fmt chunk (the fmt chunk is missing, or after the audio)"))
        let noData = Array(WAVBuilder().build([]).dropLast(8))    // header without the data chunk
        #expect(await message(noData).contains("data chunk is missing (the file ends after 36 bytes)"))
    }

    @Test func truncatedHeader() async {
        let full = WAVBuilder().build(tone)
        #expect(await message(Array(full.prefix(8))).contains("is cut short: its RIFF header chunk claims 12 bytes but the file ends after 8"))
        #expect(await message(Array(full.prefix(30))).contains("'fmt ' chunk claims 16 bytes but the file ends after 10"))
        var b = WAVBuilder()
        b.chunksBeforeData = [("LIST", Array(repeating: 1, count: 100))]
        let cut = Array(b.build(tone).prefix(60))
        #expect(await message(cut).contains("'LIST' chunk claims 100 bytes but the file ends after 16"))
    }

    /// Chunks before the audio are held until the data chunk starts: a chunk claiming 2 GiB
    /// (hostile, or a broken file) is refused once 16 MiB are held, not read into memory whole.
    @Test func aHugeChunkBeforeTheDataIsRefusedAfter16MiB() async throws {
        let header = WAVBuilder().build([]).prefix(36)          // RIFF, WAVE and the fmt chunk
        let bytes = Array(header) + Array("JUNK".utf8) + WAVBuilder.le32(0x7FFF_FFFE) + [UInt8](repeating: 0, count: 17 << 20)
        let text = await message(bytes)
        #expect(text.contains("header holds more than 16 MiB before the audio data starts"), "\(text)")
    }

    @Test func dataChunkClaimingMoreThanTheFileDeliversWhatIsThereThenFails() async throws {
        var b = WAVBuilder()
        b.dataSize = 1_000_000
        let samples = (0..<1000).map { Int16($0) }
        let path = try WAVBuilder.write(b.build(samples.flatMap { WAVBuilder.le16($0) }))
        let source = try await FileAudioSource(path: path, options: fastOptions())
        let r = try await drain(source)
        #expect(int16s(r.bytes) == samples)                        // nothing lost
        let e = try #require(r.error as? AudioError)
        #expect(e == .truncated(path: path, chunk: "data", claimed: 1_000_000, available: 2000))
        #expect(String(describing: e).contains("data chunk claims 1000000 bytes but the file ends after 2000"))
        // Callers treat it as a warning: what is there was delivered.
        #expect(e.earlyEndWarning == "\(path) ends early: its WAV header announces 1000000 bytes of audio but the file holds 2000 (0%; cut short?). Everything that is there is captioned.")
        #expect(AudioError.truncated(path: path, chunk: "'fmt '", claimed: 16, available: 3).earlyEndWarning == nil)
    }

    /// A header that announces audio with none after it (a recording stopped before its first
    /// buffer, a download cut after the header) is an error, not a warning: nothing was captioned.
    @Test func aHeaderWithNoAudioAfterItIsAnError() async throws {
        var b = WAVBuilder()
        b.dataSize = 64_000
        let path = try WAVBuilder.write(b.build([]))
        let source = try await FileAudioSource(path: path, options: fastOptions())
        let r = try await drain(source)
        #expect(r.bytes.isEmpty)
        let e = try #require(r.error as? AudioError)
        #expect(e == .truncated(path: path, chunk: "data", claimed: 64_000, available: 0))
        #expect(e.earlyEndWarning == nil)
        #expect(String(describing: e) == "\(path) holds no audio: its WAV header announces 64000 bytes of audio but the file ends right after the header. Was a download, copy or recording interrupted? Use a complete copy.")
    }

    @Test func missingAndUnreadableFiles() async {
        await #expect {
            _ = try await FileAudioSource(path: "/nonexistent/\(uniqueSuffix()).wav")
        } throws: { e in
            guard case let AudioError.cannotRead(_, detail) = e else { return false }
            return detail.contains("No such file")
        }
        await #expect {
            _ = try await FileAudioSource(path: NSTemporaryDirectory())
        } throws: { e in String(describing: e).contains("directory") }
    }

    /// Every prefix and thousands of corrupted headers: each opens or fails with an AudioError;
    /// none crashes, hangs, or yields more samples than the data chunk can hold.
    @Test func randomCorruptionNeverCrashes() async throws {
        var b = WAVBuilder(channels: 2)
        b.chunksBeforeData = [("LIST", Array("INFOIART\u{3}\0\0\0abc".utf8))]
        let good = b.build(tone)
        var rng = SeededRandom(seed: 42)
        var cases: [[UInt8]] = (0..<good.count).map { Array(good.prefix($0)) }
        for _ in 0..<1500 {
            var m = good
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let i = Int(rng.next() % UInt64(min(m.count, 80)))
                m[i] = UInt8(truncatingIfNeeded: rng.next())
            }
            cases.append(m)
        }
        var opened = 0, refused = 0
        for bytes in cases {
            do {
                let path = try WAVBuilder.write(bytes)
                let s = try await FileAudioSource(path: path, options: fastOptions(rate: 16_000))
                let r = try await drain(s, timeout: 30)
                if let e = r.error { #expect(e is AudioError) }
                #expect(r.bytes.count <= bytes.count * 64 + 64_000)   // bounded by the input, never runaway
                opened += 1
                try? FileManager.default.removeItem(atPath: path)
            } catch is AudioError {
                refused += 1
            }
        }
        #expect(opened + refused == cases.count)
        #expect(opened > 0 && refused > 0)
    }
}
