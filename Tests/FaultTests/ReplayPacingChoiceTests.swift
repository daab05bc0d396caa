@testable import CapttyCore
import Deepgram
import SpeechEngines
import Testing

/// Audio for Deepgram's cloud is paced at its ~1.25× real-time limit; a local or self-hosted
/// server takes it as fast as it can (found by the soak: `--speed 8` and `captty transcribe`
/// were held to 1.25× against `captty serve`).
@Suite struct ReplayPacingChoiceTests {
    @Test func cloudIsPacedLocalServersAreNot() throws {
        #expect(EngineFactory.replayPacing(forBaseURL: "wss://api.deepgram.com") == .deepgram)
        #expect(EngineFactory.replayPacing(forBaseURL: "wss://api.eu.deepgram.com/") == .deepgram)
        #expect(EngineFactory.replayPacing(forBaseURL: "ws://127.0.0.1:8080") == .unlimited)
        #expect(EngineFactory.replayPacing(forBaseURL: "wss://deepgram.example.org:443") == .unlimited)
        #expect(EngineFactory.replayPacing(forBaseURL: "ws://[::1]:8080") == .unlimited)
    }

    @Test func theEngineCarriesThePacing() throws {
        let env = ["DEEPGRAM_API_KEY": "k"]
        let local = try EngineFactory.make(EngineSettings(choice: .deepgram, baseURL: "ws://127.0.0.1:1"), environment: env)
        let cloud = try EngineFactory.make(EngineSettings(choice: .deepgram, baseURL: "wss://api.deepgram.com"), environment: env)
        #expect((local as? DeepgramEngine)?.configuration.replayPacing == .unlimited)
        #expect((cloud as? DeepgramEngine)?.configuration.replayPacing == .deepgram)
    }
}
