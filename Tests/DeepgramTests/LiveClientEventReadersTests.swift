import Foundation
import TestSupport
import Testing
@testable import Deepgram

/// How an app reads a client's events, found by a QA pass writing apps against the library:
/// `finish()` from inside a callback (the Python SDK's "stop after the first final") hung for
/// ever; cancelling the task reading `events` (a SwiftUI `.task` going away) ended `events` for
/// the rest of the session, and two readers split the events between them. Against the
/// Deepgram TEST DOUBLE.
@Suite(.serialized) struct LiveClientEventReadersTests {
    /// Collects the finals' ends and whether `.close` came, from one `events` read.
    actor Reader {
        private(set) var finalEnds: [Double] = []
        private(set) var closed = false
        private(set) var stoppedWith: Bool?
        /// The first caller gets true (it is the one to stop the stream).
        func claimStop() -> Bool { if stoppedWith == nil { stoppedWith = false; return true }; return false }
        func stopped(_ clean: Bool) { stoppedWith = clean }
        func take(_ e: LiveEvent) {
            if case .results(let r) = e, r.isFinal { finalEnds.append(r.end) }
            if case .close = e { closed = true }
        }
    }

    @Test func everyReaderSeesEveryEventAndAStoppedReaderStopsNoOther() async throws {
        try await withDeepgramDouble { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let first = Reader(), second = Reader(), late = Reader()
            try await within(.seconds(60), "three readers, one cancelled") {
                try await client.start(pcm16k)
                let a = client.events, b = client.events
                let readA = Task { for await e in a { await first.take(e) } }
                let readB = Task { for await e in b { await second.take(e) } }
                // A reader that goes away at once (its view disappeared).
                let gone = Task { for await _ in client.events {} }
                gone.cancel()
                try await client.send(counterAudio(from: 0, count: 4 * 8_000))   // 4 s: finals at 2 s and 4 s
                try await Task.sleep(for: .milliseconds(500))
                // A reader that comes later sees what comes from then on.
                let c = client.events
                let readC = Task { for await e in c { await late.take(e) } }
                try await client.send(counterAudio(from: 4 * 8_000, count: 2 * 8_000))
                #expect(await client.finish())
                await readA.value; await readB.value; await readC.value
            }
            let a = await first.finalEnds, b = await second.finalEnds, c = await late.finalEnds
            #expect(a == [2.0, 4.0, 6.0] && b == a, "first \(a), second \(b)")
            #expect(c == [6.0], "late \(c)")
            let closed = (await first.closed, await second.closed, await late.closed)
            #expect(closed == (true, true, true))
        }
    }

    @Test func finishFromACallbackReturnsAndTheCloseCallbackRuns() async throws {
        try await withDeepgramDouble { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let finished = Reader()
            client.on(.transcript) { r in
                guard r.isFinal, await finished.claimStop() else { return }
                await finished.stopped(await client.finish())   // inside the callback: must not wait for itself
            }
            client.on(.close) { _ in await finished.take(.close(code: 1000, reason: "")) }
            try await within(.seconds(30), "finish() from the first final's callback") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 3 * 8_000))
                while !(await finished.closed) { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(await finished.stoppedWith == true)
            #expect(await client.currentState == .closed)
            // finish() from outside, afterwards, returns too.
            try await within(.seconds(5), "a second finish()") { #expect(await client.finish()) }
        }
    }

    /// finish() says whether the stream ended cleanly (the Python SDK's returns a bool); a
    /// stream that ended fatally returned nothing, so an app could not tell it from success.
    /// And the error's `localizedDescription` (what an alert shows) is its message.
    @Test func finishSaysWhetherTheStreamEndedCleanly() async throws {
        try await withDeepgramDouble(["--close-after-bytes", "16000", "--close-code", "1008", "--close-reason", "DATA-0000: bad audio"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            try await within(.seconds(30), "a stream closed with 1008") {
                try await client.start(pcm16k)
                try? await client.send(counterAudio(from: 0, count: 2 * 8_000))
                let clean = await client.finish()
                #expect(!clean)
                let failure: (any Error)? = await client.fatalFailure
                #expect(failure?.localizedDescription.contains("DATA-0000") == true, "\(String(describing: failure?.localizedDescription))")
            }
        }
    }

    /// Cancelling the task waiting in `start()` (a view going away while the server cannot be
    /// reached) ends the session at once; it went on retrying for about a minute.
    @Test func cancellingStartEndsTheSession() async throws {
        var config = LiveClientConfiguration(environment: [:])
        config.baseURL = "ws://127.0.0.1:\(try refusingLoopbackPort())"   // nothing listens there
        let client = LiveClient(credential: .apiKey("test-key"), configuration: config)
        let starting = Task { try await client.start(pcm16k) }
        try await Task.sleep(for: .milliseconds(300))
        let clock = ContinuousClock()
        let cancelledAt = clock.now
        starting.cancel()
        let outcome = await starting.result
        let took = cancelledAt.duration(to: clock.now)
        guard case .failure(let e) = outcome else { Issue.record("start() returned after its task was cancelled"); return }
        #expect((e as? LiveError)?.message.contains("cancelled") == true, "\(e)")
        #expect(took < .seconds(3), "\(took)")
        #expect(await client.currentState == .closed)
    }
}

/// A session that sends no audio for a while at its start (a muted microphone): the server
/// closes a stream without audio (NET-0001; KeepAlive alone does not keep a new one). The client
/// reconnected at once, again and again (a new request each time), and after the attempts were
/// used up the session ended fatally (about 3 minutes with Deepgram's 10 s). Now the next
/// connection waits for audio. Against the Deepgram TEST DOUBLE, which wants audio within 1 s.
@Suite(.serialized) struct LiveClientNoAudioYetTests {
    @Test func aStreamClosedForWantOfAudioReopensWhenAudioComes() async throws {
        try await withDeepgramDouble(["--word-names", "counter", "--require-audio-within", "1"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "6 s without audio, then 3 s of audio") {
                try await client.start(pcm16k)
                try await Task.sleep(for: .seconds(6))
                try await client.send(counterAudio(from: 0, count: 3 * 8_000))
                #expect(await client.finish())
                await log.ended()
            }
            let stats = try double.stats()
            #expect(stats.connections.count == 2, "one connection closed for want of audio, one for the audio: \(stats.connections.map(\.end))")
            let waited = log.errors.filter { $0.message.contains("a new connection opens when audio comes") }
            #expect(waited.count == 1 && waited.allSatisfy { !$0.isFatal }, "\(log.errors)")
            expectFinalsTile(log, seconds: 3)
        }
    }

    /// Audio that stops (a pipe that stalls) after a stream had some: the server closes it as
    /// idle (1011 NET-0001) once every byte is answered. A new connection at once carried
    /// KeepAlive alone and was closed again 10 s later (found in QA); it opens when audio comes.
    @Test func aStreamClosedAsIdleAfterItsAudioReopensWhenAudioComes() async throws {
        // Idle after 1.5 s without audio; the client's KeepAlive comes later than that here.
        try await withDeepgramDouble(["--word-names", "counter", "--idle-timeout", "1.5"]) { double in
            var config = doubleConfiguration(double)
            config.keepAliveInterval = .seconds(30)
            let client = LiveClient(credential: .apiKey("test-key"), configuration: config)
            let log = EventLog(client.events)
            let during = try await within(.seconds(60), "2 s of audio, 4 s without, then 2 s more") { () -> Int in
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 2 * 8_000))
                _ = try? await client.finalize(waitFor: .seconds(2))
                try await Task.sleep(for: .seconds(4))
                let meanwhile = try double.stats().connections.count
                try await client.send(counterAudio(from: 2 * 8_000, count: 2 * 8_000))
                #expect(await client.finish())
                await log.ended()
                return meanwhile
            }
            #expect(during == 1, "a connection opened with no audio to send")
            let stats = try double.stats()
            #expect(stats.connections.count == 2, "\(stats.connections.map(\.end))")
            #expect(log.errors.contains { $0.message.contains("no audio is coming now, so a new connection opens when audio comes") }, "\(log.errors)")
            expectFinalsTile(log, seconds: 4)
        }
    }
}
