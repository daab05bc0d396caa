import Foundation
import Testing
@testable import Transcript

/// SRT and WebVTT exports read back by parsers nobody here wrote (pysrt, webvtt-py): the
/// same cues, times, text and voices — also past 24 and 100 hours.
@Suite struct ThirdPartyCaptionParserTests {
    struct ParsedCue: Decodable, Equatable {
        var start_ms: Int64
        var end_ms: Int64
        var text: String
        var voice: String?
        var shown: String? = nil

        /// Cues are compared by times, text and voice.
        static func == (a: ParsedCue, b: ParsedCue) -> Bool {
            (a.start_ms, a.end_ms, a.text, a.voice) == (b.start_ms, b.end_ms, b.text, b.voice)
        }
    }

    static let parsersAvailable = PythonPeer.canImport("pysrt", "webvtt")

    static func parse(_ text: String, ext: String) throws -> [ParsedCue]? {
        let tmp = try TempDirectory("captions"); defer { tmp.remove() }
        let file = tmp.file("export.\(ext)")
        try Data(text.utf8).write(to: file)
        let r = try PythonPeer.run("transcript_read_captions.py", [file.path])
        if r.status != 0 { Issue.record("\(ext) did not parse: \(r.stderr)"); return nil }
        return try JSONDecoder().decode([ParsedCue].self, from: r.stdout)
    }

    static func sessions() throws -> [(String, [CaptionLine])] {
        var out: [(String, [CaptionLine])] = []
        for name in ["preamble-rest-2", "bueller-url-3"] {
            let f = try FixtureReplay(name)
            out.append((name, Array(FixtureReplay.store(FixtureReplay.events(for: f.words)).lines)))
        }
        let f = try FixtureReplay("bueller-url-3")
        let diarized = Array(FixtureReplay.store(FixtureReplay.events(for: f.withSyntheticSpeakers())).lines)
        out.append(("diarized", diarized))
        for hours in [25.0, 100.0] {
            // The same speech late in a very long session.
            let late = diarized.map { l in
                CaptionLine(id: l.id, channel: l.channel, speaker: l.speaker, words: l.words.map { w in
                    var w = w; w.start += hours * 3600 - 0.0004; w.end += hours * 3600 - 0.0004; return w
                })
            }
            out.append(("\(Int(hours)) h", late))
        }
        return out
    }

    @Test(.enabled(if: parsersAvailable, "needs pysrt and webvtt-py in the test venv (pip install webvtt-py==0.6.0 pysrt==1.1.2)"))
    func pysrtAndWebVTTPyReadEveryCue() throws {
        for (name, lines) in try Self.sessions() {
            let cues = CueBuilder.cues(from: lines)
            #expect(!cues.isEmpty)
            let srt = try Self.parse(SRTExporter.render(lines, options: ExportOptions(speakers: false)), ext: "srt")
            #expect(srt == cues.map { ParsedCue(start_ms: $0.startMs, end_ms: $0.endMs, text: $0.text, voice: nil) }, "\(name) srt")
            let vtt = try Self.parse(WebVTTExporter.render(lines, header: FixtureReplay.header), ext: "vtt")
            #expect(vtt == cues.map { ParsedCue(start_ms: $0.startMs, end_ms: $0.endMs, text: $0.text,
                                                voice: $0.speaker.map(SpeakerLabel.name)) }, "\(name) vtt")
        }
    }

    /// Options changed mid-session are NOTE blocks between the cues: webvtt-py reads the
    /// same cues as without them (a note inside a cue, or with "-->", would end or break one).
    @Test(.enabled(if: parsersAvailable, "needs pysrt and webvtt-py in the test venv"))
    func optionChangeNotesLeaveTheCuesAsTheyAre() throws {
        let f = try FixtureReplay("preamble-rest-2")
        let lines = Array(FixtureReplay.store(FixtureReplay.events(for: f.words)).lines)
        let cues = try #require(try Self.parse(WebVTTExporter.render(lines), ext: "vtt"))
        let middle = CueBuilder.cues(from: lines)[2]
        let changes = [OptionsChange(start: 0, options: .init(), changes: ["language es"]),
                       OptionsChange(start: Double(middle.startMs) / 1000, options: .init(), changes: ["model a-->b", "x\n\ny"]),
                       OptionsChange(start: 1e6, options: .init(), changes: ["numerals on"])]
        let text = WebVTTExporter.render(lines, options: ExportOptions(optionChanges: changes))
        #expect(text.components(separatedBy: "\nNOTE\n").count == 5, "\(text)")
        #expect(try Self.parse(text, ext: "vtt") == cues)
    }

    /// Dictation's `"\n\n"` ("new paragraph") and `"\n"` ("new line") words: pysrt used to
    /// refuse the file and webvtt-py to drop the text after the blank line.
    @Test(.enabled(if: parsersAvailable, "needs pysrt and webvtt-py in the test venv"))
    func dictatedLineBreaksLoseNoText() throws {
        let texts = ["First", "paragraph.", "\n\n", "Second", "line.", "\n", "Third\r\nword.", "\n\n"]
        let line = CaptionLine(id: 0, words: texts.enumerated().map { i, t in
            CaptionWord(word: t.lowercased(), text: t, start: Double(i) * 0.3, end: Double(i) * 0.3 + 0.25, confidence: 0.9)
        })
        let expected = "First paragraph. Second line. Third word."
        for (ext, text) in [("srt", SRTExporter.render([line])), ("vtt", WebVTTExporter.render([line]))] {
            guard let cues = try Self.parse(text, ext: ext) else { continue }
            let read = cues.map { $0.text.replacingOccurrences(of: "\n", with: " ") }.joined(separator: " ")
            #expect(read == expected, "\(ext) read back as \(cues)")
        }
    }

    /// SRT has no escaping, and players strip `<b>`-like tags (and read `{\an8}` as an
    /// override): spoken text that looked like markup vanished from the cue. Now a tag-like
    /// `<` is written as its look-alike `‹`, and `{\` gets an invisible word joiner.
    @Test(.enabled(if: parsersAvailable, "needs pysrt and webvtt-py in the test venv"))
    func srtTextThatLooksLikeMarkupIsShown() throws {
        let texts = ["Type", "<b>bold</b>", "and", "{\\an8}", "then", "a<b", "x</i>"]
        let line = CaptionLine(id: 0, words: texts.enumerated().map { i, t in
            CaptionWord(word: t, text: t, start: Double(i) * 0.3, end: Double(i) * 0.3 + 0.25, confidence: 0.9)
        })
        let srt = SRTExporter.render([line])
        guard let cues = try Self.parse(srt, ext: "srt") else { return }
        let shown = cues.compactMap(\.shown).joined(separator: " ").replacingOccurrences(of: "\n", with: " ")
        #expect(shown == "Type ‹b>bold‹/b> and {\u{2060}\\an8} then a‹b x‹/i>", "pysrt shows \(cues)")
        // The check is real: the text as it was loses its tags in pysrt.
        let raw = try Self.parse(srt.replacingOccurrences(of: "‹", with: "<"), ext: "srt")
        #expect(raw?.compactMap(\.shown).joined(separator: " ").contains("<b>") == false)
        #expect(SRTExporter.defuseMarkup("a < b and 3<4 {x}") == "a < b and 3<4 {x}", "plain text is unchanged")
    }

    @Test(.enabled(if: parsersAvailable, "needs pysrt and webvtt-py in the test venv"))
    func theParsersRejectBrokenFiles() throws {
        // The peer really checks: a file without the WEBVTT signature is refused.
        let tmp = try TempDirectory("captions-bad"); defer { tmp.remove() }
        let file = tmp.file("bad.vtt")
        try Data("1\n00:00:01.000 --> 00:00:02.000\nhi\n".utf8).write(to: file)
        let r = try PythonPeer.run("transcript_read_captions.py", [file.path])
        #expect(r.status == 1 && r.stderr.contains("does not parse"))
    }
}
