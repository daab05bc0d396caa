import Foundation
import Testing
import TestSupport

/// `captty transcribe` and `captty export` as a note-taker uses them, against the Deepgram TEST
/// DOUBLE. Found by a QA pass: a bad `-o` was found only after the whole file had been
/// streamed (and billed) and the transcript was thrown away; `-o notes.srt` wrote plain text;
/// `transcribe` ignored the config file; `--engine auto` could not override the config's engine.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct TranscribeOutputTests {
    static let wav = TestPaths.packageRoot.appendingPathComponent("Assets/demo-preamble.wav").path
    static let env: [String: String?] = ["DEEPGRAM_API_KEY": "test-key"]

    @Test func aBadOutputPathIsRefusedBeforeAnyAudioIsSent() async throws {
        let dir = try scratchDirectory("transcribe-out")
        defer { try? FileManager.default.removeItem(at: dir) }
        try await withDeepgramDouble { double in
            for (out, says) in [("/nonexistent-dir/x.srt", "the directory /nonexistent-dir does not exist"),
                                (dir.path, "is a directory: give a file path"),
                                ("", "-o needs a file path")] {
                let r = try runCaptty(["transcribe", Self.wav, "--engine", "deepgram", "--url", double.baseURL, "-o", out],
                                      environment: Self.env)
                #expect(r.status == 1 && r.stderr.contains(says), "\(out): \(r.stderr)")
            }
            // The double writes its stats at its first connection: none means none.
            #expect((try? double.stats().connections.isEmpty) ?? true, "nothing may be streamed for an output that cannot be written")
        }
    }

    @Test func theOutputFilesExtensionChoosesTheFormat() async throws {
        let dir = try scratchDirectory("transcribe-ext")
        defer { try? FileManager.default.removeItem(at: dir) }
        try await withDeepgramDouble { double in
            let srt = dir.appendingPathComponent("notes.srt").path
            let r = try runCaptty(["transcribe", Self.wav, "--engine", "deepgram", "--url", double.baseURL, "-o", srt],
                                  environment: Self.env)
            #expect(r.status == 0, "\(r.stderr)")
            let text = try String(contentsOfFile: srt, encoding: .utf8)
            #expect(text.hasPrefix("1\n00:00:0") && text.contains(" --> "), "\(text.prefix(80))")
            // --format still wins over the extension.
            let forced = dir.appendingPathComponent("forced.srt").path
            let f = try runCaptty(["transcribe", Self.wav, "--engine", "deepgram", "--url", double.baseURL, "-o", forced,
                                   "--format", "vtt"], environment: Self.env)
            let forcedText = try String(contentsOfFile: forced, encoding: .utf8)
            #expect(f.status == 0 && forcedText.hasPrefix("WEBVTT"), "\(f.stderr)")

            // export: -o x.vtt needs no --format; with neither, the error says what to give.
            let journal = dir.appendingPathComponent("j.jsonl").path
            let live = try runCaptty(["--plain", "--file", Self.wav, "--speed", "0", "--engine", "deepgram", "--url", double.baseURL,
                                      "--journal", journal], environment: Self.env)
            #expect(live.status == 0, "\(live.stderr)")
            let vtt = dir.appendingPathComponent("out.vtt").path
            let e = try runCaptty(["export", journal, "-o", vtt])
            let vttText = try String(contentsOfFile: vtt, encoding: .utf8)
            #expect(e.status == 0 && vttText.hasPrefix("WEBVTT"), "\(e.stderr)")
            // To standard output, txt, as transcribe writes (it was a usage error); to a file
            // named without a format, the error says what to give.
            let none = try runCaptty(["export", journal])
            #expect(none.status == 0 && none.stdout.hasPrefix("[00:00:0") && !none.stdout.contains("WEBVTT"), "\(none.stderr)")
            let unnamed = try runCaptty(["export", journal, "-o", dir.appendingPathComponent("notes").path])
            #expect(unnamed.status == 64 && unnamed.stderr.contains("--format is needed"), "\(unnamed.stderr)")
        }
    }

    @Test func transcribeReadsTheConfigAndFlagsOverrideIt() async throws {
        let dir = try scratchDirectory("transcribe-config")
        defer { try? FileManager.default.removeItem(at: dir) }
        try await withDeepgramDouble { double in
            let config = dir.appendingPathComponent("config.toml")
            try "engine = \"local\"\nurl = \"\(double.baseURL)\"\n[deepgram]\nlanguage = \"de\"\nsmart_format = false\n"
                .write(to: config, atomically: true, encoding: .utf8)
            // The config's engine is local; --engine auto (a key is set) picks Deepgram at the config's URL.
            let r = try runCaptty(["transcribe", Self.wav, "--config", config.path, "--engine", "auto"], environment: Self.env)
            #expect(r.status == 0, "\(r.stderr)")
            let q = try #require(try double.stats().connections.last?.query)
            #expect(q.contains("language=de") && q.contains("smart_format=false"), "\(q)")
            // A flag over the config.
            let flagged = try runCaptty(["transcribe", Self.wav, "--config", config.path, "--engine", "deepgram", "--language", "fr"],
                                        environment: Self.env)
            #expect(flagged.status == 0, "\(flagged.stderr)")
            #expect(try double.stats().connections.last?.query.contains("language=fr") == true)
            // A config that is not valid stops with its own error and status.
            try "[deepgram]\nlangauge = \"de\"\n".write(to: config, atomically: true, encoding: .utf8)
            let bad = try runCaptty(["transcribe", Self.wav, "--config", config.path], environment: Self.env)
            #expect(bad.status == 78 && bad.stderr.contains("langauge"), "\(bad.stderr)")
            // Its [keys] too, as live captions check them (they were taken without a word).
            try "[keys]\nfrobnicate = \"z\"\n".write(to: config, atomically: true, encoding: .utf8)
            let keys = try runCaptty(["transcribe", Self.wav, "--config", config.path], environment: Self.env)
            #expect(keys.status == 78 && keys.stderr.contains("frobnicate"), "\(keys.stderr)")
        }
    }
}
