import Testing
import WebSocket
@testable import Deepgram

/// Timing decisions of the live client: timestamp offsets, backoff, KeepAlive, close codes.
@Suite struct LiveClientTimingPolicyTests {
    let pcm16k = AudioTimeline(sampleRate: 16_000, bytesPerFrame: 2)

    @Test func timelineFollowsTheOptionsForRawPCMOnly() {
        #expect(AudioTimeline(options: LiveOptions(encoding: .linear16, sampleRate: 16_000)) == pcm16k)
        #expect(AudioTimeline(options: LiveOptions(encoding: .linear16, sampleRate: 48_000, channels: 2))?.bytesPerSecond == 192_000)
        #expect(AudioTimeline(options: LiveOptions(encoding: .mulaw, sampleRate: 8_000))?.bytesPerSecond == 8_000)
        #expect(AudioTimeline(options: LiveOptions(encoding: .opus, sampleRate: 48_000)) == nil)
        #expect(AudioTimeline(options: LiveOptions(encoding: .linear16)) == nil)
        #expect(pcm16k.bytes(forSeconds: 2.9999999999) == 96_000)
        #expect(pcm16k.bytes(forSeconds: 0.00001) == 0)
        // Times no stream reaches saturate instead of trapping (a library user may build any Results).
        for absurd in [1e300, .infinity, .greatestFiniteMagnitude] {
            #expect(pcm16k.bytes(forSeconds: absurd) > 1 << 60)
            #expect(TimestampOffset(startByte: 64_000, timeline: pcm16k).absoluteByte(atConnectionTime: absurd)! > 1 << 60)
        }
        #expect(pcm16k.bytes(forSeconds: .nan) == 0)
        #expect(pcm16k.bytes(forSeconds: -.infinity) == 0)
    }

    @Test func resultsOnAReconnectedConnectionAreShiftedByTheReplayStart() {
        let off = TimestampOffset(startByte: 64_000, timeline: pcm16k) // 2 s in
        #expect(off.seconds == 2.0)
        let r = Results(start: 0.5, duration: 1.0, isFinal: true, channel: Channel(alternatives: [
            Alternative(transcript: "x", confidence: 1, words: [Word(word: "x", start: 0.5, end: 1.5, confidence: 1)])]))
        let shifted = off.apply(r)
        #expect(shifted.start == 2.5 && shifted.end == 3.5)
        #expect(shifted.best.words[0].start == 2.5 && shifted.best.words[0].end == 3.5)
        #expect(off.absoluteByte(atConnectionTime: 1.5) == Int64(112_000))
        #expect(off.apply(UtteranceEnd(lastWordEnd: 1)).lastWordEnd == 3)
        #expect(off.apply(SpeechStarted(timestamp: 0.25)).timestamp == 2.25)
        #expect(TimestampOffset(seconds: 7, startByte: 10).absoluteByte(atConnectionTime: 1) == nil)
    }

    @Test func backoffGrowsExponentiallyToTheCapWithBoundedJitter() {
        let p = ReconnectPolicy()
        #expect(p.delay(forAttempt: 1, random: 0) == .seconds(1))
        #expect(p.delay(forAttempt: 2, random: 0) == .seconds(2))
        #expect(p.delay(forAttempt: 3, random: 0) == .seconds(4))
        #expect(p.delay(forAttempt: 4, random: 0) == .seconds(8))
        #expect(p.delay(forAttempt: 5, random: 0) == .seconds(10))
        #expect(p.delay(forAttempt: 50, random: 0) == .seconds(10))
        #expect(p.delay(forAttempt: 3, random: 1) == .seconds(2)) // half of 4 s at most jitter
        for attempt in 1...12 {
            let d = p.delay(forAttempt: attempt)
            #expect(d >= .milliseconds(500) && d <= .seconds(10))
        }
        #expect(p.allows(attempt: 10) && !p.allows(attempt: 11) && !p.allows(attempt: 0))
        #expect(!ReconnectPolicy.never.allows(attempt: 1))
        // Unlimited attempts (live captions): any attempt number is answered at once (the
        // backoff used to loop once per attempt number), at the cap.
        #expect(p.delay(forAttempt: .max, random: 0) == .seconds(10))
        let flat = ReconnectPolicy(initialDelay: .seconds(3), maxDelay: .seconds(10), multiplier: 1, maxAttempts: .max)
        #expect(flat.delay(forAttempt: .max, random: 0) == .seconds(3))
        #expect(flat.allows(attempt: 1_000_000))
    }

    @Test func replayIsSentInABurstThenAtTheServersPace() {
        let p = ReplayPacing(speed: 1.25, burst: .seconds(10))
        #expect(p.wait(sent: 0, elapsed: .zero) == nil)
        #expect(p.wait(sent: 9.9, elapsed: .zero) == nil)              // within the burst
        let w = p.wait(sent: 12.5, elapsed: .seconds(1))               // allowed 11.25 s by now
        #expect(w != nil && w! >= .seconds(1) && w! <= .milliseconds(1_002))
        #expect(p.wait(sent: 22.4, elapsed: .seconds(10)) == nil)      // 10 + 12.5 allowed
        #expect(ReplayPacing.unlimited.wait(sent: 1e9, elapsed: .zero) == nil)
        // Real-time audio never waits once past the burst: 1× < 1.25×.
        for t in stride(from: 0.0, through: 600, by: 7.3) {
            #expect(p.wait(sent: t, elapsed: .milliseconds(Int64(t * 1000))) == nil)
        }
    }

    @Test func keepAliveIsDueOnlyAfterTheIntervalWithoutAudio() {
        let s = KeepAliveSchedule(interval: .seconds(4))
        let t0 = ContinuousClock.now
        #expect(s.decide(now: t0 + .seconds(1), lastSent: t0) == .wait(.seconds(3)))
        #expect(s.decide(now: t0 + .seconds(4), lastSent: t0) == .sendNow)
        #expect(s.decide(now: t0 + .seconds(9), lastSent: t0) == .sendNow)
    }

    @Test func closeCodesFollowTheProtocolTable() {
        #expect(DisconnectClassifier.action(closeCode: 1000) == .stop)
        #expect(DisconnectClassifier.action(closeCode: 1001) == .stop)
        #expect(DisconnectClassifier.action(closeCode: 1008, reason: "DATA-0000") == .fatal(.badAudio))
        #expect(DisconnectClassifier.action(closeCode: 1011, reason: "NET-0000") == .reconnect)
        #expect(DisconnectClassifier.action(closeCode: 1011, reason: "NET-0001") == .reconnect)
        for c in [1006, 1012, 1013] { #expect(DisconnectClassifier.action(closeCode: c) == .reconnect) }
        for c in [1002, 1003, 1007, 4000, 4001, 4999] { #expect(DisconnectClassifier.action(closeCode: c) == .fatal(.badRequest)) }
        #expect(DisconnectClassifier.action(httpStatus: 400) == .fatal(.badRequest))
        #expect(DisconnectClassifier.action(httpStatus: 401) == .fatal(.unauthorized))
        #expect(DisconnectClassifier.action(httpStatus: 403) == .fatal(.unauthorized))
        #expect(DisconnectClassifier.action(httpStatus: 405) == .fatal(.badRequest))
        #expect(DisconnectClassifier.action(httpStatus: 503) == .reconnect)
        #expect(DisconnectClassifier.action(httpStatus: 429) == .reconnect)
        #expect(DisconnectClassifier.explain(closeCode: 1011, reason: "NET-0001").contains("KeepAlive"))
    }

    /// The close reason decides whose fault a fatal close is: a refused key or permission
    /// (INVALID_AUTH, INSUFFICIENT_PERMISSIONS) was blamed on the audio format ("audio could not
    /// be decoded?") or the options.
    @Test func theCloseReasonSaysWhoseFaultItIs() {
        #expect(DisconnectClassifier.action(closeCode: 1008) == .fatal(.badAudio))
        #expect(DisconnectClassifier.action(closeCode: 4000, reason: "DATA-0000") == .fatal(.badAudio))
        #expect(DisconnectClassifier.action(closeCode: 1008, reason: "INSUFFICIENT_PERMISSIONS") == .fatal(.unauthorized))
        #expect(DisconnectClassifier.action(closeCode: 4001, reason: "INVALID_AUTH") == .fatal(.unauthorized))
        #expect(DisconnectClassifier.action(closeCode: 1008, reason: "too many streams") == .fatal(.badRequest))
        #expect(!DisconnectClassifier.explain(closeCode: 1008, reason: "INSUFFICIENT_PERMISSIONS").contains("audio"))
        let auth = ConnectionFailure.closed(code: 4001, reason: "INVALID_AUTH", credential: .apiKey("k"), requestID: nil)
        #expect(auth.error.isFatal && auth.error.message.contains("check the API key") && !auth.error.message.contains("audio"),
                "\(auth.error.message)")
        let audio = ConnectionFailure.closed(code: 1008, reason: "DATA-0000: The payload cannot be decoded as audio.",
                                             credential: .apiKey("k"), requestID: nil)
        #expect(audio.error.message.contains("does not match the encoding"), "\(audio.error.message)")
        // A refusal without a reason is not pointed at "its reason above" (found in QA).
        let bare = ConnectionFailure.closed(code: 4008, reason: "", credential: .apiKey("k"), requestID: nil)
        #expect(bare.error.isFatal && bare.error.message.contains("without saying why") && !bare.error.message.contains("reason"),
                "\(bare.error.message)")
        let said = ConnectionFailure.closed(code: 4008, reason: "TOO_MANY_STREAMS", credential: .apiKey("k"), requestID: nil)
        #expect(said.error.message.contains("4008 TOO_MANY_STREAMS") && said.error.message.contains("against its reason"), "\(said.error.message)")
    }

    /// A refused upgrade's body in Deepgram's newer shape ({"category", "message", "details"}) is
    /// quoted like the older {"err_msg"}: it was dropped, leaving only the status's generic advice.
    @Test func aRefusalsNewerBodyIsQuoted() {
        let newer = #"{"category":"INSUFFICIENT_PERMISSIONS","message":"Project does not have access to the requested model.","details":{"model":"x"},"request_id":"r-9"}"#
        let f = ConnectionFailure.rejected(status: 403, headers: HTTPHeaders(), body: newer, credential: .apiKey("k"))
        #expect(f.error.message.contains("HTTP 403 Forbidden: Project does not have access to the requested model."), "\(f.error.message)")
        #expect(f.error.requestID == "r-9")
        let detailed = #"{"message":"Bad request.","details":"unknown parameter: foo"}"#
        let g = ConnectionFailure.rejected(status: 400, headers: HTTPHeaders(), body: detailed, credential: .apiKey("k"))
        #expect(g.error.message.contains("Bad request. (unknown parameter: foo)"), "\(g.error.message)")
        let older = #"{"err_code":"INVALID_AUTH","err_msg":"Invalid credentials.","request_id":"r-1"}"#
        #expect(ConnectionFailure.rejected(status: 401, headers: HTTPHeaders(), body: older, credential: .apiKey("k"))
                    .error.message.contains("Unauthorized: Invalid credentials."))
    }
}
