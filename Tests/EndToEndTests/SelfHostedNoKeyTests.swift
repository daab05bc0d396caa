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

    @Test func aServerThatWantsAKeySaysSo() async throws {
        try await withDeepgramDouble { double in
            let r = try runCaptty(["transcribe", Self.wav, "--url", double.baseURL], environment: Self.noKey)
            #expect(r.status != 0)
            #expect(r.stderr.contains("401") && r.stderr.contains("wants an API key and none was given"), "\(r.stderr)")
        }
    }

    @Test func deepgramsCloudWithoutAKeyIsRefusedBeforeConnecting() throws {
        let r = try runCaptty(["transcribe", Self.wav, "--engine", "deepgram"], environment: Self.noKey)
        #expect(r.status != 0)
        #expect(r.stderr.contains("no Deepgram API key") && r.stderr.contains("--url"), "\(r.stderr)")
    }
}
