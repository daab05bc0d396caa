import Foundation
import Testing
import TestSupport

/// A self-hosted Deepgram server authorizes at the container, so its requests need no key.
/// `captty --url ws://host:8080` without DEEPGRAM_API_KEY used to run the offline engine
/// without a word (auto saw no key), and `--engine deepgram` refused to start for want of a
/// key. Against the Deepgram TEST DOUBLE (`--no-auth`: accepts a request without a key).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SelfHostedNoKeyTests {
    static let wav = TestPaths.packageRoot.appendingPathComponent("Assets/demo-preamble.wav").path
    static let noKey: [String: String?] = ["DEEPGRAM_API_KEY": nil, "DEEPGRAM_URL": nil]

    @Test func aSelfHostedURLWithoutAKeyIsUsedAndNoKeyIsSent() async throws {
        try await withDeepgramDouble(["--no-auth"]) { double in
            // No --engine: the URL alone chooses Deepgram.
            let r = try runCaptty(["transcribe", Self.wav, "--url", double.baseURL], environment: Self.noKey)
            #expect(r.status == 0, "\(r.stderr)")
            // The double's words are named after the bytes it heard: the offline engine would
            // have written English.
            #expect(r.stdout.contains("b0"), "\(r.stdout.prefix(200))")
            let conns = try double.stats().connections
            #expect(conns.count == 1)
            #expect(conns.first?.auth == "", "an Authorization header was sent: \(conns)")
            #expect(!r.stderr.contains("unencrypted"), "loopback is not warned about: \(r.stderr)")
        }
    }

    /// The URL comes from --url, else DEEPGRAM_URL, else the config (as the key: the
    /// environment is the more particular choice); a blank key is no key.
    @Test func theEnvironmentsURLBeatsTheConfigsAndABlankKeyIsNone() async throws {
        let dir = try scratchDirectory("selfhosted-config")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.toml").path
        try "url = \"ws://127.0.0.1:1\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        try await withDeepgramDouble(["--no-auth"]) { double in
            let r = try runCaptty(["transcribe", Self.wav, "--config", config],
                                  environment: ["DEEPGRAM_API_KEY": " ", "DEEPGRAM_URL": double.baseURL])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("b0"), "\(r.stdout.prefix(200))")
            #expect(try double.stats().connections.first?.auth == "")
        }
    }

    /// --url with the engine chosen local elsewhere is said to be unused, not ignored silently.
    @Test func aURLTheLocalEngineDoesNotUseIsSaidToBeUnused() throws {
        let r = try runCaptty(["transcribe", "/nonexistent.wav", "--engine", "local", "--url", "ws://127.0.0.1:1"], environment: Self.noKey)
        #expect(r.stderr.contains("--url is not used: the engine is local"), "\(r.stderr)")
        // The CA file and the key file too (they were ignored without a word).
        let both = try runCaptty(["transcribe", "/nonexistent.wav", "--engine", "local", "--ca-file", "/nonexistent.pem",
                                  "--api-key-file", "/nonexistent.key"], environment: Self.noKey)
        #expect(both.stderr.contains("--ca-file, --api-key-file are not used: the engine is local"), "\(both.stderr)")
    }

    @Test func aServerThatWantsAKeySaysSo() async throws {
        try await withDeepgramDouble { double in
            let r = try runCaptty(["transcribe", Self.wav, "--url", double.baseURL], environment: Self.noKey)
            #expect(r.status != 0)
            #expect(r.stderr.contains("401") && r.stderr.contains("wants an API key and none was given"), "\(r.stderr)")
        }
    }

    @Test func deepgramsCloudWithoutAKeyIsRefusedBeforeConnecting() throws {
        // Asked for by --engine, or by naming its URL: an error, not the offline engine.
        for args in [["--engine", "deepgram"], ["--url", "wss://api.deepgram.com"]] {
            let r = try runCaptty(["transcribe", Self.wav] + args, environment: Self.noKey)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.contains("no Deepgram API key") && r.stderr.contains("--url"), "\(args): \(r.stderr)")
        }
    }
}
