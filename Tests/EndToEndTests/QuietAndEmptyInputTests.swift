import Foundation
import Testing
import TestSupport

/// Recordings that hold little or nothing: speech recorded far too quietly is still captioned by
/// the offline engine, and an empty transcript comes with a reason instead of silence.
@Suite struct QuietAndEmptyInputTests {
    /// A 16 kHz mono WAV of `samples`.
    static func wav(_ samples: [Int16], in dir: URL, name: String) throws -> String {
        var data = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + samples.count * 2)); data.append(contentsOf: Array("WAVE".utf8))
        data.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(16_000); u32(32_000); u16(2); u16(16)
        data.append(contentsOf: Array("data".utf8)); u32(UInt32(samples.count * 2))
        for s in samples { u16(UInt16(bitPattern: s)) }
        let url = dir.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    /// The preamble recording 30 dB quieter (peaks near −40 dBFS, as from a distant or muted-down
    /// microphone): the offline engine used to caption 6 of its 52 words.
    @Test(.timeLimit(.minutes(3))) func speechThirtyDecibelsTooQuietIsStillCaptioned() throws {
        let dir = try scratchDirectory("quiet")
        defer { try? FileManager.default.removeItem(at: dir) }
        let quiet = dir.appendingPathComponent("quiet.wav").path
        let sox = try runProcess("/usr/bin/sox", [TestAudio.preamble, "-r", "16000", "-c", "1", "-b", "16", quiet, "gain", "-30"], timeout: 60)
        try #require(sox.status == 0, "sox: \(sox.stderr)")
        let r = try runCaptty(["transcribe", "--engine", "local", "--no-timestamps", quiet], timeout: 150)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let words = r.stdout.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
        let expected = ["people", "united", "states", "perfect", "union", "justice", "tranquility", "welfare", "liberty",
                        "posterity", "constitution", "america"]
        let found = expected.filter(words.contains)
        #expect(found.count >= 10, "found \(found) in: \(r.stdout)")
        #expect(words.count >= 40, "\(words.count) words: \(r.stdout)")
        // The boost needs a second of input to decide; the words spoken in it are not lost.
        #expect(words.prefix(4).contains("people"), "the first words are missing: \(r.stdout)")
    }

    /// Ten seconds of room noise (about −55 dBFS) before normal speech: the pause is not taken
    /// for quiet speech, so the speech is not amplified (and clipped) by a boost meant for it.
    @Test(.timeLimit(.minutes(3))) func aLongPauseOfRoomNoiseDoesNotBoostTheSpeechAfterIt() throws {
        let dir = try scratchDirectory("quiet")
        defer { try? FileManager.default.removeItem(at: dir) }
        let speech = dir.appendingPathComponent("speech.wav").path
        let noise = dir.appendingPathComponent("noise.wav").path
        let both = dir.appendingPathComponent("noise-then-speech.wav").path
        for args in [[TestAudio.preamble, "-r", "16000", "-c", "1", "-b", "16", speech],
                     ["-n", "-r", "16000", "-c", "1", "-b", "16", noise, "synth", "10", "whitenoise", "vol", "0.003"],
                     [noise, speech, both]] {
            let sox = try runProcess("/usr/bin/sox", args, timeout: 60)
            try #require(sox.status == 0, "sox: \(sox.stderr)")
        }
        let log = dir.appendingPathComponent("captty.log").path
        let r = try runCaptty(["transcribe", "--engine", "local", "--no-timestamps", both],
                              environment: ["CAPTTY_LOG": log], timeout: 150)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(!logged.contains("gain now"), "the noise was boosted: \(logged)")
        let words = r.stdout.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
        let expected = ["people", "united", "states", "perfect", "union", "justice", "tranquility", "welfare", "liberty",
                        "posterity", "constitution", "america"]
        #expect(expected.filter(words.contains).count >= 11, "\(r.stdout)")
    }

    @Test func digitalSilenceSaysSo() throws {
        let dir = try scratchDirectory("quiet")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.wav(Array(repeating: 0, count: 32_000), in: dir, name: "silence.wav")
        let r = try runCaptty(["transcribe", "--engine", "local", path], timeout: 60)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("captty: no speech in silence.wav: its 2.0 s of audio are digital silence"), "stderr: \(r.stderr)")
    }

    /// An empty pipe is the writer's failure (`arecord … | captty transcribe - --raw-format …`
    /// where arecord could not open its device): exit 1 and said so, with a raw format as
    /// without one. With one it exited 0, "the transcript is empty".
    @Test func anEmptyPipeIsAnErrorWithOrWithoutARawFormat() throws {
        for raw in [["--raw-format", "s16le:16000:1"], []] {
            let r = try runCaptty(["transcribe", "-", "--engine", "local", "--no-journal"] + raw, stdin: Data(), timeout: 60)
            #expect(r.status == 1, "\(raw): \(r.stderr)")
            #expect(r.stderr.contains("standard input is empty: it holds no audio"), "\(raw): \(r.stderr)")
            let live = try runCaptty(["--plain", "--file", "-", "--engine", "local", "--no-journal"] + raw, stdin: Data(), timeout: 60)
            #expect(live.status == 1, "\(raw): \(live.stderr)")
            #expect(live.stderr.contains("standard input is empty: it holds no audio"), "\(raw): \(live.stderr)")
        }
    }

    @Test func aHeaderWithoutSamplesSaysSo() throws {
        let dir = try scratchDirectory("quiet")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.wav([], in: dir, name: "empty.wav")
        let r = try runCaptty(["transcribe", "--engine", "local", path], timeout: 60)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("empty.wav holds no audio samples"), "stderr: \(r.stderr)")
    }

    /// A tone is loud but not speech: the reason names the level and what to check.
    @Test(.timeLimit(.minutes(2))) func soundWithoutSpeechNamesItsLevel() throws {
        let dir = try scratchDirectory("quiet")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tone = try TestAudio.tone(seconds: 2, in: dir)
        let r = try runCaptty(["transcribe", "--engine", "local", tone], timeout: 120)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.isEmpty, "a steady tone is not speech: \(r.stdout)")
        #expect(r.stderr.contains("no speech was recognised in"), "stderr: \(r.stderr)")
        #expect(r.stderr.contains("loudest sample -21 dBFS"), "stderr: \(r.stderr)")
    }

    /// Live captions of a file with nothing to caption ended with "finished" and not a word
    /// more, which read as a broken engine; they now say why, as `transcribe` does.
    @Test(.timeLimit(.minutes(2))) func liveCaptionsOfSilenceSayWhyThereAreNone() throws {
        let dir = try scratchDirectory("quiet")
        defer { try? FileManager.default.removeItem(at: dir) }
        let silence = try Self.wav(Array(repeating: 0, count: 48_000), in: dir, name: "silence.wav")
        let r = try runCaptty(["--plain", "--engine", "local", "--file", silence, "--speed", "0", "--no-journal"], timeout: 90)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.isEmpty, "\(r.stdout)")
        #expect(r.stderr.contains("captty: no speech in silence.wav: its 3.0 s of audio are digital silence"), "stderr: \(r.stderr)")

        let tone = try TestAudio.tone(seconds: 2, in: dir)
        let t = try runCaptty(["--plain", "--engine", "local", "--file", tone, "--speed", "0", "--no-journal"], timeout: 90)
        #expect(t.status == 0, "stderr: \(t.stderr)")
        #expect(t.stderr.contains("no speech was recognised in"), "stderr: \(t.stderr)")
        #expect(t.stderr.contains("loudest sample -21 dBFS"), "stderr: \(t.stderr)")
    }

    /// Speech that was captioned gets no such note.
    @Test(.timeLimit(.minutes(3))) func liveCaptionsOfSpeechHaveNoNoSpeechNote() throws {
        let r = try runCaptty(["--plain", "--engine", "local", "--file", TestAudio.preamble, "--speed", "0", "--no-journal"], timeout: 150)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.lowercased().contains("constitution"), "\(r.stdout)")
        #expect(!r.stderr.contains("no speech"), "stderr: \(r.stderr)")
    }
}
