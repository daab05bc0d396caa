import Foundation
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

/// Sending the key over plain ws:// to another host is warned about.
@Suite struct PlaintextKeyWarningTests {
    @Test func loopbackAndTLSAreQuiet() {
        for u in ["ws://127.0.0.1:8080/v1/listen", "ws://localhost:1/v1/listen", "ws://[::1]:9/v1/listen",
                  "wss://api.deepgram.com/v1/listen", "wss://10.0.0.5/v1/listen"] {
            #expect(EngineFactory.plaintextWarning(URL(string: u)!) == nil, "\(u)")
        }
    }

    @Test func plainWebSocketToAnotherHostWarns() {
        for u in ["ws://10.0.0.5:8080/v1/listen", "ws://dg.internal/v1/listen", "ws://127.example.com/v1/listen"] {
            let w = EngineFactory.plaintextWarning(URL(string: u)!)
            #expect(w?.contains("unencrypted") == true, "\(u)")
        }
    }
}
