import Deepgram
import Foundation
import Testing
@testable import Transcript

/// Details of each format: escaping, labels, stamps, channels.
@Suite struct ExportFormattingTests {
    static func line(_ id: Int, _ text: String, start: Double, speaker: Int? = nil, channel: Int = 0) -> CaptionLine {
        CaptionLine(id: id, channel: channel, speaker: speaker, words: text.split(separator: " ").enumerated().map { i, w in
            CaptionWord(word: w.lowercased(), text: String(w), start: start + Double(i) * 0.3, end: start + Double(i) * 0.3 + 0.25,
                        confidence: 0.8, speaker: speaker)
        })
    }

    /// A line of words with exactly these display texts (dictation sends `"\n\n"` as a word).
    static func words(_ texts: [String], start: Double = 0, id: Int = 0, channel: Int = 0) -> CaptionLine {
        CaptionLine(id: id, channel: channel, words: texts.enumerated().map { i, t in
            CaptionWord(word: t.lowercased(), text: t, start: start + Double(i) * 0.3, end: start + Double(i) * 0.3 + 0.25,
                        confidence: 0.9)
        })
    }

    /// Deepgram's dictation turns "new paragraph" into a `"\n\n"` word and "new line" into
    /// `"\n"`: the text stays in its line and paragraph (here, no list item starts).
    /// The model named in an export is the one that ran (the server's Metadata), not the one
    /// the journal's header asked for.
    @Test func exportsNameTheModelThatRan() {
        let line = CaptionLine(id: 0, words: [CaptionWord(word: "hi", start: 0, end: 0.5, confidence: 0.9)])
        let header = JournalHeader(engine: "deepgram", model: "nova-3", capttyVersion: "test")
        let ran = Metadata(models: ["u1"], modelInfo: ["u1": ModelInfo(name: "2-general-nova", version: "1", arch: "nova-2")])
        let md = Exporter.render([line], format: .md, header: header, metadata: ran)
        let vtt = Exporter.render([line], format: .vtt, header: header, metadata: ran)
        #expect(md.contains("nova-2") && !md.contains("nova-3"), "\(md)")
        #expect(vtt.contains("model nova-2") && !vtt.contains("nova-3"), "\(vtt)")
        // Without Metadata (no server said), the header's model stays.
        #expect(Exporter.render([line], format: .vtt, header: header).contains("model nova-3"))
    }

    @Test func dictatedBreaksStayInsideTheirLineAndParagraph() {
        let ls = [Self.words(["Intro.", "\n\n", "-", "not", "a", "list.", "\n", "End."]), Self.words(["\n\n"], start: 5, id: 1)]
        let plain = ExportOptions(timestamps: false)
        #expect(PlainTextExporter.render(ls, options: plain) == "Intro. - not a list. End.\n")
        #expect(MarkdownExporter.render(ls, options: plain) == "# Transcript\n\nIntro. - not a list. End.\n\n")
        for (name, text) in [("srt", SRTExporter.render(ls)), ("vtt", WebVTTExporter.render(ls))] {
            let cues = text.components(separatedBy: "\n\n").filter { !$0.isEmpty && !$0.hasPrefix("WEBVTT") && !$0.hasPrefix("NOTE") }
            #expect(cues.count == 1, "\(name): \(cues)")
            #expect(cues.first?.hasSuffix("\nIntro. - not a list. End.") == true, "\(name): \(cues)")
            #expect(!text.contains("\r") && !text.contains("\n\n\n"), "\(name): \(text)")
        }
    }

    /// Control characters a server put in a word (an escape sequence, BEL, DEL, C1) would reach
    /// whoever `cat`s the file or a player that shows them: they become U+FFFD in every text
    /// format, as on the terminal; a tab becomes a space. JSON escapes them itself.
    @Test func controlCharactersDoNotReachTextExports() {
        let ls = [Self.words(["\u{1B}[31mred\u{1B}[0m", "bell\u{07}", "tab\there", "del\u{7F}", "c1\u{9B}2J", "rlo\u{202E}", "ok"])]
        let plain = ExportOptions(timestamps: false)
        let texts = [("txt", PlainTextExporter.render(ls, options: plain)), ("md", MarkdownExporter.render(ls, options: plain)),
                     ("srt", SRTExporter.render(ls)), ("vtt", WebVTTExporter.render(ls))]
        for (name, text) in texts {
            let bad = text.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F..<0xA0).contains($0.value) || $0.value == 0x202E }
            #expect(bad.isEmpty, "\(name): \(bad.map { String($0.value, radix: 16) }) in \(text.debugDescription)")
            #expect(text.contains("red\u{FFFD}") && text.contains("bell\u{FFFD}"), "\(name): \(text.debugDescription)")
            #expect(text.contains("tab here") && text.contains("ok"), "\(name): \(text.debugDescription)")
        }
    }

    /// Channels commit independently, so channel 1's line can be stored before channel 0's
    /// earlier one: every export lists lines and cues by start time and names the channel.
    @Test func multichannelExportsAreInTimeOrderAndNameTheChannel() {
        let ls = [Self.line(0, "Right late.", start: 1.5, speaker: 0, channel: 1), Self.line(1, "Left early.", start: 0.1, channel: 0)]
        let plain = ExportOptions(timestamps: false)
        #expect(PlainTextExporter.render(ls, options: plain) == "[ch 1] Left early.\n[ch 2] Speaker 1: Right late.\n")
        #expect(MarkdownExporter.render(ls, options: plain)
            == "# Transcript\n\n**[ch 1]** Left early.\n\n**[ch 2] Speaker 1:** Right late.\n\n")
        #expect(SRTExporter.render(ls) == "1\n00:00:00,100 --> 00:00:00,933\n[ch 1] Left early.\n\n"
            + "2\n00:00:01,500 --> 00:00:02,333\n[ch 2] Speaker 1: Right late.\n\n")
        #expect(WebVTTExporter.render(ls).hasSuffix("1\n00:00:00.100 --> 00:00:00.933\n<v Channel 1>Left early.\n\n"
            + "2\n00:00:01.500 --> 00:00:02.333\n<v Channel 2, Speaker 1>Right late.\n\n"))
        // JSON's utterances too (they were in the order the lines were stored).
        guard case .object(let top) = DeepgramJSONExporter.value(ls), case .object(let results)? = top.first(where: { $0.0 == "results" })?.1,
              case .array(let utterances)? = results.first(where: { $0.0 == "utterances" })?.1 else {
            Issue.record("no results.utterances"); return
        }
        let transcripts = utterances.compactMap { u -> String? in
            guard case .object(let fields) = u, case .string(let t)? = fields.first(where: { $0.0 == "transcript" })?.1 else { return nil }
            return t
        }
        #expect(transcripts == ["Left early.", "Right late."])
        // A long line: every cue names its channel and still fits 42 characters a line.
        let long = Self.line(2, Array(repeating: "wonderful", count: 12).joined(separator: " "), start: 3, channel: 1)
        let cues = SRTExporter.render(ls + [long]).components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(cues.count == 4)
        for cue in cues {
            let text = cue.split(separator: "\n").dropFirst(2)
            #expect(text.first?.hasPrefix("[ch ") == true && text.allSatisfy { $0.count <= 42 }, "\(cue)")
        }
        // One channel: no channel names.
        #expect(PlainTextExporter.render([ls[0]], options: plain) == "Speaker 1: Right late.\n")
    }

    @Test func plainTextStampsAndLabelsAreOptional() {
        let ls = [Self.line(0, "Good morning.", start: 3725, speaker: 1)]
        #expect(PlainTextExporter.render(ls) == "[01:02:05] Speaker 2: Good morning.\n")
        #expect(PlainTextExporter.render(ls, options: ExportOptions(timestamps: false, speakers: false)) == "Good morning.\n")
    }

    @Test func webVTTEscapesMarkupAndKeepsArrowsOutOfNotes() {
        var h = FixtureReplay.header
        h.model = "a-->b"
        let vtt = WebVTTExporter.render([Self.line(0, "x<y & z>w", start: 1)], header: h)
        #expect(vtt.hasPrefix("WEBVTT\n\nNOTE\n"))
        #expect(vtt.contains("x&lt;y &amp; z&gt;w"))
        let note = vtt.components(separatedBy: "\n\n")[1]
        #expect(!note.contains("-->"))
    }

    @Test func markdownEscapesSyntaxAndStartsNoLists() {
        let md = MarkdownExporter.render([Self.line(0, "1. *not* a [list] #tag", start: 0)],
                                         options: ExportOptions(timestamps: false))
        #expect(md.contains("1\\. \\*not\\* a \\[list\\] \\#tag"))
        // A literal entity stays literal (a renderer would show "&amp;" as "&").
        let amp = MarkdownExporter.render([Self.line(0, "R&D &amp; more", start: 0)], options: ExportOptions(timestamps: false))
        #expect(amp.contains("R\\&D \\&amp; more"), "\(amp)")
        let stamped = MarkdownExporter.render([Self.line(0, "Hi", start: 0, speaker: 0)])
        #expect(stamped.contains("**[00:00:00] Speaker 1:** Hi\n\n"))
    }

    @Test func jsonKeepsChannelsApart() throws {
        let ls = [Self.line(0, "left one", start: 0, channel: 0), Self.line(1, "right one", start: 0.1, channel: 1),
                  Self.line(2, "left two", start: 2, channel: 0)]
        let json = DeepgramJSONExporter.render(ls)
        let obj = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let results = obj["results"] as! [String: Any]
        let channels = results["channels"] as! [[String: Any]]
        let transcripts = channels.map { (($0["alternatives"] as! [[String: Any]])[0]["transcript"] as! String) }
        #expect(transcripts == ["left one left two", "right one"])
        let utterances = results["utterances"] as! [[String: Any]]
        #expect(utterances.map { $0["channel"] as! Int } == [0, 1, 0])
        #expect((obj["metadata"] as! [String: Any])["channels"] as? Int == 2)
    }

    @Test func jsonStringsAreEscaped() {
        #expect(JSONValue.string("a\"b\\c\nd\u{1}").rendered == "\"a\\\"b\\\\c\\nd\\u0001\"")
        #expect(JSONValue.double(.nan).rendered == "null")
        #expect(JSONValue.double(2).rendered == "2")
        #expect(JSONValue.double(0.79999995).rendered == "0.79999995")
    }

    /// "-->" in a spoken line is read as a timing line by lenient SRT parsers (WebVTT already
    /// escaped it): a word joiner keeps it as text. A word of spaces from a server makes no cue.
    @Test func srtKeepsArrowsInTextAndSpacesMakeNoCue() {
        let srt = SRTExporter.render([Self.words(["a-->b", "then", "-->"])])
        let arrows = srt.split(separator: "\n").filter { $0.contains("-->") }
        #expect(arrows.count == 1 && arrows[0].contains(" --> "), "only the timing line has an arrow: \(srt)")
        #expect(srt.contains("a--\u{2060}>b then --\u{2060}>"), "\(srt)")
        var store = TranscriptStore()
        store.apply(.results(Results(channelIndex: [0, 1], start: 0, duration: 1, isFinal: true, speechFinal: true,
                                     channel: Channel(alternatives: [Alternative(transcript: "   ", confidence: 0.9, words: [
                                        Word(word: "   ", start: 0, end: 0.5, confidence: 0.9, punctuatedWord: "   ")])]))))
        #expect(store.lines.isEmpty, "\(store.lines)")
        #expect(SRTExporter.render(store.lines).isEmpty)
    }

    @Test func srtLabelsOnlyWhenTheSpeakerChanges() {
        let ls = [Self.line(0, "One.", start: 0, speaker: 0), Self.line(1, "Two.", start: 2, speaker: 0),
                  Self.line(2, "Three.", start: 4, speaker: 1)]
        let srt = SRTExporter.render(ls)
        #expect(srt.contains("Speaker 1: One.") && srt.contains("\nTwo.\n") && srt.contains("Speaker 2: Three."))
        #expect(!SRTExporter.render(ls, options: ExportOptions(speakers: false)).contains("Speaker"))
    }

    @Test func saveStatesAreStreamedToTheUI() async throws {
        let tmp = try TempDirectory("states"); defer { tmp.remove() }
        let url = tmp.file("s.jsonl")
        let w = await JournalWriter(url: url, header: FixtureReplay.header)
        await w.close()
        var seen: [SaveState] = []
        for await s in w.states { seen.append(s) }
        #expect(seen.last == .closed(path: url.path))
    }
}
