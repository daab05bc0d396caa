import Foundation
import TestSupport
import Testing
@testable import Deepgram
import WebSocket

/// Upgrade answers Deepgram does not give, from a hostile raw server
/// (`Tests/Peers/hostile_deepgram_server.py`): redirects, 429 with `Retry-After`, a plain 200.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LiveClientRefusedUpgradeTests {
    static func configuration(_ server: HostileServerProcess) -> LiveClientConfiguration {
        var c = LiveClientConfiguration(environment: [:])
        c.baseURL = server.url
        c.reconnect = ReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(400), maxAttempts: 3)
        c.replayPacing = .unlimited
        c.logger.logLevel = .critical
        return c
    }

    /// Starts a client against the hostile server in `mode`; the error that ended the start
    /// (nil, recorded as an issue, when it started), and the server, for its request count.
    static func refusal(_ mode: String) async throws -> (LiveError?, HostileServerProcess) {
        let server = try HostileServerProcess(mode: mode)
        let client = LiveClient(credential: .apiKey("test-key"), configuration: configuration(server))
        do {
            try await within(.seconds(30), "start") { try await client.start(pcm16k) }
            Issue.record("\(mode): started")
            return (nil, server)
        } catch let e as LiveError {
            return (e, server)
        }
    }

    /// A redirect is never followed (the key would go to another host) and the error says where
    /// it pointed (without its query) and what to do. It said "HTTP 301 HTTP 301 — will retry",
    /// though it was fatal and nothing was retried.
    @Test(arguments: [301, 302, 307, 308])
    func aRedirectIsRefusedClearly(status: Int) async throws {
        let (error, server) = try await Self.refusal("redirect-\(status)")
        defer { server.stop() }
        guard let e = error else { return }
        #expect(e.isFatal && e.httpStatus == status)
        #expect(e.message.contains("redirects to wss://elsewhere.example/v1/listen"), "\(e.message)")
        #expect(e.message.contains("does not follow redirects") && e.message.contains("--url"), "\(e.message)")
        #expect(!e.message.contains("token=abc") && !e.message.contains("will retry"), "\(e.message)")
        #expect(server.requestTimes(waitingFor: 1).count == 1)
    }

    /// A 200 is not a refusal: the message says the URL is not a WebSocket endpoint.
    @Test func aPlain200SaysTheURLIsNotAWebSocketEndpoint() async throws {
        let (error, server) = try await Self.refusal("status-200")
        defer { server.stop() }
        guard let e = error else { return }
        #expect(e.isFatal && e.message.contains("answered HTTP 200") && e.message.contains("WebSocket endpoint"), "\(e.message)")
        #expect(!e.message.contains("will retry"), "\(e.message)")
    }

    /// A 404 or 405 means the address has no live endpoint: the message points at the base URL,
    /// not at the live options (as for a 400).
    @Test(arguments: [404, 405])
    func aMissingEndpointPointsAtTheBaseURL(status: Int) async throws {
        let (error, server) = try await Self.refusal("status-\(status)")
        defer { server.stop() }
        guard let e = error else { return }
        #expect(e.isFatal && e.httpStatus == status)
        #expect(e.message.contains("check the base URL (--url or DEEPGRAM_URL"), "\(e.message)")
        #expect(!e.message.contains("check the live options"), "\(e.message)")
    }

    /// Refusals whose cause is not the live options get their own advice: a 402 is the
    /// account's billing (it said "check the live options"), 413/414 the request's length, 431
    /// its headers (a key file holding more than the key).
    @Test(arguments: [(402, "run out of credits"), (413, "request was too long"), (414, "request was too long"),
                      (431, "holds the key alone"), (407, "HTTP 407 Proxy Authentication Required — a proxy"),
                      (426, "HTTP 426 Upgrade Required — the server wants another protocol"),
                      // A 400 not in Deepgram's words (no dg-error, no JSON): the address first.
                      (400, "the server said no more: check the base URL")])
    func refusalsSayWhatToFix(status: Int, advice: String) async throws {
        let (error, server) = try await Self.refusal("status-\(status)")
        defer { server.stop() }
        guard let e = error else { return }
        #expect(e.isFatal && e.httpStatus == status)
        #expect(e.message.contains(advice), "\(e.message)")
        #expect(!e.message.contains("check the live options"), "\(e.message)")
    }

    /// nginx's answer to plain HTTP on its TLS port says to use wss://, not to check the options.
    @Test func plainHTTPToATLSPortSaysUseWSS() {
        let body = "<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head></html>"
        let f = ConnectionFailure.from(WebSocketError.handshakeRejected(status: 400, headers: HTTPHeaders([("Server", "nginx")]), body: body),
                                       credential: .apiKey("test-key"))
        #expect(f.error.message.contains("use wss:// instead of ws://"), "\(f.error.message)")
        #expect(!f.error.message.contains("check the live options"), "\(f.error.message)")
    }

    /// A peer that closes without a word of HTTP (a TLS port given ws://) or inside the TLS
    /// handshake (a plain port given wss://) is an address that never answered: tried a few
    /// times, as a refused port is, not ten times over a minute (found in QA). A close inside
    /// the HTTP head (the server had begun to answer) is tried as before.
    @Test func aCloseWithNoWordOfHTTPIsAnAddressThatNeverAnswered() {
        let key = Credential.apiKey("test-key")
        let plain = ConnectionFailure.from(WebSocketError.closedDuringHandshake(
            "the peer closed the connection before the HTTP upgrade (waiting for the upgrade response from 127.0.0.1:9); if the server speaks TLS, use wss://"),
            credential: key)
        let tls = ConnectionFailure.from(WebSocketError.closedDuringHandshake(
            "the connection to 127.0.0.1:9 closed during the TLS handshake, before the server answered (is it a TLS port? try ws:// for plain WebSocket; or the server takes only TLS versions older than 1.2, which captty refuses)"), credential: key)
        let midHead = ConnectionFailure.from(WebSocketError.closedDuringHandshake("the peer closed the connection inside the HTTP head (x)"),
                                             credential: key)
        #expect(plain.unreached && tls.unreached && !midHead.unreached)
        #expect([plain, tls, midHead].allSatisfy { if case .reconnect = $0.action { true } else { false } })
    }

    /// A wss:// server (TLS) or an HTTP/2 one on a ws:// URL: said at once, not retried for a
    /// minute as "the peer closed the connection inside the HTTP head".
    @Test(arguments: [("tls", "it expects an encrypted connection — use wss:// instead of ws://"),
                      ("h2", "answered in HTTP/2")])
    func aServerThatDoesNotSpeakHTTP11IsNamed(mode: String, says: String) async throws {
        let (error, server) = try await Self.refusal(mode)
        defer { server.stop() }
        guard let e = error else { return }
        #expect(e.isFatal && e.message.contains(says), "\(e.message)")
        #expect(server.requestTimes(waitingFor: 1).count == 1, "not retried")
    }

    /// Results in binary frames (a proxy's doing; Deepgram sends text) are read: every caption
    /// was thrown away without a word. A binary frame that is not JSON is said once.
    @Test(arguments: ["binary-json", "binary-junk"])
    func resultsInBinaryFramesAreRead(mode: String) async throws {
        let server = try HostileServerProcess(mode: mode)
        defer { server.stop() }
        let client = LiveClient(credential: .apiKey("test-key"), configuration: Self.configuration(server))
        let log = EventLog(client.events)
        try await within(.seconds(30), "a session") {
            try await client.start(pcm16k)
            try await client.send(counterAudio(from: 0, count: 8_000))
            await client.finish()
            await log.ended()
        }
        #expect(log.finals.map(\.transcript) == ["hello"], "\(log.finals)")
        #expect(log.errors.allSatisfy { !$0.isFatal }, "\(log.errors)")
        let said = log.errors.filter { $0.message.contains("binary message, which is not a Deepgram message") }
        #expect(said.count == (mode == "binary-junk" ? 1 : 0), "\(log.errors)")
        if case .close(let code, _)? = log.events.last { #expect(code == 1000) } else { Issue.record("no .close") }
    }

    /// A 429 with `Retry-After: 2` is retried after 2 s, not after the 50 ms backoff (which
    /// hammered a server asking for calm), then the stream works.
    @Test func retryAfterIsHonoured() async throws {
        let server = try HostileServerProcess(mode: "retry-after-2")
        defer { server.stop() }
        let client = LiveClient(credential: .apiKey("test-key"), configuration: Self.configuration(server))
        let log = EventLog(client.events)
        try await within(.seconds(30), "start after a 429") {
            try await client.start(pcm16k)
            try await client.send(counterAudio(from: 0, count: 8_000))
            await client.finish()
            await log.ended()
        }
        let times = server.requestTimes(waitingFor: 2)
        #expect(times.count == 2)
        if times.count == 2 { #expect(times[1] - times[0] >= 1.9, "retried after \(times[1] - times[0]) s") }
        #expect(log.errors.first?.message.contains("asked to wait 2 s") == true, "\(log.errors)")
        #expect(log.finals.map(\.transcript) == ["hello"])
        if case .close(let code, _)? = log.events.last { #expect(code == 1000) } else { Issue.record("no .close") }
    }

    /// A server that closes the connection before answering (restarting, overloaded, a proxy)
    /// is tried again: it was a fatal "did not speak WebSocket" that ended a live session for good.
    @Test func aConnectionClosedBeforeTheAnswerIsRetried() async throws {
        let server = try HostileServerProcess(mode: "close-first-2")
        defer { server.stop() }
        let client = LiveClient(credential: .apiKey("test-key"), configuration: Self.configuration(server))
        let log = EventLog(client.events)
        try await within(.seconds(30), "start after two closed attempts") {
            try await client.start(pcm16k)
            try await client.send(counterAudio(from: 0, count: 8_000))
            await client.finish()
            await log.ended()
        }
        #expect(server.requestTimes(waitingFor: 3).count == 3)
        #expect(log.errors.allSatisfy { !$0.isFatal }, "\(log.errors)")
        #expect(log.errors.first?.message.contains("closed the connection before it was open") == true, "\(log.errors)")
        #expect(log.finals.map(\.transcript) == ["hello"])
        if case .close(let code, _)? = log.events.last { #expect(code == 1000) } else { Issue.record("no .close") }
    }

    /// Once a session has worked, an odd answer to a reconnect (a proxy's or captive portal's
    /// HTTP 200 page, a 404, a 101 with a wrong accept key) is a glitch on the way, not a wrong
    /// URL: tried again, and the session goes on. It used to end the session for good with
    /// "check the base URL". On the first connect the same answers stay fatal (tests above).
    @Test(arguments: ["200", "404", "bad-accept"])
    func anOddAnswerAfterTheSessionWorkedIsRetried(answer: String) async throws {
        let server = try HostileServerProcess(mode: "glitch-after-open-\(answer)")
        defer { server.stop() }
        let client = LiveClient(credential: .apiKey("test-key"), configuration: Self.configuration(server))
        let log = EventLog(client.events)
        try await within(.seconds(30), "session through a glitch") {
            try await client.start(pcm16k)
            try await client.send(counterAudio(from: 0, count: 8_000))
            // The first connection drops after 0.5 s; the second attempt gets the odd answer.
            try await Task.sleep(for: .seconds(1))
            try await client.send(counterAudio(from: 8_000, count: 8_000))
            await client.finish()
            await log.ended()
        }
        #expect(server.requestTimes(waitingFor: 3).count >= 3)
        #expect(log.errors.allSatisfy { !$0.isFatal }, "\(log.errors)")
        #expect(log.errors.contains { $0.message.contains("answered properly earlier in the session: trying again") }, "\(log.errors)")
        #expect(log.finals.map(\.transcript).last == "hello", "\(log.finals)")
        if case .close(let code, _)? = log.events.last { #expect(code == 1000) } else { Issue.record("no .close") }
    }

    /// `Retry-After` as seconds or as an HTTP date (the date was ignored, and a rate-limited
    /// server tried again after a second); bounded by the policy.
    @Test func retryAfterIsBoundedSecondsOrAnHTTPDate() {
        let p = ReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(400), jitter: 0, maxRetryAfter: .seconds(60))
        #expect(p.delay(forAttempt: 1, retryAfter: .seconds(3600)) == .seconds(60))
        #expect(p.delay(forAttempt: 1, retryAfter: nil) == .milliseconds(50))
        #expect(ConnectionFailure.retryAfterDelay(" 7 ") == .seconds(7))
        // 2015-10-21T07:28:00Z is 1445412480 s after the epoch.
        #expect(ConnectionFailure.httpDate("Wed, 21 Oct 2015 07:28:00 GMT") == Date(timeIntervalSince1970: 1_445_412_480))
        #expect(ConnectionFailure.httpDate("Sun, 29 Feb 2032 23:59:59 GMT") == Date(timeIntervalSince1970: 1_961_711_999))
        let now = Date(timeIntervalSince1970: 1_445_412_476)
        #expect(ConnectionFailure.retryAfterDelay("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == .seconds(4))
        #expect(ConnectionFailure.retryAfterDelay("Wed, 21 Oct 2015 07:28:00 GMT", now: now.addingTimeInterval(10)) == .zero)
        #expect(ConnectionFailure.retryAfterDelay("Wed, 21 Oct 2015 07:28:00 UTC") == nil)
        #expect(ConnectionFailure.retryAfterDelay("soon") == nil)
        #expect(ConnectionFailure.retryAfterDelay("-1") == nil)
        #expect(ConnectionFailure.retryAfterDelay("99999999999999999999") == nil)
    }
}

/// A server that keeps sending (empty interims) but has stopped reading: the heartbeat never
/// fires, and the kernel's send buffer (megabytes) took audio long after the server stopped
/// taking it; captty hung for ever, the file half read (found in QA). The peer acknowledging
/// nothing of what waits in the send queue for `deadAfter` is a dead connection: it is
/// dropped, said, and a new one gets the audio.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LiveClientPeerStopsReadingTests {
    @Test func aServerThatStopsReadingIsDroppedAndSaid() async throws {
        let server = try HostileServerProcess(mode: "no-read")
        var config = LiveClientRefusedUpgradeTests.configuration(server)
        config.webSocket.deadAfter = .seconds(2)
        config.webSocket.pingInterval = .milliseconds(500)
        config.reconnect = ReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(200), maxAttempts: 1)
        let client = LiveClient(credential: .apiKey("test-key"), configuration: config)
        let log = EventLog(client.events)
        let started = ContinuousClock.now
        let dropped = try await within(.seconds(60), "a server that stops reading") { () -> Bool in
            try await client.start(pcm16k)
            // 4 s of audio at once: far more than a 4 KiB receive buffer takes.
            try? await client.send(counterAudio(from: 0, count: 4 * 8_000))
            while !log.errors.contains(where: { $0.message.contains("took no data for") }), ContinuousClock.now - started < .seconds(30) {
                try await Task.sleep(for: .milliseconds(100))
            }
            return log.errors.contains { $0.message.contains("took no data for") }
        }
        #expect(dropped, "the stalled connection was never dropped: \(log.errors)")
        #expect(ContinuousClock.now - started < .seconds(15), "dropped after \(ContinuousClock.now - started)")
        #expect(server.requestTimes(waitingFor: 2).count >= 2, "no new connection was tried")
        server.stop()
    }
}
