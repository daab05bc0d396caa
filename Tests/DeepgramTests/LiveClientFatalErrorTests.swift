import Foundation
import Logging
import TestSupport
import Testing
@testable import Deepgram
import WebSocket

/// Fatal refusals (HTTP 401/400 with `dg-error`) against the Deepgram test double: a clear
/// error with the server's text and request id, and never the key.
@Suite(.serialized) struct LiveClientFatalErrorTests {
    let key = "dg_live_SECRET_9f8e7d6c5b4a3210"

    func expectNoKey(_ texts: [String], _ key: String) {
        for t in texts { #expect(!t.contains(key), "the key leaked: \(t)") }
    }

    @Test func unauthorizedIsFatalWithDgErrorAndRequestIDButNoKey() async throws {
        // The double even echoes the Authorization header in its 401 body.
        try await withDeepgramDouble(["--api-key", "the-right-key", "--echo-auth-in-error"]) { double in
            let logs = CapturingLogHandler.Box()
            let logger = Logger(label: "test") { _ in CapturingLogHandler(box: logs) }
            let client = LiveClient(credential: .apiKey(key), configuration: doubleConfiguration(double, logger: logger))
            let log = EventLog(client.events)
            var thrown: LiveError?
            do {
                try await within(.seconds(60), "401") { try await client.start(pcm16k) }
            } catch let e as LiveError { thrown = e }
            await log.ended()
            let stats = try double.stats()
            #expect(stats.connections.isEmpty)
            #expect(stats.refused.count == 1) // no retry on a fatal status
            let e = try #require(thrown)
            #expect(e.kind == .unauthorized && e.isFatal && e.httpStatus == 401)
            #expect(e.dgError == "Invalid credentials.")
            #expect(e.requestID == stats.refused[0].request_id)
            #expect(e.description.contains("Invalid credentials.") && e.description.contains(stats.refused[0].request_id))
            #expect(e.description.contains("401"))
            #expect(log.errors.contains(e))
            expectNoKey([e.description, e.message, "\(e)", String(reflecting: e)] + log.events.map { "\($0)" } + logs.all, key)
            await #expect(throws: LiveError.self) { try await client.send([1, 2]) }
        }
    }

    @Test func badRequestIsFatalWithDgErrorAndRequestIDButNoKey() async throws {
        try await withDeepgramDouble(["--api-key", key, "--refuse", "400"]) { double in
            let client = LiveClient(credential: .apiKey(key), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            var thrown: LiveError?
            do {
                try await within(.seconds(60), "400") { try await client.start(pcm16k) }
            } catch let e as LiveError { thrown = e }
            await log.ended()
            let stats = try double.stats()
            let e = try #require(thrown)
            #expect(e.kind == .badRequest && e.isFatal && e.httpStatus == 400)
            #expect(e.dgError == "Invalid query string.")
            #expect(e.requestID == stats.refused.first?.request_id)
            #expect(e.description.contains("Invalid query string.") && e.description.contains("check the live options"))
            #expect(stats.refused.count == 1)
            expectNoKey([e.description, "\(e)"] + log.events.map { "\($0)" }, key)
        }
    }

    /// Close 1008 DATA-0000 (undecodable audio) ends the session without reconnecting.
    @Test func undecodableAudioCloseIsFatal() async throws {
        try await withDeepgramDouble(["--api-key", key, "--close-after-bytes", "1", "--close-code", "1008",
                                      "--close-reason", "DATA-0000: The payload cannot be decoded as audio."]) { double in
            let client = LiveClient(credential: .apiKey(key), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "1008") {
                try await client.start(pcm16k)
                try await client.send([1, 2, 3, 4])
                await log.ended()
            }
            let e = try #require(log.errors.last)
            #expect(e.isFatal && e.kind == .badAudio && e.closeCode == 1008)
            #expect(e.dgError?.hasPrefix("DATA-0000") == true)
            #expect(e.description.contains("encoding"))
            let connections = try double.stats().connections.count
            #expect(log.reconnects == 0 && connections == 1)
            expectNoKey(log.events.map { "\($0)" }, key)
        }
    }

    @Test func bearerTokensAreSentAsBearer() async throws {
        try await withDeepgramDouble(["--api-key", "temp-jwt-token"]) { double in
            let client = LiveClient(credential: .bearer("temp-jwt-token"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "bearer") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 800))
                await client.finish()
                await log.ended()
            }
            #expect(try double.stats().connections.map(\.auth) == ["Bearer"])
        }
    }

    @Test func baseURLsCarryingSecretsAreRefused() throws {
        var c = LiveClientConfiguration(environment: [:])
        for bad in ["wss://user:\(key)@api.deepgram.com", "wss://api.deepgram.com/v1/listen?token=\(key)", "https://api.deepgram.com?key=x"] {
            c.baseURL = bad
            #expect(throws: LiveError.self) { try c.listenURL(for: pcm16k) }
            do { _ = try c.listenURL(for: pcm16k) } catch { #expect(!error.description.contains(key)) }
        }
        c.baseURL = "http://127.0.0.1:8080"
        #expect(try c.listenURL(for: LiveOptions(model: .nova3)).absoluteString == "ws://127.0.0.1:8080/v1/listen?model=nova-3")
        #expect(LiveClientConfiguration(environment: ["DEEPGRAM_URL": "ws://h:1"]).baseURL == "ws://h:1")
        #expect(LiveClientConfiguration(environment: [:]).baseURL == "wss://api.deepgram.com")
    }

    /// A TLS failure keeps the WebSocket layer's own advice; a CA hint was appended to every one,
    /// also to an expired certificate or a hostname mismatch, where a CA file cannot help.
    @Test func tlsFailuresCarryOnlyTheirOwnAdvice() {
        let why = "hostname mismatch: the certificate of h:443 is not valid for 'h'; connect using a name the certificate lists"
        let f = ConnectionFailure.from(WebSocketError.tls(why), credential: .apiKey(key))
        #expect(f.error.isFatal && f.error.message == "TLS with the Deepgram server failed: \(why)")
    }
}
