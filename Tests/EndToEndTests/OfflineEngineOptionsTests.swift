import Foundation
import Testing
import TestSupport

/// What the offline engine does with the options that are not about audio: each channel of a
/// `--multichannel` recording transcribed on its own (as `captty serve` does), another language
/// refused as the server refuses it, options it does not implement named, and journals that
/// name the model that really transcribed.
@Suite(.serialized) struct OfflineEngineOptionsTests {
    static let audio = TestPaths.deepgramFixtures.appendingPathComponent("audio")

    /// A stereo 16 kHz WAV: "testing one two three" on the left from 0.5 s, the Microsoft
    /// question on the right from 1.5 s (they overlap).
    static func stereo(in dir: URL) throws -> String {
        let left = dir.appendingPathComponent("left.wav").path, right = dir.appendingPathComponent("right.wav").path
        let out = dir.appendingPathComponent("two speakers.wav").path
        for (src, dst, pad) in [("testing-websocket.wav", left, "0.5"), ("microsoft_headquarters.wav", right, "1.5")] {
            let r = try runProcess("/usr/bin/sox", [audio.appendingPathComponent(src).path, "-r", "16000", "-c", "1", "-b", "16",
                                                    dst, "pad", pad, "2"], timeout: 60)
            try #require(r.status == 0, "sox: \(r.stderr)")
        }
        let m = try runProcess("/usr/bin/sox", ["-M", left, right, out], timeout: 60)
        try #require(m.status == 0, "sox: \(m.stderr)")
        return out
    }

    @Test(.timeLimit(.minutes(4))) func multichannelTranscribesEachChannelOnItsOwn() throws {
        let dir = try scratchDirectory("multichannel")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try Self.stereo(in: dir)
        // No --channels: the file's own two channels are kept.
        let r = try runCaptty(["transcribe", "--engine", "local", "--multichannel", "--format", "srt", wav], timeout: 180)
        #expect(r.status == 0, "\(r.stderr)")
        let cues = r.stdout.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        let left = cues.filter { $0.contains("[ch 1]") }, right = cues.filter { $0.contains("[ch 2]") }
        #expect(left.count >= 1 && right.count >= 1, "\(r.stdout)")
        #expect(left.joined().lowercased().contains("testing"), "\(r.stdout)")
        #expect(right.joined().lowercased().contains("microsoft"), "\(r.stdout)")
        #expect(!left.joined().lowercased().contains("microsoft"), "channels are not mixed: \(r.stdout)")
        // Each channel is timed as if it were transcribed alone (mixing shifted and merged them).
        func firstStart(_ cue: String?) -> Double? {
            guard let line = cue?.split(separator: "\n").first(where: { $0.contains(" --> ") }) else { return nil }
            let p = line.prefix(12).replacingOccurrences(of: ",", with: ":").split(separator: ":").compactMap { Double($0) }
            return p.count == 4 ? p[0] * 3600 + p[1] * 60 + p[2] + p[3] / 1000 : nil
        }
        for (name, channelCues) in [("left.wav", left), ("right.wav", right)] {
            let alone = try runCaptty(["transcribe", "--engine", "local", "--format", "srt", dir.appendingPathComponent(name).path],
                                      timeout: 120)
            let a = try #require(firstStart(alone.stdout.components(separatedBy: "\n\n").first), "\(alone.stdout)")
            let m = try #require(firstStart(channelCues.first), "\(r.stdout)")
            #expect(abs(a - m) < 0.15, "\(name): alone \(a) s, as a channel \(m) s")
        }

        // Without --multichannel the channels are mixed into one transcript, untagged.
        let mixed = try runCaptty(["transcribe", "--engine", "local", "--format", "txt", wav], timeout: 180)
        #expect(mixed.status == 0, "\(mixed.stderr)")
        #expect(!mixed.stdout.contains("[ch "), "\(mixed.stdout)")
    }

    @Test(.timeLimit(.minutes(4))) func liveMultichannelJournalNamesTheChannelsAndTheRealModel() throws {
        let dir = try scratchDirectory("multichannel-live")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try Self.stereo(in: dir)
        let journal = dir.appendingPathComponent("j.jsonl").path
        let r = try runCaptty(["--plain", "--engine", "local", "--file", wav, "--speed", "0", "--multichannel", "--journal", journal],
                              timeout: 180)
        #expect(r.status == 0, "\(r.stderr)")
        // Plain mode labels each line with its channel, as the exports do (it did not).
        #expect(r.stdout.contains("[ch 1] ") && r.stdout.contains("[ch 2] "), "\(r.stdout)")
        let text = try String(contentsOfFile: journal, encoding: .utf8)
        let header = try #require(text.split(separator: "\n").first.map(String.init))
        #expect(header.contains("\"model\":\"moonshine\"") || header.contains("\"model\":\"pocketsphinx\""), "\(header)")
        #expect(!header.contains("\"model\":\"nova-3\",\"options\""), "\(header)")
        let export = try runCaptty(["export", journal, "--format", "txt"], timeout: 30)
        #expect(export.stdout.contains("[ch 1]") && export.stdout.contains("[ch 2]"), "\(export.stdout)")
    }

    /// Moonshine's models without the program that runs them (captty copied on its own): every
    /// caption came from PocketSphinx, and only the log said so, when the first stream opened
    /// (`captty serve` started without a word; found in QA). It is said at once.
    @Test(.timeLimit(.minutes(3))) func aMissingMoonshineWorkerIsSaid() throws {
        let dir = try scratchDirectory("no-worker")
        defer { try? FileManager.default.removeItem(at: dir) }
        let models = TestPaths.packageRoot.appendingPathComponent("vendor/moonshine").path
        try #require(FileManager.default.fileExists(atPath: models), "Moonshine is not installed: run scripts/install-local-engine")
        let lone = dir.appendingPathComponent("captty").path
        try FileManager.default.copyItem(atPath: TestPaths.capttyBinary.path, toPath: lone)
        let wav = Self.audio.appendingPathComponent("testing-websocket.wav").path
        let env: [String: String?] = ["CAPTTY_MODEL_DIR": models, "CAPTTY_MOONSHINE_WORKER": nil, "HOME": dir.path, "XDG_DATA_HOME": dir.path]
        let r = try runProcess(lone, ["transcribe", "--engine", "local", wav], environment: env, timeout: 120)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("captty-moonshine-worker is not next to captty") && r.stderr.contains("PocketSphinx only"), "\(r.stderr)")
        // With the worker beside it, nothing of the kind.
        let whole = try runCaptty(["transcribe", "--engine", "local", wav], environment: ["CAPTTY_MODEL_DIR": models], timeout: 120)
        #expect(whole.status == 0 && !whole.stderr.contains("captty-moonshine-worker"), "\(whole.stderr)")
    }

    @Test(.timeLimit(.minutes(2))) func anotherLanguageIsRefusedAndUnimplementedOptionsAreNamed() throws {
        let wav = Self.audio.appendingPathComponent("testing-websocket.wav").path
        let de = try runCaptty(["transcribe", "--engine", "local", "--language", "de", wav], timeout: 60)
        #expect(de.status == 64, "a usage error, said before anything starts: \(de.stderr)")
        #expect(de.stderr.contains("English (en) only, not 'de'"), "\(de.stderr)")
        #expect(de.stderr.contains("--engine deepgram"), "says what to do: \(de.stderr)")
        #expect(de.stdout.isEmpty, "\(de.stdout)")

        let gb = try runCaptty(["transcribe", "--engine", "local", "--language", "en-GB", "--diarize", "--keyterm", "captty", wav],
                               timeout: 120)
        #expect(gb.status == 0, "\(gb.stderr)")
        #expect(gb.stderr.contains("does not implement --diarize, --keyterm"), "\(gb.stderr)")
        #expect(gb.stdout.lowercased().contains("testing"), "\(gb.stdout)")
    }

    /// The live app says so too: its session dropped the engine's notices, and `--diarize`
    /// did nothing without a word (found in review).
    @Test(.timeLimit(.minutes(2))) func theLiveAppNamesUnimplementedOptions() throws {
        let wav = Self.audio.appendingPathComponent("testing-websocket.wav").path
        let r = try runCaptty(["--plain", "--engine", "local", "--file", wav, "--speed", "0", "--no-journal", "--diarize", "--keyterm", "captty"],
                              timeout: 120)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("the offline engine does not implement --diarize, --keyterm: they are ignored"), "\(r.stderr)")
        #expect(r.stdout.lowercased().contains("testing"), "\(r.stdout)")
    }
}
