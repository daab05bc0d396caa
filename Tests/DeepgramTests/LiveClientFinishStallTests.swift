import Foundation
import TestSupport
import Testing
@testable import Deepgram

/// Servers whose answers would lose audio without a word. At the end of a stream, when the
/// server does not finish it: the audio after the last final was dropped and the stream ended as
/// if all of it had been transcribed (a file captioned "to the end", exit 0, its last seconds
/// missing). And a result timed in the future.
@Suite(.serialized) struct LiveClientFinishStallTests {
    /// Heartbeat too slow to notice the stall, finish timeout short: the finish timeout is what
    /// sees it.
    static func stallConfiguration(_ double: DeepgramDoubleProcess) -> LiveClientConfiguration {
        var config = doubleConfiguration(double)
        config.webSocket.pingInterval = .seconds(30)
        config.webSocket.deadAfter = .seconds(60)
        config.finishTimeout = .seconds(1)
        return config
    }

    /// The server stops reading and answering mid-stream (TCP open) and the stream ends before a
    /// heartbeat would notice: the finish timeout sends the audio again on a new connection.
    @Test func aServerThatStallsWhileFinishingGetsTheAudioAgain() async throws {
        try await withDeepgramDouble(["--word-names", "counter", "--freeze-after-bytes", "80000", "--freeze-times", "1"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: Self.stallConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "a stream whose server stalls before its end") {
                try await client.start(pcm16k)
                try await streamCounterAudio(client, seconds: 6)
                await log.ended()
            }
            let stats = try double.stats()
            #expect(stats.connections.count == 2 && stats.connections.first?.end == "frozen", "\(stats.connections)")
            let timeouts = log.errors.filter { $0.kind == .timeout }
            #expect(timeouts.count == 1 && timeouts.allSatisfy { !$0.isFatal }, "\(log.errors)")
            #expect(timeouts.first?.message.contains("sending them again on a new connection") == true, "\(timeouts)")
            try expectWholeStreamReceivedInOrder(double, totalCounters: 6 * 8_000, connections: stats.connections.count)
            expectFinalsTile(log, seconds: 6)
            #expect(!log.errors.contains { $0.isFatal })
        }
    }

    /// A server still working through a backlog at CloseStream (an offline engine slower than
    /// the upload: `captty serve` on a busy machine) sends its last finals more than
    /// `finishTimeout` after CloseStream, each within it of the one before: the finish waits for
    /// them. It timed out, sent the audio again and, the second time, gave the end up as lost.
    @Test func aServerWorkingThroughABacklogIsWaitedFor() async throws {
        try await withDeepgramDouble(["--word-names", "counter", "--final-seconds", "1", "--backlog-after-bytes", "32000",
                                      "--backlog-pace", "0.5"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: Self.stallConfiguration(double))
            let log = EventLog(client.events)
            let finishedIn: Duration = try await within(.seconds(60), "a stream whose server answers its end slowly") {
                try await client.start(pcm16k)
                let clock = ContinuousClock()
                let started = clock.now
                try await streamCounterAudio(client, seconds: 6)
                await log.ended()
                return started.duration(to: clock.now)
            }
            let stats = try double.stats()
            #expect(stats.connections.count == 1, "\(stats.connections)")
            #expect(!log.errors.contains { $0.kind == .timeout }, "\(log.errors)")
            expectFinalsTile(log, seconds: 6)
            print("backlog finish: \(finishedIn) for 6 s of audio, \(log.finals.count) finals")
        }
    }

    /// Every connection stalls: the second finish timeout ends the stream with a fatal error
    /// that says which audio has no captions (not a clean close).
    @Test func aSecondStallEndsWithTheLossSaid() async throws {
        try await withDeepgramDouble(["--word-names", "counter", "--freeze-after-bytes", "80000", "--freeze-times", "9"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: Self.stallConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "a stream whose server always stalls") {
                try await client.start(pcm16k)
                try await streamCounterAudio(client, seconds: 6)
                await log.ended()
            }
            let stats = try double.stats()
            #expect(stats.connections.count == 2, "\(stats.connections)")
            let fatal = log.errors.filter(\.isFatal)
            #expect(fatal.count == 1 && fatal.first?.kind == .timeout, "\(log.errors)")
            // What has no captions is the stretch after the last final, to the end of the audio.
            let text = fatal.first?.message ?? ""
            let said = text.firstMatch(of: /the last ([0-9.]+) s of audio \(from ([0-9.]+) s\) have no captions/)
            let last = said.flatMap { Double($0.1) } ?? -1, from = said.flatMap { Double($0.2) } ?? -1
            let finalsEnd = log.finals.map(\.end).max() ?? 0
            #expect(abs(from - finalsEnd) < 0.06 && abs(last + from - 6) < 0.06, "\(text); finals end at \(finalsEnd)")
        }
    }

    /// A Metadata message early in a connection (at its open) does not mean the stream is done:
    /// the connection dropped at CloseStream, and the audio after the last final (finals every
    /// 2 s: the last second of 7) was given up as if transcribed.
    @Test func earlyMetadataIsNotTheEndOfTheStream() async throws {
        let metadata = #"{"type":"Metadata","transaction_key":"deprecated","request_id":"early","sha256":"","created":"2026-01-01T00:00:00.000Z","duration":0,"channels":1,"models":[],"model_info":{}}"#
        try await withDeepgramDouble(["--word-names", "counter", "--greet", metadata, "--kill-on-close-stream", "--kill-times", "1"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "a stream with early Metadata") {
                try await client.start(pcm16k)
                try await streamCounterAudio(client, seconds: 7)
                await log.ended()
            }
            let stats = try double.stats()
            #expect(stats.connections.count == 2, "\(stats.connections)")
            try expectWholeStreamReceivedInOrder(double, totalCounters: 7 * 8_000, connections: stats.connections.count)
            expectFinalsTile(log, seconds: 7)
        }
    }

    /// A result for a channel the stream does not have (`[6, 2]`, or channel 3 of a mono
    /// stream) is left out with a message: it made up a channel in the transcript and exports.
    @Test func aResultForAChannelTheStreamDoesNotHaveIsLeftOut() async throws {
        func bogus(_ index: String) -> String {
            #"{"type":"Results","channel_index":\#(index),"duration":0.5,"start":0.0,"is_final":true,"speech_final":true,"from_finalize":false,"channel":{"alternatives":[{"transcript":"bogus","confidence":0.9,"words":[{"word":"bogus","start":0.0,"end":0.5,"confidence":0.9}]}]}}"#
        }
        try await withDeepgramDouble(["--word-names", "counter", "--greet", bogus("[6,2]"), "--greet", bogus("[3,4]")]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "a stream with results for channels it does not have") {
                try await client.start(pcm16k)
                try await streamCounterAudio(client, seconds: 3)
                await log.ended()
            }
            let left = log.errors.filter { $0.kind == .protocolViolation && $0.message.contains("it was left out") }
            #expect(left.contains { $0.message.contains("for channel 6 of 2 (channel_index [6, 2])") }, "\(log.errors)")
            #expect(left.contains { $0.message.contains("for channel 3 of a stream of 1 channel") }, "\(log.errors)")
            #expect(!log.finals.contains { $0.channel.alternatives.first?.transcript == "bogus" }, "\(log.finals)")
            expectFinalsTile(log, seconds: 3)
        }
    }

    /// A final for audio not sent yet (start 9e6 s, sent as the connection opens) is left out
    /// with a message: it put every later line at 2500:00:00 and trimmed the replay buffer as if
    /// all of it had been transcribed.
    @Test func aResultForAudioNotSentYetIsLeftOut() async throws {
        let bogus = #"{"type":"Results","channel_index":[0,1],"duration":1.0,"start":9000000.0,"is_final":true,"speech_final":true,"from_finalize":false,"channel":{"alternatives":[{"transcript":"bogus","confidence":0.9,"words":[{"word":"bogus","start":9000000.0,"end":9000000.5,"confidence":0.9}]}]},"metadata":{"request_id":"x","model_info":{"name":"n","version":"v","arch":"a"},"model_uuid":"u"}}"#
        try await withDeepgramDouble(["--word-names", "counter", "--greet", bogus]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "a stream with a result from the future") {
                try await client.start(pcm16k)
                try await streamCounterAudio(client, seconds: 4)
                await log.ended()
            }
            #expect(log.errors.contains { $0.kind == .protocolViolation && $0.message.contains("audio not sent yet") }, "\(log.errors)")
            #expect(!log.finals.contains { $0.start > 100 }, "the result from the future was passed on")
            expectFinalsTile(log, seconds: 4)
        }
    }

    /// A final reaching far past the audio sent (0–50 s when one chunk had been sent) was
    /// taken: every later line was stamped 40 s on, and its false cover made the real finals
    /// for that audio count as repeats. One with negative times was taken too. Both are left
    /// out with a message now.
    /// (A result reaching past the audio sent keeps its words inside that audio: here it has
    /// none there, so all of it is left out.)
    @Test(arguments: [(0.0, 50.0, 45.0, "reaching past the audio sent"), (-3.0, -1.0, -3.0, "impossible times")])
    func aResultWithImpossibleTimesIsLeftOut(start: Double, duration: Double, wordStart: Double, said: String) async throws {
        let bogus = #"{"type":"Results","channel_index":[0,1],"duration":DUR,"start":START,"is_final":true,"speech_final":true,"from_finalize":false,"channel":{"alternatives":[{"transcript":"phantom","confidence":0.9,"words":[{"word":"phantom","start":WSTART,"end":WEND,"confidence":0.9}]}]},"metadata":{"request_id":"x","model_info":{"name":"n","version":"v","arch":"a"},"model_uuid":"u"}}"#
            .replacingOccurrences(of: "DUR", with: "\(duration)").replacingOccurrences(of: "WSTART", with: "\(wordStart)")
            .replacingOccurrences(of: "WEND", with: "\(wordStart + 0.5)").replacingOccurrences(of: "START", with: "\(start)")
        try await withDeepgramDouble(["--word-names", "counter", "--greet", bogus]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "a stream with an impossible result") {
                try await client.start(pcm16k)
                try await streamCounterAudio(client, seconds: 4)
                await log.ended()
            }
            #expect(log.errors.contains { $0.kind == .protocolViolation && $0.message.contains(said) }, "\(log.errors)")
            #expect(!log.finals.contains { $0.channel.alternatives.first?.transcript == "phantom" }, "the impossible result was passed on")
            expectFinalsTile(log, seconds: 4)
        }
    }

    /// A final at CloseStream reaching 3 s past the audio sent was left out whole, with the words
    /// said inside the audio (found in QA). Its words there are kept, cut at the end of the audio
    /// sent; its word after it is left out, and said.
    @Test func aFinalReachingPastTheAudioSentKeepsItsWordsInsideIt() async throws {
        try await withDeepgramDouble(["--word-names", "counter", "--final-seconds", "30", "--overshoot-at-close", "3"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(60), "a stream whose last final reaches past its audio") {
                try await client.start(pcm16k)
                try await streamCounterAudio(client, seconds: 4)
                await log.ended()
            }
            #expect(log.errors.contains { $0.kind == .protocolViolation && $0.message.contains("its words after 4.0 s were left out") },
                    "\(log.errors)")
            #expect(!log.finals.contains { $0.best.words.contains { $0.word == "phantom" } }, "the word past the audio was passed on")
            expectFinalsTile(log, seconds: 4)
        }
    }
}
