import Foundation
import TestSupport
import Testing
@testable import Deepgram

/// `configure()`: the newest API's mid-stream `Configure` (keyterms, formatting features), against
/// the Deepgram TEST DOUBLE, which answers as the SDK 7 schema says (`ConfigureSuccess`,
/// `ConfigureFailure`). captty serve, a real peer that refuses every Configure, is tested in
/// CapttyCoreTests.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LiveClientConfigureTests {
    @Test func theFrameIsTheNewestAPIsConfigure() throws {
        let json = ControlMessage.configure(keyterms: ["captty", "Deepgram \"live\""], features: ["numerals": true]).json
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["type"] as? String == "Configure")
        #expect(object["keyterms"] as? [String] == ["captty", "Deepgram \"live\""])
        #expect((object["features"] as? [String: Bool]) == ["numerals": true])
        #expect(ControlMessage.configure(keyterms: [], features: nil).json == #"{"type":"Configure","keyterms":[]}"#)
        #expect(ControlMessage(json: json) == .configure(json: json))
    }

    @Test func theAnswersDecode() throws {
        let ok = try ServerMessage.decode(#"{"type":"ConfigureSuccess","request_id":"r1","keyterms":["a","b"]}"#)
        #expect(ok == .configureSuccess(ConfigureSuccess(requestID: "r1", keyterms: ["a", "b"])))
        let no = try ServerMessage.decode(#"{"type":"ConfigureFailure","request_id":"r1","code":"CONFIGURE_ALREADY_PENDING","description":"wait"}"#)
        #expect(no == .configureFailure(ConfigureFailure(requestID: "r1", code: "CONFIGURE_ALREADY_PENDING", description: "wait")))
        #expect(try ServerMessage.decode(no.encoded()) == no)
        #expect(try ServerMessage.decode(ok.encoded()) == ok)
    }

    @Test func configureIsAnsweredAndAFailureIsThrownWithoutEndingTheStream() async throws {
        try await withDeepgramDouble { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "configure twice") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 8_000))
                let ok = try await client.configure(keyterms: ["captty"], features: ["numerals": true])
                #expect(ok.keyterms == ["captty"] && ok.requestID?.isEmpty == false)
                do {
                    _ = try await client.configure(keyterms: ["unsupported"])
                    Issue.record("a ConfigureFailure was not thrown")
                } catch let error as LiveError {
                    #expect(!error.isFatal && error.dgError == "CONFIGURE_KEYTERMS_NOT_SUPPORTED", "\(error)")
                    #expect(error.message.contains("this model does not support mid-stream keyterm updates"), "\(error)")
                }
                try await client.send(counterAudio(from: 8_000, count: 8_000))
                await client.finish()
                await log.ended()
            }
            #expect(log.events.contains { if case .configured = $0 { return true }; return false })
            #expect(log.events.contains { if case .configureRefused(let f) = $0 { return f.code == "CONFIGURE_KEYTERMS_NOT_SUPPORTED" }; return false })
            #expect(log.finals.last.map { abs($0.end - 2.0) < 1e-6 } == true, "the stream went on after the refusal")
            if case .close(let code, _)? = log.events.last { #expect(code == 1000) } else { Issue.record("no .close") }
        }
    }

    /// A new connection starts from the query's options: the applied Configure is sent again
    /// after a reconnect, so the stream keeps its keyterms (the SDKs lose them).
    @Test func anAppliedConfigureIsSentAgainAfterAReconnect() async throws {
        try await withDeepgramDouble(["--kill-after-bytes", "64000", "--kill-times", "1"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "configure, then a dropped connection") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 4_000))
                _ = try await client.configure(keyterms: ["captty"])
                try await client.send(counterAudio(from: 4_000, count: 40_000))   // the double drops at 64000 bytes
                await client.finish()
                await log.ended()
            }
            #expect(log.opens == 2, "\(log.events.count) events")
            let configured = log.events.compactMap { e -> ConfigureSuccess? in if case .configured(let s) = e { return s }; return nil }
            #expect(configured.count == 2 && configured.allSatisfy { $0.keyterms == ["captty"] }, "\(configured)")
        }
    }

    @Test func configureNeedsAnOpenStream() async throws {
        let client = LiveClient(credential: .apiKey("test-key"), configuration: LiveClientConfiguration(environment: [:]))
        do {
            _ = try await client.configure(keyterms: ["x"])
            Issue.record("configured a stream that was never started")
        } catch {
            #expect(error.message.contains("needs an open stream"), "\(error)")
        }
    }
}
