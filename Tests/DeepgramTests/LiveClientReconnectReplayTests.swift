import Foundation
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

            // Every connection received a contiguous run of the stream; together they cover it.
            var covered = 0 // counters 0..<covered received so far
            var overlapped = false
            for i in stats.connections.indices {
                guard let run = counters(try double.received(connection: i)), let first = run.first else {
                    Issue.record("connection \(i) received no whole counters"); continue
                }
                let contiguous = run.enumerated().allSatisfy { $0.element == first &+ UInt32($0.offset) }
                #expect(contiguous, "connection \(i) skipped or reordered audio")
                #expect(Int(first) <= covered, "gap before connection \(i): starts at \(first), had \(covered)")
                if Int(first) < covered { overlapped = true }
                covered = max(covered, Int(first) + run.count)
            }
            #expect(covered == totalCounters, "server received counters 0..<\(covered) of \(totalCounters)")
            #expect(overlapped, "no audio was replayed")

            // Finals tile [0, 20 s] without gaps or overlaps; every word sits where its audio is.
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
            #expect(abs(t - Double(seconds)) < 1e-6)
            let starts = log.events.compactMap { e -> Double? in if case .results(let r) = e { return r.start } else { return nil } }
            #expect(starts.count > finals.count) // interims too
            if case .close(let code, _)? = log.events.last { #expect(code == 1000) } else { Issue.record("last event is not .close") }
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
            let lossReports = log.errors.filter { $0.message.contains("dropped the oldest") && !$0.isFatal }
            #expect(!lossReports.isEmpty)
            let reported = lossReports.compactMap { e -> Double? in
                guard let r = e.message.range(of: #"[0-9]+\.[0-9] s"#, options: .regularExpression) else { return nil }
                return Double(e.message[r].dropLast(2))
            }.reduce(0, +)
            #expect(abs(reported - Double(stats.bytesLost) / 32_000) < 0.2, "reported \(reported) s, lost \(stats.bytesLost) bytes")
        }
    }
}
