import Foundation
import TestSupport
import Testing
@testable import Deepgram

/// `finish()` and `finalize()` against the Deepgram test double.
@Suite(.serialized) struct LiveClientFinishTests {
    /// The double sends its last final 2 s after CloseStream; finish() waits for it, then
    /// Metadata, then the server's close.
    @Test func finishReceivesAFinalSentTwoSecondsAfterCloseStream() async throws {
        try await withDeepgramDouble(["--late-final-delay", "2"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "finish") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 3 * 8_000)) // 3 s: one final at 2 s
                await client.finish()
                await log.ended()
            }
            let finals = log.finals
            #expect(finals.map(\.end) == [2.0, 3.0])
            let tail = log.events.suffix(3)
            guard tail.count == 3 else { Issue.record("too few events"); return }
            let kinds = tail.map { e -> String in
                switch e {
                case .results(let r): return r.isFinal ? "final@\(r.end)" : "interim"
                case .metadata: return "metadata"
                case .close(let code, _): return "close \(code)"
                default: return "other"
                }
            }
            #expect(kinds == ["final@3.0", "metadata", "close 1000"])
            #expect(try double.stats().connections[0].close_stream == 1)
        }
    }

    /// Metadata after CloseStream is the server's last word. A server that sends it and then
    /// never closes is closed by the client within a second, without an error: everything was
    /// transcribed. (Found in QA: finish() waited the whole 10 s `finishTimeout`, then warned
    /// that the server did not close, and live captions said the engine stopped answering.)
    @Test func finishClosesSoonAfterMetadataWhenTheServerDoesNot() async throws {
        try await withDeepgramDouble(["--no-close-after-metadata"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            let took = try await within(.seconds(30), "finish") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 3 * 8_000))
                let began = ContinuousClock.now
                await client.finish()
                await log.ended()
                return ContinuousClock.now - began
            }
            #expect(log.finals.map(\.end) == [2.0, 3.0])
            #expect(log.errors.isEmpty, "\(log.errors)")
            #expect(took < .seconds(5), "finish took \(took)")
            if case .close(1000, _)? = log.events.last {} else { Issue.record("no close 1000 at the end: \(log.events.suffix(2))") }
            #expect(try double.stats().connections.count == 1)
        }
    }

    /// If the server never closes, finish() gives up after `finishTimeout` and says so.
    @Test func finishIsBoundedByTheFinishTimeout() async throws {
        try await withDeepgramDouble(["--late-final-delay", "30"]) { double in
            var config = doubleConfiguration(double)
            config.finishTimeout = .seconds(1)
            let client = LiveClient(credential: .apiKey("test-key"), configuration: config)
            let log = EventLog(client.events)
            try await within(.seconds(30), "bounded finish") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 8_000))
                await client.finish()
                await log.ended()
            }
            #expect(log.errors.contains { $0.kind == .timeout && !$0.isFatal })
            if case .close? = log.events.last {} else { Issue.record("no .close at the end") }
        }
    }

    /// The server answers every CloseStream with a final (an empty one when no audio is left)
    /// and close 1011 instead of Metadata. Once every byte is transcribed a new connection
    /// could add nothing: finish() ends there, without an error. (It reconnected forever: each
    /// connection's empty final counted as progress and reset the attempts.)
    /// Live captions reconnect without limit while audio comes in (`maxAttempts` unbounded), but
    /// once the audio has ended and `finish()` waits, a network that stays down is given
    /// `maxAttemptsWhileFinishing` attempts, then the stream ends with a fatal error that says
    /// so. (Found by an audit: `captty --file talk.wav --plain` with the network down retried
    /// forever after the file ended.)
    @Test func finishGivesUpWhenTheNetworkStaysDown() async throws {
        var c = LiveClientConfiguration(environment: [:])
        c.baseURL = "ws://127.0.0.1:\((try? refusingLoopbackPort()) ?? 9)"   // nothing listens
        c.reconnect = ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(40), maxAttempts: Int.max,
                                      maxAttemptsWhileFinishing: 3, maxAttemptsBeforeFirstContact: .max)
        c.audioCanWait = true
        c.logger.logLevel = .critical
        let client = LiveClient(credential: .apiKey("test-key"), configuration: c)
        let log = EventLog(client.events)
        try await within(.seconds(30), "finish with the network down") {
            try await client.start(pcm16k, waitForOpen: false)
            try await client.send(counterAudio(from: 0, count: 8_000))
            // Several attempts while audio is still coming: those are not bounded.
            for _ in 0..<200 where log.reconnects < 6 { try await Task.sleep(for: .milliseconds(20)) }
            await client.finish()
            await log.ended()
        }
        let before = log.reconnects
        #expect(before >= 6 + 3 - 1, "\(before) reconnects")
        let fatal = log.errors.last
        #expect(fatal?.isFatal == true)
        #expect(fatal?.message.contains("gave up after 3 reconnect attempts once the audio had ended") == true, "\(String(describing: fatal))")
        if case .close? = log.events.last {} else { Issue.record("no .close") }
    }

    /// CloseStream answered, after finals for all the audio, with a close that would reconnect
    /// (1011) or one that refuses to go on (4000; it failed a session whose transcript was
    /// whole, found in QA): either ends the stream, with a warning and no reconnect.
    @Test(arguments: [(1011, "NET-0000"), (4000, "DONE")])
    func finishEndsWhenCloseStreamIsAnsweredWithACloseAfterEverything(code: Int, reason: String) async throws {
        try await withDeepgramDouble(["--answer-close-stream", String(code), "--close-reason", reason]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(30), "finish after a \(code) answer") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 3 * 8_000)) // 3 s
                await client.finish()
                await log.ended()
            }
            #expect(log.finals.filter { !$0.transcript.isEmpty }.map(\.end) == [2.0, 3.0])
            #expect(log.errors.allSatisfy { !$0.isFatal }, "\(log.errors)")
            #expect(log.errors.contains { $0.message.contains("after all audio was transcribed") && $0.message.contains("\(code) \(reason)") },
                    "\(log.errors)")
            #expect(log.reconnects == 0)
            #expect(try double.stats().connections.count == 1)
            if case .close(let c, _)? = log.events.last { #expect(c == code) } else { Issue.record("no .close") }
        }
    }

    /// A server that answers CloseStream with a plain close 1000, with no final for the audio
    /// left and no Metadata: it is sent the audio once more (a proxy may close so), and when it
    /// does the same again the stream ends with an error that says how much has no finals. The
    /// whole backlog was sent ten more times, and the end came a minute later (found in QA).
    @Test func aServerThatClosesUnfinishedTwiceIsNotSentTheAudioAThirdTime() async throws {
        try await withDeepgramDouble(["--bare-close-stream", "1000", "--final-seconds", "100"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(30), "finish against a server that never finishes") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 3 * 8_000)) // 3 s
                await client.finish()
                await log.ended()
            }
            let connections = try double.stats().connections
            #expect(connections.count == 2, "\(connections.count) connections")
            #expect(connections.allSatisfy { $0.bytes == 3 * 8_000 * 4 }, "\(connections.map(\.bytes))")
            let fatal = log.errors.last
            #expect(fatal?.isFatal == true)
            #expect(fatal?.message.contains("again after CloseStream, without finishing the stream (3.0 s of audio have no final results)") == true,
                    "\(String(describing: fatal))")
        }
    }

    /// finalize(waitFor:) returns the `from_finalize` result; the stream stays open.
    @Test func finalizeWaitsForTheFromFinalizeResult() async throws {
        try await withDeepgramDouble() { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "finalize") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 4_000)) // 0.5 s: no final yet
                let r = try await client.finalize(waitFor: .seconds(10))
                #expect(r?.fromFinalize == true && r?.isFinal == true)
                #expect(r?.end == 0.5)
                try await client.send(counterAudio(from: 4_000, count: 4_000))
                await client.finish()
                await log.ended()
            }
            #expect(log.finals.last?.end == 1.0)
            #expect(try double.stats().connections[0].finalize == 1)
        }
    }

    /// `keepAlive()` sends a KeepAlive by hand (the SDKs' `keep_alive()`), for an app that turned
    /// the automatic ones off; the server counts each.
    @Test func keepAliveSendsOneByHand() async throws {
        try await withDeepgramDouble() { double in
            var config = doubleConfiguration(double)
            config.keepAliveInterval = nil
            let client = LiveClient(credential: .apiKey("test-key"), configuration: config)
            let log = EventLog(client.events)
            try await within(.seconds(60), "keepalives by hand") {
                do throws(LiveError) { try await client.keepAlive(); Issue.record("keepAlive before start") } catch { #expect(error.kind == .usage) }
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 4_000))
                for _ in 0..<3 {
                    try await client.keepAlive()
                    try await Task.sleep(for: .milliseconds(300))
                }
                #expect(await client.statistics.keepAlivesSent == 3)
                await client.finish()
                await log.ended()
            }
            #expect(try double.stats().connections[0].keepalives == 3)
        }
    }

    /// A Finalize that went out on a connection that then dropped, unanswered, goes again after
    /// the replay: `finalize(waitFor:)` waited its whole timeout and returned nil, and the audio
    /// it was to flush stayed unflushed (found in QA; the double closes with 1011 on the 90 000th byte).
    @Test func aFinalizeLostWithItsConnectionIsSentAgain() async throws {
        try await withDeepgramDouble(["--close-after-bytes", "90000", "--close-code", "1011", "--close-times", "1"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "finalize across a reconnect") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 24_000))   // 3 s, 96 000 bytes
                let asked = ContinuousClock.now
                let r = try await client.finalize(waitFor: .seconds(8))
                let took = asked.duration(to: .now)
                #expect(r?.fromFinalize == true && r?.end == 3.0, "\(String(describing: r))")
                #expect(took < .seconds(5), "finalize took \(took)")
                await client.finish()
                await log.ended()
            }
            let connections = try double.stats().connections
            #expect(connections.count == 2, "\(connections.count) connections")
            #expect(connections.last?.finalize == 1, "\(connections.map(\.finalize))")
        }
    }

    /// Unknown message types surface as `.unhandled`, server Error messages and malformed JSON
    /// as non-fatal `.error`; none of them ends the stream.
    @Test func unknownAndErrorMessagesAreSurfacedWithoutEndingTheStream() async throws {
        let unknown = #"{"type":"Configured","x":1}"#
        try await withDeepgramDouble(["--greet", unknown,
                                      "--greet", #"{"type":"Error","variant":"ServerError","description":"slow down","code":"E1","message":"{\"type\":\"X\"}"}"#,
                                      "--greet", #"{"type":"Warning","description":"model deprecated","code":"W1"}"#,
                                      "--greet", "not json"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "greetings") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 8_000))
                await client.finish()
                await log.ended()
            }
            #expect(log.events.contains(.unhandled(unknown)))
            #expect(log.errors.contains { $0.kind == .server && !$0.isFatal && $0.description.contains("slow down") })
            // Typed, as the SDKs' error events are: every field, and a warning told from an error.
            let error = log.errors.first { $0.serverMessage?.code == "E1" }
            #expect(error?.serverMessage == ErrorMessage(variant: "ServerError", description: "slow down", code: "E1", message: #"{"type":"X"}"#))
            #expect(error?.isWarning == false)
            #expect(log.errors.first { $0.serverMessage?.code == "W1" }?.isWarning == true, "\(log.errors)")
            #expect(log.errors.contains { $0.kind == .protocolViolation && !$0.isFatal && $0.description.contains("not json") })
            #expect(log.finals.last?.end == 1.0)
            if case .close(let code, _)? = log.events.last { #expect(code == 1000) } else { Issue.record("no .close") }
        }
    }

    /// The connection drops right when CloseStream arrives: finish() reconnects, replays the
    /// unconfirmed tail, sends CloseStream again, and still gets every final.
    @Test func finishSurvivesADropAtCloseStream() async throws {
        try await withDeepgramDouble(["--word-names", "counter", "--kill-on-close-stream", "--kill-times", "1"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "finish across a drop") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 3 * 8_000 + 4_000)) // 3.5 s
                await client.finish()
                await log.ended()
            }
            let stats = try double.stats()
            #expect(stats.connections.count == 2 && stats.connections[0].killed)
            #expect(stats.connections.map(\.close_stream) == [1, 1])
            try expectWholeStreamReceivedInOrder(double, totalCounters: 3 * 8_000 + 4_000, connections: 2)
            expectFinalsTile(log, seconds: 3.5)
            if case .close(let code, _)? = log.events.last { #expect(code == 1000) } else { Issue.record("no .close") }
        }
    }
}
