import Foundation
import Audio
import Deepgram
import SpeechEngines
import Testing
import TestSupport
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

    /// A self-hosted server (any base URL that is not Deepgram's cloud) needs no key.
    @Test func autoWithASelfHostedURLIsDeepgramWithoutAKey() throws {
        #expect(EngineSettings(baseURL: "ws://10.0.0.5:8080", environment: [:]).resolve(environment: [:]) == .deepgram)
        #expect(EngineSettings(environment: ["DEEPGRAM_URL": "ws://dg.lan:8080"]).resolve(environment: [:]) == .deepgram)
        var cloud = EngineSettings(environment: ["DEEPGRAM_URL": "wss://api.eu.deepgram.com"])
        #expect(cloud.resolve(environment: [:]) == .local, "the cloud needs a key: without one, auto is offline")
        // --url names it outright: Deepgram, and no key is then an error, not a quiet switch.
        cloud = EngineSettings(baseURL: "wss://api.eu.deepgram.com", environment: [:])
        #expect(cloud.resolve(environment: [:]) == .deepgram)
        #expect(throws: (any Error).self) { try EngineFactory.make(cloud, environment: ["DEEPGRAM_API_KEY": "  "]) }
        // A blank key is no key: a self-hosted server is reached without one.
        let blank = try EngineFactory.make(EngineSettings(baseURL: "ws://127.0.0.1:1", environment: [:]), environment: ["DEEPGRAM_API_KEY": " "])
        #expect((blank as? DeepgramEngine)?.credential == .anonymous)
        let engine = try EngineFactory.make(EngineSettings(baseURL: "ws://127.0.0.1:1", environment: [:]), environment: [:])
        #expect((engine as? DeepgramEngine)?.credential == .anonymous)
        #expect(throws: (any Error).self) {
            try EngineFactory.make(EngineSettings(choice: .deepgram, environment: [:]), environment: [:])
        }
    }

    @Test func explicitChoiceWins() {
        #expect(EngineSettings(choice: .local, environment: [:]).resolve(environment: ["DEEPGRAM_API_KEY": "k"]) == .local)
        #expect(EngineSettings(choice: .deepgram, environment: [:]).resolve(environment: [:]) == .deepgram)
    }

    /// Live captions retry a lost connection for as long as they run; a batch job gives up
    /// after the policy's attempts so that a script learns of it.
    @Test func liveSessionsKeepReconnectingBatchJobsGiveUp() async throws {
        let env = ["DEEPGRAM_API_KEY": "k"]
        let settings = EngineSettings(choice: .deepgram, baseURL: "ws://127.0.0.1:1", environment: [:])
        let batch = try EngineFactory.make(settings, environment: env) as? DeepgramEngine
        #expect(batch?.configuration.reconnect.maxAttempts == 10)
        #expect(batch?.configuration.reconnect.maxAttemptsBeforeFirstContact == 3)
        let live = try EngineFactory.make(settings, environment: env, keepReconnecting: true) as? DeepgramEngine
        #expect(live?.configuration.reconnect.maxAttempts == .max)
        #expect(live?.configuration.reconnect.maxAttemptsBeforeFirstContact == .max)
        // The live launcher asks for it.
        let dir = try scratchDirectory("engine-sel")
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyFile = dir.appendingPathComponent("key").path
        try "k\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        chmod(keyFile, 0o600)
        let wav = try TestAudio.tone(seconds: 1, in: dir)
        var s = settings
        s.apiKeyFile = keyFile
        let request = LiveRequest(engine: s, input: .file(wav), inputExplicit: true, options: .captionDefaults, plain: true,
                                  timestamps: false, journalPath: nil, journalDirectory: nil, noJournal: true,
                                  settings: LiveApp.Settings())
        let session = try await LiveLauncher.makeSession(request)
        #expect((session.engine as? DeepgramEngine)?.configuration.reconnect.maxAttempts == .max)
        // A file waits through a reconnect, and the engine is told so by the source itself.
        #expect(session.source.canWait)
        #expect((session.engine as? DeepgramEngine)?.configuration.audioCanWait == true)
        #expect(!(try PulseCapture()).canWait)
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

    @Test func withoutAKeyOnlyTheAudioIsWarnedAbout() {
        let w = EngineFactory.plaintextWarning(URL(string: "ws://10.0.0.5:8080/v1/listen")!, sendsKey: false)
        #expect(w?.contains("unencrypted") == true && w?.contains("API key") == false, "\(w ?? "nil")")
    }

    @Test func plainWebSocketToAnotherHostWarns() {
        for u in ["ws://10.0.0.5:8080/v1/listen", "ws://dg.internal/v1/listen", "ws://127.example.com/v1/listen"] {
            let w = EngineFactory.plaintextWarning(URL(string: u)!)
            #expect(w?.contains("unencrypted") == true, "\(u)")
        }
    }
}
