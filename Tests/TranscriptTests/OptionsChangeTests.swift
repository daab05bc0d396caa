import Deepgram
import Foundation
import Testing
@testable import Transcript

/// Engine options changed mid-session: described, journaled, read back and placed in exports.
struct OptionsChangeTests {
    static func options(_ language: String, punctuate: Bool = true) -> LiveOptions {
        var o = LiveOptions()
        o.model = "nova-3"; o.language = .init(language); o.punctuate = punctuate
        return o
    }

    @Test func whatChangedIsSaidInWords() {
        let en = Self.options("en")
        #expect(OptionsChange.differences(from: en, to: en).isEmpty)
        #expect(OptionsChange.differences(from: en, to: Self.options("es", punctuate: false)) == ["language es", "punctuation off"])
        var terms = en
        terms.keyterm = ["captty"]
        #expect(OptionsChange.differences(from: en, to: terms) == ["other options"])
        var model = en
        model.model = "nova-2"; model.diarize = true
        #expect(OptionsChange(start: 3, from: en, to: model).note == "[options changed: model nova-2, speaker labels on]")
    }

    @Test func aJournalRecordReadsBack() throws {
        let c = OptionsChange(start: 12.345, from: Self.options("en"), to: Self.options("fr"))
        let line = JournalCodec.encode(c)
        #expect(line.hasPrefix(#"{"type":"options","start":12.345,"changes":["language fr"],"options":{"#), "\(line)")
        #expect(line.contains(#""options_query":"model=nova-3&language=fr&punctuate=true""#), "\(line)")
        #expect(try JournalCodec.decode(Substring(line)) == .options(c))
    }

    /// A record another tool wrote or a hand edit damaged: a clear reason, or a note that still
    /// reads as one line.
    @Test func oddRecordsAreRefusedOrTamed() throws {
        #expect(throws: JournalCodec.DecodingFailure.self) { try JournalCodec.decode(#"{"type":"options","start":1e300}"#) }
        #expect(throws: JournalCodec.DecodingFailure.self) { try JournalCodec.decode(#"{"type":"options","changes":["x"]}"#) }
        guard case .options(let bare) = try JournalCodec.decode(#"{"type":"options","start":2}"#) else { Issue.record("not options"); return }
        #expect(bare.changes == ["other options"])
        guard case .options(let odd) = try JournalCodec.decode(#"{"type":"options","start":2,"changes":["a\nb",""]}"#) else {
            Issue.record("not options"); return
        }
        #expect(odd.note == "[options changed: a b]")
    }

    /// Read back from a journal, also from a second session joined after the first: its times
    /// move with that session's lines.
    @Test func theReaderPlacesChangesOnTheJoinedTimeline() throws {
        let tmp = try TempDirectory("options"); defer { tmp.remove() }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        func session(_ at: Date, change: Double) -> String {
            let h = JournalHeader(engine: "deepgram", model: "nova-3", options: Self.options("en"), startTime: at, capttyVersion: "t")
            let w = CaptionWord(word: "hi", text: "hi", start: 0.5, end: 1, confidence: 0.9)
            let seg = CommittedSegment(lineID: 0, channel: 0, speaker: nil, start: 0.5, end: 1, confidence: 0.9, words: [w],
                                       speechFinal: true)
            return [JournalCodec.encode(h), JournalCodec.encode(seg, sessionStartUnixMs: h.startUnixMs),
                    JournalCodec.encode(OptionsChange(start: change, from: Self.options("en"), to: Self.options("de")))]
                .joined(separator: "\n") + "\n"
        }
        let file = tmp.file("j.jsonl")
        try Data((session(start, change: 2) + session(start.addingTimeInterval(100), change: 3)).utf8).write(to: file)
        let read = try JournalReader.read(file)
        #expect(read.optionChanges.map(\.start) == [2, 103])
        #expect(read.optionChanges.allSatisfy { $0.changes == ["language de"] })
    }

    /// In text and Markdown the note goes among the lines at its time, after a gap of the same
    /// time; SRT (for players) has none.
    @Test func exportsPlaceTheNoteAtItsTime() {
        func line(_ id: Int, _ word: String, at t: Double) -> CaptionLine {
            CaptionLine(id: id, words: [CaptionWord(word: word, text: word, start: t, end: t + 0.5, confidence: 0.9)])
        }
        let lines = [line(0, "one", at: 1), line(1, "two", at: 5)]
        let options = ExportOptions(timestamps: false, gaps: [AudioGap(start: 3, duration: 1, reason: "lost")],
                                    optionChanges: [OptionsChange(start: 3, options: .init(), changes: ["language es"])])
        let txt = PlainTextExporter.render(lines, options: options).split(separator: "\n")
        #expect(txt.count == 4 && txt[0] == "one" && txt[1].hasPrefix("[") && txt[1] != "[options changed: language es]"
                && txt[2] == "[options changed: language es]" && txt[3] == "two", "\(txt)")
        let md = MarkdownExporter.render(lines, options: options)
        #expect(md.contains("one\n\n_\\[1 s") || md.contains("one\n\n_"), "\(md)")
        #expect(md.contains("_\\[options changed: language es\\]_\n\ntwo"), "\(md)")
        #expect(!SRTExporter.render(lines, options: options).contains("options changed"))
    }
}
