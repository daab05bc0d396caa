import Audio
import CaptionUI
import Deepgram
import Foundation
import SpeechEngines
import Testing
import TestSupport
import Transcript
@testable import CapttyCore

/// A dropped connection shows as "reconnecting in N s, attempt k" and the transcript comes
/// through whole (the client replays its buffered audio; the store drops repeated words).
@Suite(.serialized) struct SessionReconnectStatusTests {
    @Test func droppedConnectionShowsReconnectingAndLosesNothing() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 5, in: dir)
        // The double aborts the first connection (no close frame) after 2 s of audio.
        try await withDeepgramDouble(["--kill-after-bytes", "64000", "--kill-times", "1"]) { double in
            var config = LiveClientConfiguration(environment: [:])
            config.baseURL = double.baseURL
            config.reconnect = ReconnectPolicy(initialDelay: .milliseconds(300), maxDelay: .seconds(1), maxAttempts: 5)
            let engine = DeepgramEngine(credential: .apiKey("test-key"), configuration: config)
            let source = try await FileAudioSource(path: wav)
            let session = Session(source: source, engine: engine, options: .captionDefaults)
            let seen = try await within(.seconds(60), "captioning across a dropped connection") { () -> [ConnectionState] in
                let watcher = Task { () -> [ConnectionState] in
                    var states: [ConnectionState] = []
                    for await _ in session.changes {
                        let c = session.view.status.connection
                        if states.last != c { states.append(c) }
                    }
                    return states
                }
                await session.start()
                await session.waitUntilIdle()
                await session.finish()
                return await watcher.value
            }
            // The status says why: the double aborted the connection without a close frame.
            let reconnect = seen.first { if case .reconnecting = $0 { return true }; return false }
            guard case .reconnecting(1, 1, let reason)? = reconnect else {
                Issue.record("no reconnecting state: \(seen)")
                return
            }
            // (An abort reads as an end without a close frame or as a reset, depending on timing.)
            #expect(reason.hasPrefix("connection to Deepgram lost: ")
                    && (reason.contains("without a close frame") || reason.contains("Connection reset by peer")), "\(reason)")
            #expect(!reason.contains("1006"), "\(reason)")
            #expect(seen.last == .finished)
            let stats = try double.stats()
            #expect(stats.connections.count == 2)
            let counts = await session.audioCounts
            #expect(counts.perRun == [counts.produced])
            let words = session.view.store.lines.flatMap(\.words)
            #expect(abs((words.first?.start ?? -1)) < 1e-3)
            #expect(abs((words.last?.end ?? -1) - 5.0) < 1e-3)
            for (a, b) in zip(words, words.dropFirst()) {
                #expect(b.start >= a.end - 1e-3, "overlap: \(a.word) [\(a.start)–\(a.end)] then \(b.word) [\(b.start)–\(b.end)]")
            }
        }
    }

    /// A session captioning `audioSeconds` of tone (real time) through a Deepgram engine
    /// pointed at a loopback port where nothing listens (yet), reconnecting per `policy`.
    static func sessionWithNothingListening(audioSeconds: Double, in dir: URL,
                                            _ policy: ReconnectPolicy) async throws -> (Session, Int) {
        let wav = try TestAudio.tone(seconds: audioSeconds, in: dir)
        let port = try freeLoopbackPort()
        var config = LiveClientConfiguration(environment: [:])
        config.baseURL = "ws://127.0.0.1:\(port)"
        config.reconnect = policy
        let engine = DeepgramEngine(credential: .apiKey("test-key"), configuration: config)
        return (Session(source: try await FileAudioSource(path: wav), engine: engine, options: .captionDefaults), port)
    }

    /// Live captions do not give up: an outage far longer than a batch job's 10 attempts is
    /// waited out, the status counting attempts and saying why, and when the server comes back
    /// the audio kept meanwhile reaches it whole. (Delays are shortened for the test; the live
    /// launcher's engine has the same unlimited policy with 1–10 s delays.)
    @Test func aLongOutageIsWaitedOutNotGivenUpOn() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (session, port) = try await Self.sessionWithNothingListening(
            audioSeconds: 6, in: dir, ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(40), maxAttempts: .max,
                                         maxAttemptsBeforeFirstContact: .max))
        await session.start()
        // Wait for attempt 25: two and a half times where a batch job stops.
        let reached = try await within(.seconds(30), "25 reconnect attempts") { () -> ConnectionState in
            while true {
                let c = session.view.status.connection
                if case .reconnecting(_, let attempt, _) = c, attempt >= 25 { return c }
                if case .error = c { return c }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        guard case .reconnecting(_, _, let reason) = reached else {
            Issue.record("gave up: \(reached)")
            await session.finish()
            return
        }
        #expect(reason.contains("127.0.0.1:\(port)") && reason.contains("Connection refused"), "\(reason)")
        // The engine takes the audio while it connects (its replay buffer bounds what it
        // keeps): nothing piles up between the session and the engine.
        let produced = await session.audioCounts.produced
        let waiting = await session.engineBacklogBytes
        #expect(produced >= 16_000 && waiting <= 2 * 3_200, "\(waiting) of \(produced) bytes wait for an engine that has not connected")
        try await withDeepgramDouble(["--port", "\(port)"]) { double in
            try await within(.seconds(60), "captioning once the server is back") {
                await session.waitUntilIdle()
                await session.finish()
            }
            #expect(session.view.status.connection == .finished)
            let counts = await session.audioCounts
            let stats = try double.stats()
            print("long outage: \(counts.produced) bytes produced, the server got \(stats.total_bytes) over \(stats.connections.count) connection(s)")
            #expect(stats.total_bytes == counts.produced, "audio kept during the outage was lost")
            let words = session.view.store.lines.flatMap(\.words)
            #expect(abs((words.first?.start ?? -1)) < 1e-3)
            #expect(abs((words.last?.end ?? -1) - 6.0) < 1e-3)
        }
    }

    /// "reconnecting in N s" counts down with the session clock: it stayed at the first value
    /// until the attempt (found by an audit: "in 8 s" for 4 s, then "in 9 s (attempt 5)").
    @Test func theReconnectCountdownCountsDown() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (session, _) = try await Self.sessionWithNothingListening(
            audioSeconds: 30, in: dir, ReconnectPolicy(initialDelay: .seconds(6), maxDelay: .seconds(6), jitter: 0, maxAttempts: .max,
                                         maxAttemptsBeforeFirstContact: .max))
        await session.start()
        let shown = try await within(.seconds(30), "a countdown") { () -> [Int] in
            var seen: [Int] = []
            while seen.count < 4 {
                if case .reconnecting(let secs, 1, _) = session.view.status.connection, seen.last != secs { seen.append(secs) }
                try await Task.sleep(for: .milliseconds(50))
            }
            return seen
        }
        await session.finish()
        #expect(shown.first == 6, "\(shown)")
        #expect(zip(shown, shown.dropFirst()).allSatisfy { $1 == $0 - 1 }, "not a countdown: \(shown)")
    }

    /// Quitting while waiting to reconnect tries at once instead of sitting out the backoff:
    /// the server is back, so the audio kept meanwhile is transcribed and the session ends
    /// cleanly. (It used to wait out the backoff, longer than the finish timeout, and lose it.)
    /// (Also when the user quits: the attempt made at once is waited for.)
    @Test(arguments: [false, true]) func finishingDuringTheBackoffReconnectsAtOnce(userAsked: Bool) async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (session, port) = try await Self.sessionWithNothingListening(
            audioSeconds: 30, in: dir, ReconnectPolicy(initialDelay: .seconds(60), maxDelay: .seconds(60), jitter: 0, maxAttempts: .max,
                                         maxAttemptsBeforeFirstContact: .max))
        await session.start()
        try await within(.seconds(20), "the first failed attempt") {
            while true {
                if case .reconnecting = session.view.status.connection { return }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        try await withDeepgramDouble(["--port", "\(port)"]) { double in
            try await Task.sleep(for: .milliseconds(500))   // a little more audio while waiting
            let started = ContinuousClock.now
            let summary = try await within(.seconds(30), "finishing") { await session.finish(userAsked: userAsked) }
            let took = ContinuousClock.now - started
            let counts = await session.audioCounts
            let stats = try double.stats()
            print("finish during a 60 s backoff: \(took), \(counts.produced) bytes produced, the server got \(stats.total_bytes)")
            #expect(took < .seconds(5), "finishing waited out the backoff: \(took)")
            #expect(summary.engineFinishedCleanly && summary.incomplete == nil, "\(summary)")
            #expect(counts.produced > 0 && stats.total_bytes == counts.produced)
            #expect(stats.connections.count == 1 && stats.connections.first?.close_stream == 1)
            let words = session.view.store.lines.flatMap(\.words)
            #expect(abs((words.last?.end ?? -1) - Double(counts.produced) / 32_000) < 1e-3, "last word: \(String(describing: words.last))")
        }
    }
}

/// Quitting while the server has never been reached ends at once: the attempt made on
/// finishing fails too, and no caption can come. It sat out the whole finish timeout (10 s of
/// a "Finishing" pop-up after q) before.
@Suite(.serialized) struct SessionQuitUnreachedTests {
    @Test func quittingWhenTheServerWasNeverReachedDoesNotWait() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (session, port) = try await SessionReconnectStatusTests.sessionWithNothingListening(
            audioSeconds: 30, in: dir, ReconnectPolicy(initialDelay: .seconds(2), maxDelay: .seconds(2), jitter: 0, maxAttempts: .max,
                                         maxAttemptsBeforeFirstContact: .max))
        await session.start()
        try await within(.seconds(20), "the first failed attempt") {
            while Session.unreachedEngineAttempt(session.view) == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        let started = ContinuousClock.now
        let summary = try await within(.seconds(30), "finishing") { await session.finish(userAsked: true) }
        let took = ContinuousClock.now - started
        print("quit with the server never reached: finished in \(took)")
        #expect(took < .seconds(4), "a quit waited for a server that was never reached: \(took)")
        #expect(!summary.engineFinishedCleanly)
        #expect(summary.incomplete?.contains("127.0.0.1:\(port)") == true, "\(String(describing: summary.incomplete))")
    }

    /// Not for the end of a file (no one asked to stop): the engine keeps trying within the
    /// finish timeout, and a server that comes up meanwhile gets the audio.
    @Test func theEndOfAFileStillWaitsForAServerNotYetReached() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (session, port) = try await SessionReconnectStatusTests.sessionWithNothingListening(
            audioSeconds: 1, in: dir, ReconnectPolicy(initialDelay: .milliseconds(300), maxDelay: .milliseconds(300), jitter: 0,
                                        maxAttempts: .max, maxAttemptsBeforeFirstContact: .max))
        await session.start()
        try await within(.seconds(20), "two failed attempts") {
            while (Session.unreachedEngineAttempt(session.view) ?? 0) < 3 { try await Task.sleep(for: .milliseconds(10)) }
        }
        let finishing = Task { await session.finish() }
        try await Task.sleep(for: .seconds(1))   // attempts go on failing meanwhile
        try await withDeepgramDouble(["--port", "\(port)"]) { double in
            let summary = try await within(.seconds(30), "finishing") { await finishing.value }
            #expect(summary.engineFinishedCleanly, "\(summary)")
            let stats = try double.stats()
            let produced = await session.audioCounts.produced
            #expect(produced > 0 && stats.total_bytes == produced, "\(stats.total_bytes) of \(produced) bytes reached the server")
        }
    }
}

/// A server that closes the stream without a final for the last words it showed as an interim:
/// the guess is the only text for that audio, so it is kept (in the transcript and the journal)
/// and said in the summary. It vanished without a word.
@Suite(.serialized) struct SessionUnconfirmedTailTests {
    @Test func theLastInterimIsKeptWhenNoFinalCame() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 3, in: dir)
        // Finals every 2 s: the last second has only an interim when CloseStream comes.
        try await withDeepgramDouble(["--no-final-at-close", "--final-seconds", "2"]) { double in
            var config = LiveClientConfiguration(environment: [:])
            config.baseURL = double.baseURL
            let engine = DeepgramEngine(credential: .apiKey("test-key"), configuration: config)
            let url = dir.appendingPathComponent("j.jsonl")
            let header = JournalHeader(engine: engine.name, capttyVersion: "test")
            let journal = await JournalWriter(url: url, header: header)
            let session = Session(source: try await FileAudioSource(path: wav, options: FileSourceOptions(pacing: .asFastAsPossible)),
                                  engine: engine, options: .captionDefaults, journal: journal, header: header)
            let summary = try await within(.seconds(60), "captioning") { () -> Session.Summary in
                await session.start()
                await session.waitUntilIdle()
                // At the end of the audio, before the user quits: the guess is on the screen as
                // last heard and said (it vanished until `q`), and already in the journal.
                let atEnd = session.view.store.lines.flatMap(\.words)
                #expect(abs((atEnd.last?.end ?? 0) - 3.0) < 1e-3, "the guess vanished at the end: \(atEnd.map(\.text))")
                #expect(session.view.recentWarnings.contains { $0.contains("never made its last words final (from 00:00:02)") },
                        "\(session.view.recentWarnings)")
                let journaled = await SessionRestartTests.eventually(.seconds(10)) { ((try? JournalReader.read(url))?.lines.flatMap(\.words).count ?? 0) == atEnd.count }
                #expect(journaled, "the guess was not journaled before the user quit")
                return await session.finish()
            }
            let words = session.view.store.lines.flatMap(\.words)
            #expect(abs((words.last?.end ?? 0) - 3.0) < 1e-3, "the last second is missing: \(words.map(\.text))")
            #expect(summary.unconfirmedFrom.map { abs($0 - 2.0) < 1e-3 } == true, "\(summary)")
            #expect(summary.unconfirmedNote?.contains("never made its last words final (from 00:00:02)") == true)
            let restored = try JournalReader.read(url)
            #expect(restored.lines.flatMap(\.words) == words, "the journal lacks the kept words")
        }
    }
}

/// Audio lost while disconnected (live audio cannot wait; the replay limit is full) is said as it
/// happens and totalled in the summary, which the end of a session prints: plain mode printed
/// "finished" after an outage that cost 28 s of captions.
@Suite(.serialized) struct SessionAudioLostSummaryTests {
    /// A session of 4 s of tone against an address where nothing listens, keeping 1 s for a
    /// reconnect that never comes: the rest is lost. `journal`: where to journal it, if anywhere.
    static func sessionThatCannotConnect(in dir: URL, journal url: URL? = nil) async throws -> Session {
        let wav = try TestAudio.tone(seconds: 4, in: dir)
        let port = try refusingLoopbackPort()   // nothing listens: every second past the limit is lost
        var config = LiveClientConfiguration(environment: [:])
        config.baseURL = "ws://127.0.0.1:\(port)"
        config.reconnect = ReconnectPolicy(initialDelay: .milliseconds(200), maxDelay: .milliseconds(500), maxAttempts: 100,
                                           maxAttemptsBeforeFirstContact: 100)
        config.replayLimit = .seconds(1)
        config.audioCanWait = false
        let engine = DeepgramEngine(credential: .apiKey("test-key"), configuration: config)
        var sessionConfig = Session.Configuration()
        sessionConfig.finishTimeout = .seconds(2)
        let source = try await FileAudioSource(path: wav)
        guard let url else { return Session(source: source, engine: engine, options: .captionDefaults, configuration: sessionConfig) }
        let header = JournalHeader(engine: engine.name, capttyVersion: "test")
        let journal = await JournalWriter(url: url, header: header)
        return Session(source: source, engine: engine, options: .captionDefaults, journal: journal, header: header,
                       configuration: sessionConfig)
    }

    @Test func theSummaryTotalsTheAudioLost() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let session = try await Self.sessionThatCannotConnect(in: dir)
        let summary = try await within(.seconds(60), "a session that cannot connect") { () -> Session.Summary in
            await session.start()
            await session.waitUntilIdle()
            return await session.finish()
        }
        let warned = session.view.recentWarnings.filter { $0.contains("lost, with no captions") }
        print("audio lost while disconnected: \(summary.audioLostSeconds) s; warnings \(warned)")
        #expect(!warned.isEmpty)
        // 4 s of audio, 1 s kept for a reconnect that never comes.
        #expect(summary.audioLostSeconds > 2.5 && summary.audioLostSeconds <= 4.0, "\(summary.audioLostSeconds)")
    }

    /// The audio lost is marked where it was: in the store, the journal (a `gap` record) and
    /// the exports. The journal jumped over it with nothing said (found by QA: finals for
    /// 0–4 s, then 23 s, and a txt export from 00:00:02 straight to 00:00:23).
    @Test func theAudioLostIsMarkedInTheJournalAndTheExports() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("gap.jsonl")
        let session = try await Self.sessionThatCannotConnect(in: dir, journal: url)
        let summary = try await within(.seconds(60), "a session that cannot connect") { () -> Session.Summary in
            await session.start()
            await session.waitUntilIdle()
            return await session.finish()
        }
        // The audio dropped while disconnected, then the second the replay buffer kept, which
        // the engine never got to caption either: marked to the end of the audio.
        let all = session.view.store.gaps
        let gaps = all.filter { $0.reason == AudioGap.engineLost }
        let total = gaps.reduce(0) { $0 + $1.duration }
        #expect(!gaps.isEmpty && abs(total - summary.audioLostSeconds) < 0.1, "gaps \(all), lost \(summary.audioLostSeconds)")
        #expect((gaps.first?.start ?? 99) < 1.0, "\(all)")
        let tail = all.filter { $0.reason == AudioGap.notCaptioned }
        #expect(tail.count == 1 && abs((tail.first?.end ?? 0) - 4) < 0.1 && abs((tail.first?.start ?? 0) - (gaps.last?.end ?? 0)) < 0.1,
                "\(all)")
        let read = try JournalReader.read(url)
        #expect(read.gaps.count >= 2 && abs(read.gaps.reduce(0) { $0 + $1.duration } - all.reduce(0) { $0 + $1.duration }) < 0.1,
                "journal: \(read.gaps)")
        let txt = try String(contentsOf: try await session.export(.txt, directory: dir), encoding: .utf8)
        #expect(txt.contains("s of audio lost: the engine was disconnected; no captions]"), "\(txt)")
        #expect(txt.contains("s of audio lost: the engine stopped before captioning it; no captions]"), "\(txt)")
    }
}
