import Deepgram
import Foundation
import Testing
@testable import Transcript

/// Audio lost in a session is marked where it was in every export, kept in the journal, and
/// an outage reported in pieces is one gap.
@Suite struct AudioGapTests {
    let gap = AudioGap(start: 5, duration: 19.2, reason: "the engine was disconnected")

    @Test func piecesOfOneOutageAreOneGap() {
        var gaps = AudioGap.adding(AudioGap(start: 5, duration: 10, reason: "r"), to: [])
        gaps = AudioGap.adding(AudioGap(start: 15, duration: 9.2, reason: "r"), to: gaps)
        gaps = AudioGap.adding(AudioGap(start: 2, duration: 1, reason: "r"), to: gaps)
        #expect(gaps.map(\.start) == [2, 5] && abs(gaps[1].duration - 19.2) < 1e-9)
        #expect(AudioGap.adding(AudioGap(start: .nan, duration: 1, reason: "r"), to: gaps) == gaps)
        #expect(gap.note == "[19 s of audio lost: the engine was disconnected; no captions]")
        #expect(AudioGap(start: 0, duration: 2.34, reason: "x").note == "[2.3 s of audio lost: x; no captions]")
        // Rounded before the form is chosen: 9.96 s read "10.0 s".
        #expect(AudioGap(start: 0, duration: 9.96, reason: "x").note == "[10 s of audio lost: x; no captions]")
        #expect(AudioGap(start: 0, duration: 9.94, reason: "x").shortNote == "[9.9 s of audio lost]")
    }

    @Test func everyExportMarksTheGapInItsPlace() throws {
        let lines = [ExportFormattingTests.line(0, "before the outage", start: 1), ExportFormattingTests.line(1, "after it", start: 30)]
        let options = ExportOptions(gaps: [gap])
        let txt = PlainTextExporter.render(lines, options: options)
        #expect(txt == "[00:00:01] before the outage\n[00:00:05] \(gap.note)\n[00:00:30] after it\n", "\(txt)")
        let md = MarkdownExporter.render(lines, options: options)
        #expect(md.contains("**[00:00:05]** _\\[19 s of audio lost: the engine was disconnected; no captions\\]_"), "\(md)")
        for (name, text) in [("srt", SRTExporter.render(lines, options: options)), ("vtt", WebVTTExporter.render(lines, options: options))] {
            let cues = text.components(separatedBy: "\n\n").filter { $0.contains("-->") && !$0.hasPrefix("NOTE") }
            #expect(cues.count == 3, "\(name): \(text)")
            // Wrapped like caption text: 42 characters a line at most (it was one 62-character line).
            #expect(cues[1].hasSuffix("[19 s of audio lost: the engine was\ndisconnected; no captions]") && cues[1].contains("00:00:05"),
                    "\(name): \(cues)")
            // The gap's cue ends before the next caption starts, and stays 7 s at most, as
            // any cue (it stayed 19 s).
            #expect(cues[1].contains("00:00:12"), "\(name): \(cues[1])")
            #expect(cues.first?.hasPrefix("1\n") == true && cues.last?.hasPrefix("3\n") == true, "\(name): numbered in order")
        }
        let json = try JSONSerialization.jsonObject(with: Data(DeepgramJSONExporter.render(lines, gaps: [gap]).utf8)) as? [String: Any]
        let captty = (json?["metadata"] as? [String: Any])?["captty"] as? [String: Any]
        let gaps = captty?["gaps"] as? [[String: Any]]
        #expect(gaps?.first?["start"] as? Double == 5 && gaps?.first?["reason"] as? String == gap.reason, "\(String(describing: json?["metadata"]))")
        // The duration covers audio lost at the end too (it was the last word's end).
        let lostAtEnd = AudioGap(start: 40, duration: 59.5, reason: "the audio device was lost")
        let ended = try JSONSerialization.jsonObject(with: Data(DeepgramJSONExporter.render(lines, gaps: [lostAtEnd]).utf8)) as? [String: Any]
        #expect((ended?["metadata"] as? [String: Any])?["duration"] as? Double == 99.5, "\(String(describing: ended?["metadata"]))")
        // Without gaps nothing changes.
        #expect(PlainTextExporter.render(lines) == "[00:00:01] before the outage\n[00:00:30] after it\n")
    }

    /// Gap cues follow the rules speech cues follow (found in QA): one began before the cue it
    /// followed ended, ran into the next one, or took three lines.
    @Test func gapCuesNeitherOverlapNorTakeMoreThanTwoLines() {
        let rules = CueRules()
        func cue(_ start: Int64, _ end: Int64, _ id: Int) -> Cue {
            Cue(startMs: start, endMs: end, lines: ["w\(id)"], speaker: nil, channel: 0, lineID: id, startsLine: true)
        }
        // A 0.6 s loss with speech 0.6 s later; "Hi." stretched to 5.333 over the gap's start.
        let short = AudioGap(start: 5, duration: 0.6, reason: AudioGap.deviceLost)
        let merged = Cue.merging([cue(4_500, 5_333, 0), cue(6_200, 7_000, 1)], gaps: [short], rules: rules)
        #expect(merged.map(\.lineID) == [0, -1, 1])
        #expect(merged[1].startMs == 5_333 && merged[1].endMs - merged[1].startMs >= 833 && merged[1].endMs <= 6_200, "\(merged[1])")
        for (a, b) in zip(merged, merged.dropFirst()) { #expect(a.endMs <= b.startMs, "\(a) overlaps \(b)") }
        // A long reason: two lines at most, the reason left out when it does not fit.
        let long = AudioGap(start: 10, duration: 13, reason: AudioGap.notFinished)
        #expect(Cue.wrapped(long.note, width: 42).count == 3, "the test needs a note over two lines")
        let alone = Cue.merging([], gaps: [long], rules: rules)
        #expect(alone.first?.lines == ["[13 s of audio lost]"], "\(alone)")
        #expect(alone.first.map { $0.endMs - $0.startMs } == 7_000, "at most 7 s: \(alone)")
        // Gap cues after a long cue, after each other, and before the session's start: never
        // over the cue before them or each other, never zero-length (found by a fuzzer in QA).
        let afterLong = Cue.merging([cue(0, 5_000, 0), cue(5_000, 6_000, 1)],
                                    gaps: [AudioGap(start: 2, duration: 1, reason: AudioGap.engineLost)], rules: rules)
        #expect(afterLong.first { $0.lineID == -1 }?.startMs == 5_000, "\(afterLong)")
        let two = Cue.merging([], gaps: [AudioGap(start: 10, duration: 3, reason: AudioGap.engineLost),
                                         AudioGap(start: 11, duration: 3, reason: AudioGap.deviceLost)], rules: rules)
        #expect(two.count == 2 && two[0].endMs <= two[1].startMs, "\(two)")
        let early = Cue.merging([], gaps: [AudioGap(start: -1, duration: 0.5, reason: AudioGap.engineLost)], rules: rules)
        #expect(early.first.map { $0.startMs >= 0 && $0.endMs > $0.startMs } == true, "\(early)")
        // A CR (one Character with its LF) in a header's engine or model broke the VTT NOTE.
        #expect(WebVTTExporter.noteSafe("dg\r\n\r\nX --> y") == "dg X -> y")
        // No room at all between two cues: still shown (over the next), never dropped.
        let squeezed = Cue.merging([cue(0, 3_000, 0), cue(3_000, 4_000, 1)], gaps: [AudioGap(start: 2.5, duration: 0.4, reason: AudioGap.paused)], rules: rules)
        #expect(squeezed.contains { $0.lineID == -1 && $0.lines == ["[0.4 s not captioned: captioning was", "paused]"] }, "\(squeezed)")
    }

    @Test func theJournalKeepsGapsAndOlderReadersSkipThem() throws {
        let line = JournalCodec.encode(gap)
        #expect(try JournalCodec.decode(Substring(line)) == .gap(gap))
        #expect(throws: (any Error).self) { try JournalCodec.decode(Substring(#"{"type":"gap","start":1}"#)) }
    }
}

/// The JSON export writes times to the millisecond and confidences to 8 decimals: offsets and
/// averages left binary noise (`10.350000000000009`, `0.4550000000000002`). The journal keeps
/// every bit, so that it reads back as what was committed.
@Suite struct ExportNumberTests {
    @Test func exportTimesHaveNoBinaryNoiseAndTheJournalIsExact() throws {
        let start = 10.350000000000009     // as offsets left it
        #expect("\(start + 0.7)" != "11.05", "the test needs a noisy value")
        let w = CaptionWord(word: "a", text: "a", start: start, end: start + 0.7, confidence: 0.455 + 2e-16)
        let json = DeepgramJSONExporter.render([CaptionLine(id: 0, channel: 0, words: [w])], gaps: [AudioGap(start: start, duration: 1.1 + 2.2, reason: "r")])
        #expect(json.contains("\"start\": 10.35,") && json.contains("\"end\": 11.05,"), "\(json)")
        #expect(json.contains("\"duration\": 3.3,"), "the gap's: \(json)")
        #expect(json.firstMatch(of: /\d\.\d{9,}/) == nil, "\(json)")
        let segment = CommittedSegment(lineID: 0, channel: 0, speaker: nil, start: start, end: start + 0.7, confidence: w.confidence,
                                       words: [w], speechFinal: true, fromFinalize: false)
        let line = JournalCodec.encode(segment, sessionStartUnixMs: 0)
        guard case .final(let back) = try JournalCodec.decode(Substring(line)) else { Issue.record("\(line)"); return }
        #expect(back.words == [w] && back.start == start, "\(line)")
    }
}

/// A journal line with a transcript but no words (another tool's, or edited by hand) keeps its
/// text: its words are spread over its span. It vanished from every export.
@Suite struct JournalLineWithoutWordsTests {
    @Test func aFinalWithTextButNoWordsKeepsItsText() throws {
        let line = #"{"type":"final","line":3,"channel":0,"start":2.0,"end":4.0,"confidence":0.9,"transcript":"hello there world","words":[]}"#
        guard case .final(let s) = try JournalCodec.decode(Substring(line)) else { Issue.record("not a final"); return }
        #expect(s.words.map(\.text) == ["hello", "there", "world"])
        #expect(s.words.first?.start == 2.0 && s.words.last?.end == 4.0)
        let empty = #"{"type":"final","line":4,"channel":0,"start":5.0,"end":6.0,"words":[]}"#
        guard case .final(let e) = try JournalCodec.decode(Substring(empty)) else { Issue.record("not a final"); return }
        #expect(e.words.isEmpty)
    }

    /// The audio an engine left without captions, less the stretches already marked (a pause,
    /// a lost device): what is left, in pieces of half a second or more.
    @Test func theUncaptionedStretchLeavesOutWhatIsAlreadyMarked() {
        let tail = AudioGap(start: 10, duration: 20, reason: AudioGap.notCaptioned)
        let marked = [AudioGap(start: 14, duration: 3, reason: AudioGap.paused),
                      AudioGap(start: 17.2, duration: 0.6, reason: AudioGap.deviceLost),
                      AudioGap(start: 29.8, duration: 5, reason: AudioGap.deviceLost)]
        let pieces = AudioGap.uncovered(tail, by: marked)
        #expect(pieces.map(\.start) == [10, 17.8], "\(pieces)")
        #expect(pieces.map(\.end) == [14, 29.8], "\(pieces)")
        #expect(pieces.allSatisfy { $0.reason == AudioGap.notCaptioned && $0.isLoss })
        #expect(AudioGap.uncovered(tail, by: []) == [tail])
        #expect(AudioGap.uncovered(AudioGap(start: 0, duration: 1, reason: AudioGap.notCaptioned),
                                   by: [AudioGap(start: 0.2, duration: 0.6, reason: AudioGap.paused)]) == [],
                "pieces under half a second are not worth a note")
    }
}
