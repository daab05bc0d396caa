import Foundation
import TestSupport
import Testing
@testable import Deepgram

/// Audio sent faster than the server answers, then a drop. A file sent at full speed ran far
/// ahead of the finals (the send queue and the kernel's socket buffers took megabytes), the
/// replay buffer dropped what had been sent but not yet answered, and the reconnect could replay
/// only from the buffer's start: `captty transcribe` lost minutes of audio without a word and
/// exited 0. Now audio that can wait keeps everything unanswered (sending waits for finals),
/// and live audio that cannot wait says which stretch has no captions. Against the Deepgram
/// TEST DOUBLE, which names each word after the audio bytes it heard.
@Suite(.serialized) struct LiveClientUnansweredAudioTests {
    static let seconds = 40

    func run(canWait: Bool, _ double: DeepgramDoubleProcess) async throws -> (EventLog, LiveClient.Statistics) {
        var config = doubleConfiguration(double)
        config.audioCanWait = canWait
        config.replayLimit = .seconds(3)   // 96 KB: far less than the socket buffers hold
        let client = LiveClient(credential: .apiKey("test-key"), configuration: config)
        let log = EventLog(client.events)
        try await within(.seconds(120), "full-speed audio with a drop") {
            try await client.start(pcm16k)
            var next = 0
            let total = Self.seconds * 8_000
            while next < total {   // as fast as send() takes it
                let n = min(800, total - next)
                try await client.send(counterAudio(from: next, count: n))
                next += n
            }
            await client.finish()
            await log.ended()
        }
        return (log, await client.statistics)
    }

    @Test func audioThatCanWaitLosesNothingSentAheadOfTheFinals() async throws {
        try await withDeepgramDouble(["--word-names", "counter", "--kill-after-bytes", "400000", "--kill-times", "1"]) { double in
            let (log, stats) = try await run(canWait: true, double)
            let connections = try double.stats().connections.count
            #expect(connections == 2)
            #expect(stats.bytesLost == 0)
            #expect(!log.errors.contains { $0.kind == .audioLost }, "\(log.errors)")
            try expectWholeStreamReceivedInOrder(double, totalCounters: Self.seconds * 8_000, connections: connections)
            expectFinalsTile(log, seconds: Double(Self.seconds))
        }
    }

    @Test func liveAudioSaysWhichStretchHasNoCaptions() async throws {
        try await withDeepgramDouble(["--word-names", "counter", "--kill-after-bytes", "400000", "--kill-times", "1"]) { double in
            let (log, stats) = try await run(canWait: false, double)
            // The audio without captions: what no final covers (finals never overlap here).
            let captioned = log.finals.reduce(0.0) { $0 + $1.duration }
            let uncaptioned = Int64(((Double(Self.seconds) - captioned) * 32_000).rounded())
            let said = log.errors.filter { $0.kind == .audioLost }
            print("live audio ahead of the finals: \(uncaptioned) bytes without captions; reported lost \(stats.bytesLost); \(said.map(\.message))")
            // All of it is counted as lost, and said (the part sent before the drop, heard by
            // the server or not, was dropped without a word).
            #expect(uncaptioned > 0, "the drop should cost live audio here")
            #expect(!said.isEmpty, "\(log.errors)")
            #expect(abs(stats.bytesLost - uncaptioned) <= 64, "lost \(stats.bytesLost), without captions \(uncaptioned)")
            #expect(said.count <= 3, "one report a second flooded plain mode: \(said.count)")
        }
    }

    /// A server that answers only rarely (a final every 1000 s of audio): audio that can wait
    /// does not stall for ever behind the unanswered replay buffer; after a few seconds a
    /// Finalize asks for the finals, and the stream goes on with nothing lost.
    @Test func aFinalizeAsksASlowServerForItsFinals() async throws {
        try await withDeepgramDouble(["--word-names", "counter", "--final-seconds", "1000"]) { double in
            var config = doubleConfiguration(double)
            config.audioCanWait = true
            config.replayLimit = .seconds(2)
            let client = LiveClient(credential: .apiKey("test-key"), configuration: config)
            let log = EventLog(client.events)
            let seconds = 6
            try await within(.seconds(60), "audio that waits for a slow server") {
                try await client.start(pcm16k)
                var next = 0
                while next < seconds * 8_000 {
                    try await client.send(counterAudio(from: next, count: 800))
                    next += 800
                }
                await client.finish()
                await log.ended()
            }
            let stats = try double.stats()
            #expect(stats.connections.count == 1)
            #expect(stats.connections.first?.finalize ?? 0 >= 1, "no Finalize was sent: \(stats)")
            #expect(log.finals.contains { $0.fromFinalize })
            #expect(await client.statistics.bytesLost == 0)
            expectFinalsTile(log, seconds: Double(seconds))
        }
    }

    /// A server that hears the audio (its interim results keep up) but makes no final and
    /// leaves Finalize unanswered: a file waited a minute at a time for ever, with nothing said
    /// (found by QA: `captty transcribe` ran 100 s on a 90 s file without a word on stderr).
    /// Now the connection is dropped and the audio sent again, and a second such stall ends the
    /// session with a fatal error that says so.
    @Test func aServerThatNeverFinalizesEndsTheSessionWithAMessage() async throws {
        try await withDeepgramDouble(["--word-names", "counter", "--no-finals"]) { double in
            var config = doubleConfiguration(double)
            config.audioCanWait = true   // the default 60 s replay limit: the buffer fills first
            let client = LiveClient(credential: .apiKey("test-key"), configuration: config)
            let log = EventLog(client.events)
            let thrown = try await within(.seconds(90), "a server without finals") { () -> LiveError? in
                try await client.start(pcm16k)
                var next = 0
                var thrown: LiveError?
                do {
                    while next < 70 * 8_000 {
                        try await client.send(counterAudio(from: next, count: 8_000))
                        next += 8_000
                    }
                } catch let e as LiveError { thrown = e }
                await client.finish()
                await log.ended()
                return thrown
            }
            let stats = try double.stats()
            #expect(stats.connections.count == 2, "one reconnect, then the end: \(stats.connections.count)")
            #expect(stats.connections.allSatisfy { $0.finalize >= 1 })
            #expect(log.errors.contains { !$0.isFatal && $0.message.contains("made no final result") }, "\(log.errors)")
            let fatal = thrown ?? log.errors.last
            #expect(fatal?.isFatal == true && fatal?.message.contains("interim results but no final ones, again") == true,
                    "\(String(describing: fatal))")
            #expect(log.finals.isEmpty)
        }
    }
}
