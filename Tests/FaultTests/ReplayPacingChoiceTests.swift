@testable import CapttyCore
import Deepgram
import SpeechEngines
import Testing

/// Audio for Deepgram's cloud is paced at its ~1.25× real-time limit; a local or self-hosted
/// server takes it as fast as it can (found by the soak: `--speed 8` and `captty transcribe`
/// were held to 1.25× against `captty serve`).
@Suite struct ReplayPacingChoiceTests {
    @Test func cloudIsPacedLocalServersAreNot() throws {
        func cloud(_ url: String) -> Bool { EngineSettings(baseURL: url, environment: [:]).isDeepgramCloud }
        #expect(cloud("wss://api.deepgram.com"))
        #expect(cloud("wss://api.eu.deepgram.com/"))
        #expect(!cloud("ws://127.0.0.1:8080"))
        #expect(!cloud("wss://deepgram.example.org:443"))
        #expect(!cloud("wss://deepgram.com.example.org"))
        #expect(!cloud("ws://[::1]:8080"))
    }

    @Test func theEngineCarriesThePacing() throws {
        let env = ["DEEPGRAM_API_KEY": "k"]
        let local = try EngineFactory.make(EngineSettings(choice: .deepgram, baseURL: "ws://127.0.0.1:1"), environment: env)
        let cloud = try EngineFactory.make(EngineSettings(choice: .deepgram, baseURL: "wss://api.deepgram.com"), environment: env)
        #expect((local as? DeepgramEngine)?.configuration.replayPacing == .unlimited)
        #expect((cloud as? DeepgramEngine)?.configuration.replayPacing == .deepgram)
    }
}
