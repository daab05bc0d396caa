import Foundation
import Glibc
import WebSocket
import TestSupport
import Testing
@testable import Deepgram

/// Reconnect with replay against the Deepgram test double: nothing lost, timestamps continuous.
@Suite(.serialized) struct LiveClientReconnectReplayTests {
    /// The double aborts the TCP connection (no close frame) after 100 000 bytes, three times.
    /// Afterwards the bytes it received, connection by connection, cover the whole stream in
    /// order with only replay overlaps, and the finals tile the session time without gaps.
    @Test func connectionKilledThreeTimesMidStreamLosesNoAudioAndKeepsTimestampsContinuous() async throws {
        try await withDeepgramDouble(["--word-names", "counter", "--kill-after-bytes", "100000", "--kill-times", "3"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            let seconds = 20
            let totalCounters = seconds * 16_000 / 2 // 2 counters (4 bytes) per 2 frames
            try await within(.seconds(120), "streaming with three connection kills") {
                try await client.start(pcm16k)
                var next = 0
                while next < totalCounters {
                    let n = min(800, totalCounters - next) // 100 ms of audio per chunk
                    try await client.send(counterAudio(from: next, count: n))
                    next += n
                    try await Task.sleep(for: .milliseconds(5))
                }
                await client.finish()
                await log.ended()
            }
            let stats = try double.stats()
            let clientStats = await client.statistics
            #expect(stats.connections.filter(\.killed).count == 3)
            #expect(stats.connections.count >= 4)
            #expect(stats.connections.allSatisfy { $0.empty_frames == 0 })
            #expect(log.reconnects >= 3 && log.opens == stats.connections.count)
            #expect(clientStats.bytesLost == 0 && clientStats.bytesGiven == Int64(totalCounters * 4))

            try expectWholeStreamReceivedInOrder(double, totalCounters: totalCounters, connections: stats.connections.count)
            expectFinalsTile(log, seconds: Double(seconds))
            let starts = log.events.compactMap { e -> Double? in if case .results(let r) = e { return r.start } else { return nil } }
            #expect(starts.count > log.finals.count) // interims too
            if case .close(let code, _)? = log.events.last { #expect(code == 1000) } else { Issue.record("last event is not .close") }
        }
    }

    /// Close 1012 (server restart) and 1011 NET-0000 are reconnected like a lost connection.
    @Test(arguments: [(1012, ""), (1011, "NET-0000: Deepgram did not provide a response message within the timeout window.")])
    func serverRestartClosesReconnectAndReplay(code: Int, reason: String) async throws {
        try await withDeepgramDouble(["--word-names", "counter", "--close-after-bytes", "80000", "--close-times", "2",
                                      "--close-code", "\(code)", "--close-reason", reason]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(120), "stream with server closes") {
                try await client.start(pcm16k)
                try await streamCounterAudio(client, seconds: 8)
                await log.ended()
            }
            let stats = try double.stats()
            #expect(stats.connections.count == 3)
            #expect(log.reconnects == 2)
            #expect(log.errors.filter { !$0.isFatal && $0.closeCode == code }.count == 2)
            try expectWholeStreamReceivedInOrder(double, totalCounters: 8 * 8_000, connections: stats.connections.count)
            expectFinalsTile(log, seconds: 8)
        }
    }

    /// A server that breaks every connection soon after a final: each connection made progress,
    /// so the attempts started over and it was hammered once a second (116 connections in 122 s;
    /// found in QA). Connections that die young keep the backoff growing; nothing is lost.
    @Test func connectionsThatDieYoungBackOffExponentially() async throws {
        try await withDeepgramDouble(["--word-names", "counter", "--final-seconds", "0.5", "--close-after-bytes", "24000",
                                      "--close-times", "7", "--close-code", "1011"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(120), "stream with a server that breaks every connection") {
                try await client.start(pcm16k)
                try await streamCounterAudio(client, seconds: 6)
                await log.ended()
            }
            let delays = log.events.compactMap { e -> Duration? in if case .reconnecting(_, let d) = e { return d } else { return nil } }
            print("reconnect delays: \(delays)")
            #expect(delays.count == 7)
            // 50 ms doubling to the 400 ms cap (jitter takes up to half): the last ones at least 200 ms.
            #expect(delays.suffix(3).allSatisfy { $0 >= .milliseconds(200) }, "\(delays)")
            #expect(delays.prefix(1).allSatisfy { $0 <= .milliseconds(50) }, "\(delays)")
            let stats = try double.stats()
            try expectWholeStreamReceivedInOrder(double, totalCounters: 6 * 8_000, connections: stats.connections.count)
            expectFinalsTile(log, seconds: 6)
        }
    }

    /// A peer that stops answering (no pongs, TCP still open) is declared dead by the heartbeat;
    /// the client reconnects and replays what the dead connection never confirmed.
    @Test func heartbeatDeathReconnectsAndReplays() async throws {
        try await withDeepgramDouble(["--word-names", "counter", "--freeze-after-bytes", "80000"]) { double in
            var config = doubleConfiguration(double)
            config.webSocket.pingInterval = .milliseconds(250)
            config.webSocket.deadAfter = .seconds(2)
            let client = LiveClient(credential: .apiKey("test-key"), configuration: config)
            let log = EventLog(client.events)
            try await within(.seconds(120), "stream with a frozen server") {
                try await client.start(pcm16k)
                try await streamCounterAudio(client, seconds: 6, pause: .milliseconds(20))
                await log.ended()
            }
            let stats = try double.stats()
            #expect(stats.connections.count >= 2 && stats.connections[0].end == "frozen")
            #expect(log.errors.contains { $0.closeCode == 1006 || $0.kind == .network || $0.kind == .timeout })
            try expectWholeStreamReceivedInOrder(double, totalCounters: 6 * 8_000, connections: stats.connections.count)
            expectFinalsTile(log, seconds: 6)
        }
    }

    /// Connection refused is retried with backoff, then ends with a fatal error saying so.
    @Test func refusedConnectionsAreRetriedThenGiveUp() async throws {
        let port = try refusingLoopbackPort()   // nothing listens there
        var config = LiveClientConfiguration(environment: [:])
        config.baseURL = "ws://127.0.0.1:\(port)"
        config.reconnect = ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(50), maxAttempts: 2)
        let client = LiveClient(credential: .apiKey("k"), configuration: config)
        let log = EventLog(client.events)
        var thrown: LiveError?
        do { try await within(.seconds(60), "refused") { try await client.start(pcm16k) } } catch let e as LiveError { thrown = e }
        await log.ended()
        let e = try #require(thrown)
        #expect(e.isFatal && e.kind == .network)
        #expect(e.description.contains("gave up after 2 reconnect attempts") && e.description.contains("\(port)"))
        #expect(log.reconnects == 2)
        #expect(log.opens == 0)
    }

    /// An address where nothing has answered since the session started is more likely wrong
    /// than restarting: the client gives up after `maxAttemptsBeforeFirstContact` retries, even
    /// when `maxAttempts` would allow many more (a batch job said so only after ~53 s).
    @Test func anAddressThatNeverAnsweredGivesUpEarly() async throws {
        let port = try refusingLoopbackPort()
        var config = LiveClientConfiguration(environment: [:])
        config.baseURL = "ws://127.0.0.1:\(port)"
        config.reconnect = ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(50), maxAttempts: 10,
                                           maxAttemptsBeforeFirstContact: 3)
        let client = LiveClient(credential: .apiKey("k"), configuration: config)
        let log = EventLog(client.events)
        var thrown: LiveError?
        do { try await within(.seconds(60), "never answered") { try await client.start(pcm16k) } } catch let e as LiveError { thrown = e }
        await log.ended()
        let e = try #require(thrown)
        #expect(e.isFatal && e.kind == .network)
        #expect(e.description.contains("gave up after 4 tries: nothing answered at this address") && e.description.contains("\(port)"),
                "\(e.description)")
        #expect(log.reconnects == 3 && log.opens == 0)
    }

    /// A port where something accepts connections and never says a word (a wrong port, a
    /// firewall that swallows connections) has not answered either: the client gives up as
    /// early, and says nothing came back. Before, a batch job retried it for ~1 min 45 s.
    @Test func anAddressThatAcceptsAndNeverAnswersGivesUpEarly() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        var config = LiveClientConfiguration(environment: [:])
        config.baseURL = "ws://127.0.0.1:\(listener.port)"
        config.webSocket.connectTimeout = .milliseconds(400)
        config.reconnect = ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(50), maxAttempts: 10,
                                           maxAttemptsBeforeFirstContact: 2)
        let client = LiveClient(credential: .apiKey("k"), configuration: config)
        let log = EventLog(client.events)
        var thrown: LiveError?
        do { try await within(.seconds(60), "accepts, never answers") { try await client.start(pcm16k) } } catch let e as LiveError { thrown = e }
        await log.ended()
        let e = try #require(thrown)
        #expect(e.isFatal && e.description.contains("gave up after 3 tries: nothing answered at this address"), "\(e.description)")
        #expect(e.description.contains(WebSocketError.sentNothing), "\(e.description)")
        #expect(log.reconnects == 2 && log.opens == 0)
    }

    /// Once the server has answered in this session, a refused connection is a restart: the
    /// early give-up no longer applies and the client retries up to `maxAttempts`.
    @Test func aServerThatAnsweredBeforeIsRetriedUpToMaxAttempts() async throws {
        try await withDeepgramDouble { double in
            var config = doubleConfiguration(double)
            config.reconnect = ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(50), maxAttempts: 6,
                                               maxAttemptsBeforeFirstContact: 1)
            let client = LiveClient(credential: .apiKey("test-key"), configuration: config)
            let log = EventLog(client.events)
            try await within(.seconds(60), "answered, then gone") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 8_000))
                double.stop()   // nothing listens at the address from now on
                await log.ended()
            }
            let e = try #require(log.errors.last)
            #expect(e.isFatal && e.description.contains("gave up after 6 reconnect attempts"), "\(e.description)")
            #expect(log.reconnects == 6 && log.opens == 1)
        }
    }

    /// Compressed audio (no byte↔time mapping) cannot be replayed by time: after a drop the
    /// client continues with new audio and offsets the new connection by the last final's end,
    /// so timestamps still never go backwards.
    @Test func compressedAudioReconnectsWithMonotonicTimestamps() async throws {
        try await withDeepgramDouble(["--kill-after-bytes", "80000", "--kill-times", "1"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "compressed stream with a drop") {
                try await client.start(LiveOptions(model: .nova3, encoding: .opus, sampleRate: 16_000))
                try await streamCounterAudio(client, seconds: 6, pause: .milliseconds(10))
                await log.ended()
            }
            #expect(log.opens == 2 && log.reconnects == 1)
            let finals = log.finals
            #expect(finals.count >= 2)
            for (a, b) in zip(finals, finals.dropFirst()) {
                #expect(b.start >= a.end - 1e-6, "final at \(b.start) goes back before \(a.end)")
            }
        }
    }

    /// While disconnected, audio is buffered; when the buffer overflows the oldest audio is
    /// dropped and an `.error` event says how many seconds were lost.
    @Test func overflowWhileDisconnectedIsReportedNeverSilent() async throws {
        try await withDeepgramDouble(["--kill-after-bytes", "32000", "--kill-times", "1"]) { double in
            var config = doubleConfiguration(double)
            config.replayLimit = .seconds(2)
            config.reconnect = ReconnectPolicy(initialDelay: .seconds(1), maxDelay: .seconds(1), jitter: 0, maxAttempts: 3)
            let client = LiveClient(credential: .apiKey("test-key"), configuration: config)
            let log = EventLog(client.events)
            try await within(.seconds(60), "overflow while disconnected") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 8_000)) // 1 s: the double kills after it
                // Wait until the drop is noticed, then give 4 s of audio while disconnected.
                while await client.currentState == .open { try await Task.sleep(for: .milliseconds(10)) }
                for k in 0..<40 { try await client.send(counterAudio(from: 8_000 + k * 800, count: 800)) }
                await client.finish()
                await log.ended()
            }
            let stats = await client.statistics
            #expect(stats.bytesLost > 0)
            let lossReports = log.errors.filter { $0.kind == .audioLost && $0.message.contains("dropped the oldest") && !$0.isFatal }
            #expect(!lossReports.isEmpty)
            let reported = lossReports.compactMap { e -> Double? in
                guard let r = e.message.range(of: #"[0-9]+\.[0-9] s"#, options: .regularExpression) else { return nil }
                return Double(e.message[r].dropLast(2))
            }.reduce(0, +)
            #expect(abs(reported - Double(stats.bytesLost) / 32_000) < 0.2, "reported \(reported) s, lost \(stats.bytesLost) bytes")
        }
    }
}

/// The bytes the double received, connection by connection, are each a contiguous run of the
/// counter stream; each starts no later than where the previous ones ended (overlap = replay);
/// together they cover counters 0..<totalCounters, and some audio was replayed.
func expectWholeStreamReceivedInOrder(_ double: DeepgramDoubleProcess, totalCounters: Int, connections: Int, expectReplay: Bool = true) throws {
    var covered = 0
    var overlapped = false
    for i in 0..<connections {
        let bytes = try double.received(connection: i)
        if bytes.isEmpty { continue }
        guard let run = counters(bytes), let first = run.first else {
            Issue.record("connection \(i) received \(bytes.count) bytes, not whole counters"); continue
        }
        let contiguous = run.enumerated().allSatisfy { $0.element == first &+ UInt32($0.offset) }
        #expect(contiguous, "connection \(i) skipped or reordered audio")
        #expect(Int(first) <= covered, "gap before connection \(i): starts at \(first), had \(covered)")
        if Int(first) < covered { overlapped = true }
        covered = max(covered, Int(first) + run.count)
    }
    #expect(covered == totalCounters, "server received counters 0..<\(covered) of \(totalCounters)")
    if expectReplay { #expect(overlapped, "no audio was replayed") }
}

/// Finals tile [0, seconds] without gaps or overlaps, and every word (named by the counter the
/// double found at its first byte) sits at the session time where that audio is.
func expectFinalsTile(_ log: EventLog, seconds: Double) {
    let finals = log.finals
    #expect(!finals.isEmpty)
    var t = 0.0
    for f in finals {
        #expect(abs(f.start - t) < 1e-6, "final starts at \(f.start), expected \(t)")
        t = f.end
        for w in f.best.words {
            let expected = "c\(Int((w.start * 32_000 / 4).rounded()))"
            #expect(w.word == expected, "word \(w.word) at \(w.start) s should be \(expected)")
        }
    }
    #expect(abs(t - seconds) < 1e-6, "finals end at \(t), audio at \(seconds)")
}

/// Streams `seconds` of counter audio in 100 ms chunks (a little faster than real time), then finishes.
func streamCounterAudio(_ client: LiveClient, seconds: Int, pause: Duration = .milliseconds(5)) async throws {
    let total = seconds * 8_000
    var next = 0
    while next < total {
        let n = min(800, total - next)
        try await client.send(counterAudio(from: next, count: n))
        next += n
        try await Task.sleep(for: pause)
    }
    await client.finish()
}

/// Multichannel streams across a reconnect. Each channel's finals come at its own pace (on
/// Deepgram as in the multichannel TEST DOUBLE: channel 0 every 1 s, channel 1 every 3 s); the
/// replay buffer was trimmed at any channel's final, so the audio channel 1 had not answered yet
/// was gone when the connection dropped: 2 s of its captions lost without a word. And no
/// channel's finals come twice for the audio replayed.
@Suite(.serialized) struct LiveClientMultichannelReplayTests {
    @Test func everyChannelGetsEveryStretchAfterAReconnect() async throws {
        let double = try await DeepgramDoubleProcess.launch(["--kill-after-bytes", "\(5 * 64_000)"], script: "multichannel_double.py")
        defer { double.stop() }
        var config = doubleConfiguration(double)
        config.audioCanWait = true
        let client = LiveClient(credential: .apiKey("test-key"), configuration: config)
        let log = EventLog(client.events)
        let stereo = LiveOptions(model: .nova3, encoding: .linear16, sampleRate: 16_000, channels: 2, multichannel: true)
        try await within(.seconds(60), "10 s of stereo through a reconnect") {
            try await client.start(stereo)
            for _ in 0 ..< 100 {   // 10 s in 0.1 s pieces
                try await client.send([UInt8](repeating: 0, count: 6_400))
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(await client.finish())
            await log.ended()
        }
        #expect(await client.statistics.connections == 2)
        for ch in 0 ..< 2 {
            let spans = log.finals.filter { $0.channelIndex.first == ch }.map { ($0.start, $0.end) }.sorted { $0.0 < $1.0 }
            var reached = 0.0
            var gaps: [String] = []
            var repeats: [String] = []
            for (s, e) in spans {
                if s > reached + 0.01 { gaps.append("\(reached)–\(s)") }
                // The replay starts where the slowest channel's answers end: the faster channel's
                // finals for the audio replayed came again, words and all (found in QA).
                if s < reached - 0.01 { repeats.append("\(s)–\(e)") }
                reached = max(reached, e)
            }
            #expect(gaps.isEmpty, "channel \(ch) has no captions for \(gaps)")
            #expect(repeats.isEmpty, "channel \(ch) has finals again for \(repeats)")
            #expect(abs(reached - 10) < 0.01, "channel \(ch) reaches \(reached) s")
        }
        #expect(!log.errors.contains { $0.kind == .audioLost }, "\(log.errors)")
    }
}

/// A TCP listener on loopback that never accepts: the kernel completes each connection, and
/// nothing is ever sent on it.
final class SilentListener: Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = self.fd
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard fd >= 0, ok else { throw LiveError(kind: .network, message: "cannot listen on 127.0.0.1", isFatal: true) }
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    func close() { _ = Glibc.close(fd) }
}
