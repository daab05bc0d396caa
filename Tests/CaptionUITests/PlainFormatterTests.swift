import Testing
@testable import CaptionUI
import Transcript

@Suite("Plain mode lines")
struct PlainFormatterTests {
    let line = CaptionLineView(id: 7, start: 3725.9, speaker: 0, text: "Hello  there,\tfriend")

    @Test func finalLineWithAndWithoutPrefixes() {
        #expect(PlainFormatter.finalLine(line) == "Hello there, friend")
        #expect(PlainFormatter.finalLine(line, timestamps: true) == "[01:02:05] Hello there, friend")
        #expect(PlainFormatter.finalLine(line, timestamps: true, speakerLabels: true) == "[01:02:05] Speaker 1: Hello there, friend")
        let noSpeaker = CaptionLineView(id: 8, start: 0, text: "x")
        #expect(PlainFormatter.finalLine(noSpeaker, speakerLabels: true) == "x")
    }

    @Test func statusLines() {
        #expect(PlainFormatter.statusLine(.reconnecting(inSeconds: 3, attempt: 2)) == "captty: reconnecting in 3 s (attempt 2)")
        #expect(PlainFormatter.statusLine(.error(message: "bad\u{1B}[31m")) == "captty: error: bad\u{FFFD}[31m")
        let refused = ConnectionState.reconnecting(inSeconds: 2, attempt: 3,
                                                   reason: "cannot connect to Deepgram at 127.0.0.1:9: Connection refused\n")
        #expect(PlainFormatter.statusLine(refused)
                == "captty: reconnecting in 2 s (attempt 3): cannot connect to Deepgram at 127.0.0.1:9: Connection refused")
        #expect(PlainFormatter.statusLine(refused, withReason: false) == "captty: reconnecting in 2 s (attempt 3)")
        // A server's words cannot drive the terminal from the reason either.
        #expect(PlainFormatter.statusLine(.reconnecting(inSeconds: 1, attempt: 1, reason: "closed \u{1B}]0;x\u{07}"))
                == "captty: reconnecting in 1 s (attempt 1): closed \u{FFFD}]0;x\u{FFFD}")
        #expect(PlainFormatter.saveLine(.failing(message: "disk full")) == "captty: SAVE FAILED: disk full")
        #expect(PlainFormatter.summaryLine(SampleScreens.status()) == "captty: Deepgram nova-3 · en-US · live · lag 320 ms · 01:02:03")
    }

    @Test func timeFormat() {
        #expect(TimeFormat.clock(0) == "00:00:00")
        #expect(TimeFormat.clock(59.99) == "00:00:59")
        #expect(TimeFormat.clock(360_000) == "100:00:00")
        #expect(TimeFormat.clock(-5) == "00:00:00")
        #expect(TimeFormat.clock(.nan) == "00:00:00")
        #expect(TimeFormat.clock(1e300).hasSuffix(":46:40"), "capped, not overflowed")
        #expect(TimeFormat.clock(.infinity) == "00:00:00")
        #expect(SpeakerLabel.name(Int.max) == "Speaker \(Int.max)")
        #expect(SpeakerLabel.name(0) == "Speaker 1")
    }
}
