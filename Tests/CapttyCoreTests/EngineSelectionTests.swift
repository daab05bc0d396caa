import Testing
@testable import CapttyCore

/// `--engine auto` picks Deepgram when a key is present, else the local engine.
@Suite struct EngineSelectionTests {
    @Test func autoWithoutKeyIsLocal() {
        #expect(EngineSettings(environment: [:]).resolve(environment: [:]) == .local)
        #expect(EngineSettings(environment: [:]).resolve(environment: ["DEEPGRAM_API_KEY": "  "]) == .local)
    }

    @Test func autoWithKeyIsDeepgram() {
        #expect(EngineSettings(environment: [:]).resolve(environment: ["DEEPGRAM_API_KEY": "k"]) == .deepgram)
        #expect(EngineSettings(apiKeyFile: "/k", environment: [:]).resolve(environment: [:]) == .deepgram)
    }

    @Test func explicitChoiceWins() {
        #expect(EngineSettings(choice: .local, environment: [:]).resolve(environment: ["DEEPGRAM_API_KEY": "k"]) == .local)
        #expect(EngineSettings(choice: .deepgram, environment: [:]).resolve(environment: [:]) == .deepgram)
    }

    @Test func baseURLPrecedence() {
        #expect(EngineSettings(environment: [:]).baseURL == "wss://api.deepgram.com")
        #expect(EngineSettings(environment: ["DEEPGRAM_URL": "ws://h:1"]).baseURL == "ws://h:1")
        #expect(EngineSettings(baseURL: "ws://flag", environment: ["DEEPGRAM_URL": "ws://h:1"]).baseURL == "ws://flag")
    }

    @Test func keySourceNeverHoldsTheKey() {
        let s = EngineSettings(environment: [:]).keySource(environment: ["DEEPGRAM_API_KEY": "secret-value"])
        #expect(s == .environment)
        #expect(!s.description.contains("secret-value"))
    }
}
