import Foundation
import Testing
import TestSupport

/// Options Deepgram refuses are caught before connecting, and the built-in defaults never make a
/// request Deepgram refuses. `--no-interim-results` could never connect: the default
/// `utterance_end_ms=1000` went with it, and Deepgram (and `captty serve`) answer that with
/// HTTP 400 "utterance_end_ms requires interim_results=true". Requests are read from what the
/// Deepgram TEST DOUBLE recorded.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct DeepgramOptionChecksTests {
    static let wav = TestPaths.packageRoot.appendingPathComponent("Assets/demo-preamble.wav").path
    static let env: [String: String?] = ["DEEPGRAM_API_KEY": "test-key"]

    func transcribe(_ double: DeepgramDoubleProcess, _ extra: [String]) throws -> ProcessResult {
        try runCaptty(["transcribe", Self.wav, "--engine", "deepgram", "--url", double.baseURL] + extra, environment: Self.env)
    }

    @Test func withoutInterimResultsTheDefaultUtteranceEndIsLeftOut() async throws {
        try await withDeepgramDouble { double in
            let r = try transcribe(double, ["--no-interim-results"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(!r.stdout.isEmpty)
            // Live, with interim results off in the config file.
            let dir = try scratchDirectory("option-checks")
            defer { try? FileManager.default.removeItem(at: dir) }
            let config = dir.appendingPathComponent("config.toml")
            try Data("[deepgram]\ninterim_results = false\n".utf8).write(to: config)
            let live = try runCaptty(["--plain", "--config", config.path, "--file", Self.wav, "--speed", "0", "--engine", "deepgram",
                                      "--url", double.baseURL, "--no-journal"], environment: Self.env)
            #expect(live.status == 0, "\(live.stderr)")
            let queries = try double.stats().connections.map(\.query)
            #expect(queries.count == 2)
            for q in queries {
                #expect(q.contains("interim_results=false") && !q.contains("utterance_end_ms"), "\(q)")
            }
            // The sample config (which has utterance_end_ms = 1000) with --no-interim-results,
            // and with interim_results = false in it: its value gives way (both failed with exit
            // 64, found in QA).
            let sample = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("Assets/config.toml"), encoding: .utf8)
            let copied = dir.appendingPathComponent("sample.toml")
            try Data(sample.utf8).write(to: copied)
            let flagged = try transcribe(double, ["--config", copied.path, "--no-interim-results"])
            #expect(flagged.status == 0, "\(flagged.stderr)")
            let edited = dir.appendingPathComponent("edited.toml")
            try Data(sample.replacingOccurrences(of: "interim_results = true", with: "interim_results = false").utf8).write(to: edited)
            let inFile = try transcribe(double, ["--config", edited.path])
            #expect(inFile.status == 0, "\(inFile.stderr)")
            for q in try double.stats().connections.suffix(2).map(\.query) {
                #expect(q.contains("interim_results=false") && !q.contains("utterance_end_ms"), "\(q)")
            }
            // With interim results on, the default stays.
            #expect(try transcribe(double, []).status == 0)
            #expect(try double.stats().connections.last?.query.contains("utterance_end_ms=1000") == true)
        }
    }

    /// `--param model=`, `interim_results=` and `utterance_end_ms=` are checked as the typed
    /// options are: keywords went to nova-3 (Deepgram refuses them), key terms to nova-2 (which
    /// ignores them), and a refused `interim_results=false&utterance_end_ms=1000` went out, while
    /// `--keywords` with `--param model=nova-2` was refused as if for nova-3 (found in QA).
    @Test func typedParametersGivenAsParamAreCheckedAsTyped() async throws {
        try await withDeepgramDouble { double in
            let nova3 = try transcribe(double, ["--model", "nova-2", "--param", "model=nova-3", "--keyterm", "foo"])
            #expect(nova3.status == 0, "\(nova3.stderr)")
            var q = try #require(try double.stats().connections.last?.query)
            #expect(q.contains("keyterm=foo") && !q.contains("keywords") && q.contains("model=nova-3"), "\(q)")
            let nova2 = try transcribe(double, ["--param", "model=nova-2", "--keyterm", "foo"])
            #expect(nova2.status == 0, "\(nova2.stderr)")
            q = try #require(try double.stats().connections.last?.query)
            #expect(q.contains("keywords=foo") && !q.contains("keyterm") && q.contains("model=nova-2"), "\(q)")
            let keywords = try transcribe(double, ["--keywords", "foo:2", "--param", "model=nova-2"])
            #expect(keywords.status == 0, "\(keywords.stderr)")
            let noInterim = try transcribe(double, ["--param", "interim_results=false"])
            #expect(noInterim.status == 0, "\(noInterim.stderr)")
            q = try #require(try double.stats().connections.last?.query)
            #expect(q.contains("interim_results=false") && !q.contains("utterance_end_ms"), "\(q)")
            let refused = try transcribe(double, ["--no-interim-results", "--param", "utterance_end_ms=1000"])
            #expect(refused.status != 0 && refused.stderr.contains("utterance_end_ms needs interim results"), "\(refused.stderr)")
            let onNova3 = try transcribe(double, ["--keywords", "foo:2", "--param", "model=nova-3"])
            #expect(onNova3.status != 0 && onNova3.stderr.contains("keywords do not work with nova-3"), "\(onNova3.stderr)")
        }
    }

    /// The upgrade request names the client (`User-Agent: captty/VERSION`), as the SDKs name
    /// themselves; it carried none, so a server's logs could not tell captty's traffic apart.
    @Test func theUpgradeRequestNamesCaptty() async throws {
        try await withDeepgramDouble { double in
            let r = try transcribe(double, [])
            #expect(r.status == 0, "\(r.stderr)")
            let version = try runCaptty(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try double.stats().connections.last?.user_agent == "captty/\(version)")
        }
    }

    /// `--raw-format` with a WAV file is not used (the header gives the format): said, not
    /// silently ignored (found in QA).
    @Test func rawFormatIsSaidUnusedForAWAV() async throws {
        try await withDeepgramDouble { double in
            let r = try transcribe(double, ["--raw-format", "s16le:8000"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("--raw-format is not used: "), "\(r.stderr)")
            #expect(try double.stats().connections.last?.query.contains("sample_rate=16000") == true)
        }
    }

    /// A short-lived token in DEEPGRAM_ACCESS_TOKEN (as the official SDKs read it) goes out as
    /// `Bearer`, first; the CLI sent every credential as `Token`, and a token got HTTP 401.
    @Test func anAccessTokenIsSentAsBearer() async throws {
        try await withDeepgramDouble(["--api-key", "tok-123"]) { double in
            let r = try runCaptty(["transcribe", Self.wav, "--engine", "deepgram", "--url", double.baseURL],
                                  environment: ["DEEPGRAM_ACCESS_TOKEN": "tok-123", "DEEPGRAM_API_KEY": "other-key"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try double.stats().connections.last?.auth == "Bearer")
            #expect(!r.stderr.contains("tok-123") && !r.stdout.contains("tok-123"))
        }
    }

    @Test func optionsDeepgramRefusesAreCaughtBeforeConnecting() async throws {
        try await withDeepgramDouble { double in
            let cases: [([String], String)] = [
                (["--no-interim-results", "--utterance-end-ms", "1500"], "utterance_end_ms needs interim results"),
                (["--model", ""], "the model name is empty"),
                (["--keyterm", " "], "a key term is empty"),
                (["--tag", ""], "a tag is empty"),
                (["--keywords", "foo:bar", "--model", "nova-2"], "the boost a number"),
                (["--replace", ":x"], "with something to find"),
                (["--search", ""], "a search term is empty"),
                (["--keywords", "foo:nan"], "--keywords 'foo' needs a boost that is a finite number"),
                (["--keywords", "foo:1e999"], "--keywords 'foo' needs a boost that is a finite number"),
                (["--keywords", "foo:2"], "keywords do not work with nova-3"),
                (["--keywords", "foo:2", "--model", "nova-3-medical"], "keywords do not work with nova-3-medical"),
                // The audio sent follows the typed options: a parameter must not name another format.
                (["--param", "encoding=mulaw"], "--param encoding=mulaw would tell the server another audio format than the one sent: use --encoding mulaw"),
                (["--param", "sample_rate=8000"], "use --sample-rate 8000 instead"),
                (["--param", "channels=2"], "use --channels 2 instead"),
            ]
            for (flags, words) in cases {
                let r = try transcribe(double, flags)
                #expect(r.status == 64, "\(flags): \(r.stderr)")
                // "Error:" with the command's usage when the flags alone say it, "captty:" when the
                // defaults or the config are part of it.
                #expect((r.stderr.hasPrefix("captty: ") || r.stderr.hasPrefix("Error: ")) && r.stderr.contains(words), "\(flags): \(r.stderr)")
                #expect(!r.stderr.contains("Usage: captty <subcommand>"), "\(flags): the top-level usage is not about this")
            }
            // The live command says the same.
            let live = try runCaptty(["--plain", "--file", Self.wav, "--engine", "deepgram", "--url", double.baseURL,
                                      "--keywords", "foo:2", "--no-journal"], environment: Self.env)
            #expect(live.status == 64 && live.stderr.contains("use --keyterm with nova-3"), "\(live.stderr)")
            // The double writes its stats once a connection ends: none means none was made.
            let statsWritten = FileManager.default.fileExists(atPath: double.recordDir.appendingPathComponent("stats.json").path)
            #expect(try !statsWritten || double.stats().connections.isEmpty, "a refused option still connected")
            // Keywords with a model that takes them go through.
            let ok = try transcribe(double, ["--keywords", "foo:2", "--model", "nova-2"])
            #expect(ok.status == 0, "\(ok.stderr)")
            #expect(try double.stats().connections.last?.query.contains("keywords=foo%3A2") == true)
            // Key terms go to an older model as keywords (it ignores keyterm), as the model key does.
            let older = try transcribe(double, ["--keyterm", "captty", "--model", "nova-2"])
            #expect(older.status == 0, "\(older.stderr)")
            let q = try double.stats().connections.last?.query ?? ""
            #expect(q.contains("keywords=captty") && !q.contains("keyterm"), "\(q)")
            #expect(try transcribe(double, ["--keyterm", "captty"]).status == 0)
            #expect(try double.stats().connections.last?.query.contains("keyterm=captty") == true, "nova-3 keeps keyterm")
        }
    }
}
