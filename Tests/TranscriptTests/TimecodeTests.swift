import Testing
@testable import Transcript

/// Export timestamps come from whole milliseconds: no `:60`, no `,1000`, hours past 24 and 99.
@Suite struct TimecodeTests {
    @Test func roundsUpIntoTheNextMinuteNotToSixtySeconds() {
        #expect(Timecode.srt(59.9995) == "00:01:00,000")
        #expect(Timecode.vtt(59.9995) == "00:01:00.000")
        #expect(Timecode.srt(59.9994) == "00:00:59,999")
        #expect(Timecode.clock(59.9995) == "00:01:00")
    }

    @Test func roundsUpIntoTheNextHour() {
        #expect(Timecode.srt(3599.9999) == "01:00:00,000")
        #expect(Timecode.vtt(3599.9999) == "01:00:00.000")
        #expect(Timecode.vtt(3599.999) == "00:59:59.999")
    }

    @Test func hoursAreNotWrappedAtADay() {
        #expect(Timecode.srt(25 * 3600 + 1.5) == "25:00:01,500")
        #expect(Timecode.vtt(100 * 3600) == "100:00:00.000")
        #expect(Timecode.clock(100 * 3600 + 61) == "100:01:01")
    }

    @Test func badValuesClampToZero() {
        #expect(Timecode.srt(-1) == "00:00:00,000")
        #expect(Timecode.srt(.nan) == "00:00:00,000")
        #expect(Timecode.milliseconds(.infinity) == 0)
    }

    @Test func everyMillisecondOfAMinuteFormatsWithinRange() {
        for ms in stride(from: Int64(0), to: 120_000, by: 1) {
            let s = Timecode.format(ms, separator: ",")
            let parts = s.split(whereSeparator: { $0 == ":" || $0 == "," }).map { Int($0)! }
            #expect(parts[1] < 60 && parts[2] < 60 && parts[3] < 1000)
            #expect(((parts[0] * 60 + parts[1]) * 60 + parts[2]) * 1000 + parts[3] == Int(ms))
        }
    }

    @Test func srtAndVttCuesUseTheSameRounding() {
        var line = CaptionLine(id: 0)
        line.append(CaptionWord(word: "hello", start: 59.9995, end: 61.0004, confidence: 1))
        let srt = SRTExporter.render([line])
        #expect(srt.contains("00:01:00,000 --> 00:01:01,000"))
        let vtt = WebVTTExporter.render([line])
        #expect(vtt.contains("00:01:00.000 --> 00:01:01.000"))
    }
}
