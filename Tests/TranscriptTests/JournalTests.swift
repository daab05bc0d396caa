import Deepgram
import Foundation
import Testing
@testable import Transcript

/// The journal: written as finals commit, mode 0600 in 0700 directories, read back tolerating
/// a torn last line, with clear errors for everything else.
@Suite struct JournalTests {
    static func sessionStore() throws -> (TranscriptStore, [CommittedSegment]) {
        let f = try FixtureReplay("bueller-url-3")
        var store = TranscriptStore()
        var segs: [CommittedSegment] = []
        for e in FixtureReplay.events(for: f.withSyntheticSpeakers(), reconnectEvery: 2) { segs += store.apply(e).committed }
        return (store, segs)
    }

    @Test func writtenJournalReadsBackAsTheSameLines() async throws {
        let tmp = try TempDirectory("journal"); defer { tmp.remove() }
        let url = tmp.file("deep/er/session.jsonl")
        let (store, segs) = try Self.sessionStore()
        let writer = await JournalWriter(url: url, header: FixtureReplay.header)
        for s in segs { #expect(await writer.append([s]) == .saved(path: url.path)) }
        #expect(await writer.close() == .closed(path: url.path))
        let back = try JournalReader.read(url)
        #expect(back.header == FixtureReplay.header)
        #expect(back.header.options?.model == "nova-3")
        #expect(back.lines.map(\.text) == store.lines.map(\.text))
        #expect(back.lines.map(\.words) == store.lines.map(\.words))
        #expect(back.lines.map(\.speaker) == store.lines.map(\.speaker))
        #expect(back.issues.isEmpty && !back.tornLastLine)
        // Exports from the journal equal exports from the live store.
        for format in ExportFormat.allCases {
            #expect(Exporter.render(back.lines, format: format, header: back.header)
                    == Exporter.render(store.lines, format: format, header: FixtureReplay.header))
        }
        #expect(FileMode.of(url.path) == 0o600)
        #expect(FileMode.of(tmp.file("deep").path) == 0o700)
        #expect(FileMode.of(tmp.file("deep/er").path) == 0o700)
    }

    @Test func headerCarriesEngineModelOptionsAndStartTime() throws {
        let line = JournalCodec.encode(FixtureReplay.header)
        let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        #expect(obj["type"] as? String == "header")
        #expect(obj["format"] as? String == "captty-journal")
        #expect(obj["engine"] as? String == "deepgram")
        #expect(obj["model"] as? String == "nova-3")
        #expect(obj["start_time"] as? String == "2026-01-02T03:04:05.678Z")
        #expect((obj["start_unix_ms"] as? NSNumber)?.int64Value == 1_767_323_045_678)
        #expect(obj["captty_version"] as? String == "0.0.0-test")
        #expect((obj["options"] as? [String: Any])?["interimResults"] as? Bool == true)
    }

    @Test func finalsCarryAbsoluteTimesSpeakerConfidenceAndWords() throws {
        let seg = CommittedSegment(lineID: 4, channel: 1, speaker: 2, start: 61.5, end: 62.25, confidence: 0.97,
                                   words: [CaptionWord(word: "hi", text: "Hi.", start: 61.5, end: 62.25, confidence: 0.97, speaker: 2)],
                                   speechFinal: true)
        let obj = try JSONSerialization.jsonObject(with: Data(JournalCodec.encode(seg, sessionStartUnixMs: 1_000_000).utf8)) as! [String: Any]
        #expect(obj["start_unix_ms"] as? Int == 1_061_500)
        #expect(obj["end_unix_ms"] as? Int == 1_062_250)
        #expect(obj["speaker"] as? Int == 2 && obj["channel"] as? Int == 1 && obj["line"] as? Int == 4)
        #expect(obj["confidence"] as? Double == 0.97)
        #expect(obj["transcript"] as? String == "Hi.")
        #expect((obj["words"] as? [[String: Any]])?.first?["punctuated_word"] as? String == "Hi.")
    }

    static func journalText(lines n: Int) throws -> String {
        var s = JournalCodec.encode(FixtureReplay.header) + "\n"
        for i in 0 ..< n {
            s += JournalCodec.encode(CommittedSegment(lineID: i, channel: 0, speaker: nil, start: Double(i), end: Double(i) + 0.5,
                                                      confidence: 0.9, words: [CaptionWord(word: "w\(i)", start: Double(i), end: Double(i) + 0.5, confidence: 0.9)],
                                                      speechFinal: true), sessionStartUnixMs: 0) + "\n"
        }
        return s
    }

    @Test func aTornLastLineIsSkipped() throws {
        let full = try Self.journalText(lines: 3)
        let torn = full + String(JournalCodec.encode(CommittedSegment(lineID: 9, channel: 0, speaker: nil, start: 9, end: 9.5, confidence: 1,
                                                                     words: [CaptionWord(word: "lost", start: 9, end: 9.5, confidence: 1)],
                                                                     speechFinal: false), sessionStartUnixMs: 0).prefix(40))
        let c = try JournalReader.parse(Data(torn.utf8), path: "j.jsonl")
        #expect(c.tornLastLine)
        #expect(c.issues.isEmpty)
        #expect(c.lines.map(\.text) == ["w0", "w1", "w2"])
    }

    /// Windows line ends (a journal saved by another editor): "\r\n" is one Character in Swift,
    /// so the file was one line, "not a JSON object".
    @Test func aJournalWithWindowsLineEndsReads() throws {
        let crlf = try Self.journalText(lines: 3).replacingOccurrences(of: "\n", with: "\r\n")
        let c = try JournalReader.parse(Data(crlf.utf8), path: "j.jsonl")
        #expect(c.issues.isEmpty && !c.tornLastLine)
        #expect(c.lines.map(\.text) == ["w0", "w1", "w2"])
    }

    @Test func corruptMiddleLinesAreReportedByNumber() throws {
        var lines = try Self.journalText(lines: 4).split(separator: "\n").map(String.init)
        lines[2] = "{\"type\":\"final\",\"line\":\"x\"}"
        lines[3] = "garbage"
        let c = try JournalReader.parse(Data((lines.joined(separator: "\n") + "\n").utf8), path: "j.jsonl")
        #expect(c.issues.map(\.lineNumber) == [3, 4])
        #expect(c.lines.map(\.text) == ["w0", "w3"])
        #expect(!c.tornLastLine)
    }

    /// A damaged `"channel"` (huge, negative) is a corrupt line, not a crash or gigabytes of
    /// per-channel tables in the JSON export.
    @Test func outOfRangeChannelsAreCorruptLines() throws {
        var lines = try Self.journalText(lines: 5).split(separator: "\n").map(String.init)
        for (i, bad) in [(2, "9223372036854775807"), (3, "50000000"), (4, "-1")] {
            lines[i] = lines[i].replacingOccurrences(of: "\"channel\":0", with: "\"channel\":\(bad)")
        }
        let c = try JournalReader.parse(Data((lines.joined(separator: "\n") + "\n").utf8), path: "j.jsonl")
        #expect(c.issues.map(\.lineNumber) == [3, 4, 5])
        #expect(c.issues.allSatisfy { $0.reason.contains("channel") && $0.reason.contains("outside 0…1000000") }, "\(c.issues)")
        #expect(c.lines.map(\.text) == ["w0", "w4"])
        // Every channel the live decoder accepts (up to 1 000 000) reads back: a server's
        // `channel_index: [256, 1]` was journaled, then `captty export` called the journal corrupt.
        for channel in [255, 256, 1_000_000] {
            let top = try JournalReader.parse(Data((Self.journalText(lines: 1) + lines[5]
                .replacingOccurrences(of: "\"channel\":0", with: "\"channel\":\(channel)") + "\n").utf8), path: "j.jsonl")
            #expect(top.issues.isEmpty && top.lines.map(\.channel) == [0, channel])
            for format in ExportFormat.allCases {
                #expect(Exporter.render(top.lines, format: format, header: nil, metadata: nil).contains("w4"), "\(format)")
            }
        }
    }

    /// A damaged header (cut short, a field missing or of the wrong type, or no header at all)
    /// made the whole journal unreadable, even with --skip-corrupt: every final was lost. With
    /// recovery (export --skip-corrupt) the finals are read under a stand-in header.
    @Test(arguments: ["cut", "no start", "string version", "missing"])
    func aDamagedHeaderLosesNoFinalsWhenRecovering(_ damage: String) throws {
        var lines = try Self.journalText(lines: 4).split(separator: "\n").map(String.init)
        switch damage {
        case "cut": lines[0] = String(lines[0].prefix(60))
        case "no start": lines[0] = lines[0].replacingOccurrences(of: "\"start_unix_ms\"", with: "\"start_unix_mz\"")
        case "string version": lines[0] = lines[0].replacingOccurrences(of: "\"version\":1", with: "\"version\":\"1\"")
        default: lines.removeFirst()
        }
        let data = Data((lines.joined(separator: "\n") + "\n").utf8)
        #expect(throws: JournalError.self) { try JournalReader.parse(data, path: "j.jsonl") }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let c = try JournalReader.parse(data, path: "j.jsonl", recoveringHeader: start)
        #expect(c.lines.map(\.text) == ["w0", "w1", "w2", "w3"], "\(damage)")
        #expect(c.header.engine == "unknown" && c.header.startTime == start)
        #expect(c.issues.map(\.lineNumber) == [1], "\(c.issues)")
        #expect(c.issues.first?.reason.contains("not a readable journal header") == true)
    }

    /// A file cut off while its header was written says so; and a file with nothing a
    /// journal holds is still refused when recovering (a recording given by mistake).
    @Test func aHeaderCutAsTheSessionBeganAndAFileWithNoRecords() throws {
        let header = JournalCodec.encode(FixtureReplay.header)
        let cut = Data(header.prefix(50).utf8)
        #expect(throws: JournalError.notAJournal(path: "j", reason: "line 1 was cut short as the session began (it holds no captions)")) {
            try JournalReader.parse(cut, path: "j")
        }
        #expect(throws: JournalError.self) { try JournalReader.parse(cut, path: "j", recoveringHeader: Date()) }
        let notes = Data("{\"a\": 1}\nhello\n{\"type\":\"final\"}\n".utf8)
        #expect(throws: JournalError.self) { try JournalReader.parse(notes, path: "j", recoveringHeader: Date()) }
    }

    /// A final repeated word for word (a file joined twice, a paste) doubled its words in
    /// every export: it is left out and said.
    @Test func aRepeatedFinalIsLeftOut() throws {
        var lines = try Self.journalText(lines: 3).split(separator: "\n").map(String.init)
        lines.insert(lines[2], at: 4)
        let c = try JournalReader.parse(Data((lines.joined(separator: "\n") + "\n").utf8), path: "j")
        #expect(c.lines.map(\.text) == ["w0", "w1", "w2"])
        // Said, but not a corrupt line: nothing is lost, and an export needs no --skip-corrupt
        // (a server that sent one final twice made captty journal it twice).
        #expect(c.issues.isEmpty)
        #expect(c.notes == [JournalIssue(lineNumber: 5, reason: "a repeat of line 3; left out")])
    }

    /// Two journals joined with cat: the second session's lines were merged into the first's
    /// lines of the same id ("b0 b16000" twice in one cue). They are its own lines, placed at
    /// its own start.
    @Test func aSecondSessionJoinedOnKeepsItsOwnLinesAndTimes() throws {
        let first = try Self.journalText(lines: 2)
        var later = FixtureReplay.header
        later.startTime = FixtureReplay.header.startTime.addingTimeInterval(3600)
        var second = JournalCodec.encode(later) + "\n"
        second += JournalCodec.encode(CommittedSegment(lineID: 0, channel: 0, speaker: nil, start: 1, end: 1.5, confidence: 0.9,
                                                       words: [CaptionWord(word: "later", start: 1, end: 1.5, confidence: 0.9)],
                                                       speechFinal: true), sessionStartUnixMs: 0) + "\n"
        let c = try JournalReader.parse(Data((first + second).utf8), path: "j")
        #expect(c.lines.map(\.text) == ["w0", "w1", "later"])
        #expect(c.lines.last?.words.first?.start == 3601)
        // Said, as a note: a clean join is read without --skip-corrupt (it was refused).
        #expect(c.issues.isEmpty && c.notes.map(\.lineNumber) == [4], "\(c.issues) \(c.notes)")
        #expect(c.notes.first?.reason.contains("placed 01:00:00 after the first's start") == true, "\(c.notes)")
    }

    /// A finished session journals where its audio ended: exports end their last cue by it (a
    /// short last cue ran past the end of the recording; found in QA). On a joined timeline it
    /// moves with its session; a malformed one is a corrupt line.
    @Test func theEndOfTheAudioIsJournaledAndEndsTheLastCue() async throws {
        let tmp = try TempDirectory("journal-end"); defer { tmp.remove() }
        let url = tmp.file("s.jsonl")
        let writer = await JournalWriter(url: url, header: FixtureReplay.header)
        await writer.append([CommittedSegment(lineID: 0, channel: 0, speaker: nil, start: 7.3, end: 7.66, confidence: 0.9,
                                              words: [CaptionWord(word: "yes", start: 7.3, end: 7.66, confidence: 0.9)], speechFinal: true)])
        await writer.append(audioEnd: 8.04)
        _ = await writer.close()
        let back = try JournalReader.read(url)
        #expect(back.audioEnd == 8.04 && back.issues.isEmpty, "\(back.issues)")
        var srt = ""
        try ExportCommand.run(journal: url, format: .srt, output: nil) { srt += String(decoding: $0, as: UTF8.self) }
        #expect(srt.contains("00:00:07,207 --> 00:00:08,040"), "\(srt)")
        // The JSON export's duration is the audio's, not the last word's end.
        var json = ""
        try ExportCommand.run(journal: url, format: .json, output: nil) { json += String(decoding: $0, as: UTF8.self) }
        #expect(json.contains("\"duration\": 8.04,"), "\(json.prefix(600))")

        var second = FixtureReplay.header
        second.startTime = FixtureReplay.header.startTime.addingTimeInterval(60)
        let joined = try Self.journalText(lines: 1) + JournalCodec.encode(audioEnd: 2) + "\n"
            + JournalCodec.encode(second) + "\n" + JournalCodec.encode(audioEnd: 3) + "\n"
        #expect(try JournalReader.parse(Data(joined.utf8), path: "j").audioEnd == 63)
        let bad = try Self.journalText(lines: 1) + #"{"type":"end","audio_seconds":-5}"# + "\n"
        #expect(try JournalReader.parse(Data(bad.utf8), path: "j").issues.map(\.reason) == ["malformed end record; if it held captions, they were after 00:00:00"])
    }

    /// Joined journals found in QA: the first cut off mid-line by a crash swallowed the second's
    /// header (both sessions merged, line by line), and a later session first interleaved the
    /// two (a negative shift was clamped to 0). The header is read; sessions never interleave.
    @Test func joinedJournalsStayApartAfterATornLineOrOutOfOrder() throws {
        let first = try Self.journalText(lines: 2)
        var later = FixtureReplay.header
        later.startTime = FixtureReplay.header.startTime.addingTimeInterval(3600)
        func session(_ h: JournalHeader, _ word: String) -> String {
            JournalCodec.encode(h) + "\n" + JournalCodec.encode(CommittedSegment(
                lineID: 0, channel: 0, speaker: nil, start: 1, end: 1.5, confidence: 0.9,
                words: [CaptionWord(word: word, start: 1, end: 1.5, confidence: 0.9)], speechFinal: true), sessionStartUnixMs: 0) + "\n"
        }
        // Torn: the first journal's last line cut 20 bytes short, no newline.
        let torn = String(first.dropLast(21))
        let c = try JournalReader.parse(Data((torn + session(later, "later")).utf8), path: "j")
        #expect(c.lines.map(\.text) == ["w0", "later"], "\(c.lines.map(\.text))")
        #expect(c.lines.last?.words.first?.start == 3601)
        #expect(c.issues.map(\.lineNumber) == [3] && c.notes.map(\.lineNumber) == [3], "\(c.issues) \(c.notes)")
        #expect(c.issues.first?.reason.hasPrefix("cut off (a crash mid-write?), with the next journal's header joined to it") == true, "\(c.issues)")
        // Out of order: the later session first, then the earlier one: placed after it.
        let o = try JournalReader.parse(Data((session(later, "later") + first).utf8), path: "j")
        #expect(o.lines.map(\.text) == ["later", "w0", "w1"], "\(o.lines.map(\.text))")
        let starts = o.lines.compactMap { $0.words.first?.start }
        #expect(starts == starts.sorted() && starts[1] > 1.5, "\(starts)")
        #expect(o.notes.first?.reason.contains("began 01:00:00 before the first's start") == true, "\(o.notes)")
        // A joined session's entities and search hits move with its lines (they stayed at the
        // first session's times, and one like the first's was dropped as its repeat).
        var j = session(later, "bob")
        j += #"{"type":"entity","channel":0,"label":"NAME","value":"Bob","start":1,"end":1.5,"word_count":1}"# + "\n"
        j += #"{"type":"search","channel":0,"query":"bob","hits":[{"confidence":0.9,"start":1,"end":1.5}]}"# + "\n"
        let e = try JournalReader.parse(Data((first + j).utf8), path: "j")
        #expect(e.entities.byChannel[0]?.map(\.start) == [3601], "\(e.entities)")
        #expect(e.search.byChannel[0]?.first?.hits.first?.start == 3601, "\(e.search)")
    }

    /// A gap or an entity at a time no session has crashed every export (1e16 s does not fit
    /// the milliseconds of a cue); a header version below 1 or a start outside 1970–9999 was
    /// taken as given.
    @Test func gapsEntitiesAndHeadersOutOfRangeAreCorruptLines() throws {
        var text = try Self.journalText(lines: 1)
        text += #"{"type":"gap","start":1e16,"duration":1,"reason":"the engine was disconnected"}"# + "\n"
        text += #"{"type":"gap","start":5,"duration":1e19,"reason":"x"}"# + "\n"
        text += #"{"type":"entity","channel":0,"label":"X","value":"v","raw_value":"v","confidence":1,"start":-1e300,"end":1,"word_count":1}"# + "\n"
        text += #"{"type":"gap","start":5,"duration":2,"reason":"kept"}"# + "\n"
        let c = try JournalReader.parse(Data(text.utf8), path: "j")
        #expect(c.issues.map(\.lineNumber) == [3, 4, 5], "\(c.issues)")
        #expect(c.issues.first?.reason.hasPrefix("a gap time of 1e+16 s is outside the session") == true, "\(c.issues)")
        #expect(c.gaps.map(\.duration) == [2])
        // Search hits, line ids and entity spans past anything a session has: corrupt lines,
        // never a crash (each trapped in QA: 1e16 s hits, line Int.max joined on, an entity of
        // Int.max words in the JSON export).
        var more = try Self.journalText(lines: 1)
        more += #"{"type":"search","channel":0,"query":"q","hits":[{"confidence":1,"start":1e16}]}"# + "\n"
        more += #"{"type":"final","line":9223372036854775807,"channel":0,"start":0,"end":1,"words":[{"word":"a","start":0,"end":1}]}"# + "\n"
        more += #"{"type":"entity","channel":0,"label":"N","value":"x","start":0,"end":0.5,"word_count":9223372036854775807}"# + "\n"
        more += #"{"type":"gap","start":3,"duration":1,"reason":"x\n\n99\n00:00:09,000 --> 00:00:10,000\u202e"}"# + "\n"
        let m = try JournalReader.parse(Data(more.utf8), path: "j")
        #expect(m.issues.map(\.lineNumber) == [3, 4, 5], "\(m.issues)")
        #expect(m.issues.map(\.reason).joined().contains("a search hit time of 1e+16 s"), "\(m.issues)")
        #expect(m.issues.map(\.reason).joined().contains("line id 9223372036854775807 is outside"), "\(m.issues)")
        // A gap's reason is one line without controls (blank lines in it broke the SRT).
        #expect(m.gaps.first?.reason == "x 99 00:00:09,000 --> 00:00:10,000\u{FFFD}", "\(m.gaps)")
        // A second header of a newer format is not read as this one.
        let newer = try Self.journalText(lines: 1) + (try Self.journalText(lines: 1)).replacingOccurrences(of: "\"version\":1", with: "\"version\":7")
        #expect(try JournalReader.parse(Data(newer.utf8), path: "j").issues.first?.reason.contains("newer than this captty reads") == true)
        for (field, value, says) in [("\"version\":1", "\"version\":0", "header version 0"),
                                     ("\"start_unix_ms\":", "\"start_unix_ms\":-", "is not a date between 1970 and 9999")] {
            let bad = try Self.journalText(lines: 1).replacingOccurrences(of: field, with: value)
            #expect(throws: JournalError.self) { try JournalReader.parse(Data(bad.utf8), path: "j") }
            do { _ = try JournalReader.parse(Data(bad.utf8), path: "j") } catch { #expect("\(error)".contains(says), "\(error)") }
        }
    }

    /// Times no session has (negative, 1e300 s) put a line first or at hour 1281023894007 of
    /// every export, without a word; a whole number written as 1.5 was "not valid JSON".
    @Test func impossibleTimesAndWrongNumbersAreCorruptLinesThatSayWhy() throws {
        var lines = try Self.journalText(lines: 5).split(separator: "\n").map(String.init)
        lines[2] = lines[2].replacingOccurrences(of: "\"start\":1,", with: "\"start\":-1000,")
        lines[3] = lines[3].replacingOccurrences(of: "\"end\":2.5,", with: "\"end\":1e300,")
        lines[4] = lines[4].replacingOccurrences(of: "\"line\":3", with: "\"line\":1.5")
        let c = try JournalReader.parse(Data((lines.joined(separator: "\n") + "\n").utf8), path: "j")
        #expect(c.issues.map(\.lineNumber) == [3, 4, 5], "\(c.issues) \(lines)")
        #expect(c.issues[0].reason.hasPrefix("a time of -1000.0 s is outside the session"), "\(c.issues)")
        #expect(c.issues[1].reason.hasPrefix("a time of 1e+300 s is outside the session"), "\(c.issues)")
        #expect(c.issues[2].reason.hasPrefix("malformed record: a value of the wrong type or out of range"), "\(c.issues)")
        #expect(c.issues[2].reason.contains("between 00:00:00 and 00:00:04"), "\(c.issues)")
        #expect(c.lines.map(\.text) == ["w0", "w4"])
    }

    @Test func unknownRecordTypesAreSkipped() throws {
        let text = try Self.journalText(lines: 1) + "{\"type\":\"bookmark\",\"at\":3}\n"
        let c = try JournalReader.parse(Data(text.utf8), path: "j")
        #expect(c.issues.isEmpty && c.lines.count == 1)
    }

    /// A recording given to `export` by mistake is refused from its first bytes, not after
    /// reading it whole (a 211 MB WAV took 445 MB and 7 s to be refused).
    @Test func aLargeFileThatIsNoJournalIsRefusedFromItsFirstLine() throws {
        let tmp = try TempDirectory("journal-big"); defer { tmp.remove() }
        let wav = tmp.file("talk.wav")
        try Data("RIFF\u{0}\u{0}\u{0}\u{0}WAVEfmt ".utf8).write(to: wav)
        let h = try FileHandle(forWritingTo: wav)
        try h.truncate(atOffset: 2 << 30)   // 2 GiB, sparse: reading it whole would take as much memory
        try h.close()
        #expect(JournalReader.firstLineNotAnObject(wav.path) == 1)
        #expect(throws: JournalError.notAJournal(path: wav.path, reason: "line 1: not a JSON object")) { try JournalReader.read(wav) }
        try Data("\u{FEFF}\n  \n{\"type\":\"header\"}\n".utf8).write(to: tmp.file("bom.jsonl"))
        #expect(JournalReader.firstLineNotAnObject(tmp.file("bom.jsonl").path) == nil, "a BOM and blank lines may come first")
        try Data("\n\nhello\n".utf8).write(to: tmp.file("third.txt"))
        #expect(JournalReader.firstLineNotAnObject(tmp.file("third.txt").path) == 3)
    }

    @Test func notAJournalAndMissingFilesAreClearErrors() throws {
        let tmp = try TempDirectory("journal-errors"); defer { tmp.remove() }
        #expect(throws: JournalError.notFound(path: tmp.file("nope.jsonl").path)) { try JournalReader.read(tmp.file("nope.jsonl")) }
        try Data("hello world\n".utf8).write(to: tmp.file("notes.txt"))
        do {
            _ = try JournalReader.read(tmp.file("notes.txt"))
            Issue.record("read a text file as a journal")
        } catch {
            guard case .notAJournal(let p, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(p.hasSuffix("notes.txt"))
            #expect(error.description.contains("is not a captty journal"))
        }
        try Data().write(to: tmp.file("empty.jsonl"))
        #expect(throws: JournalError.notAJournal(path: tmp.file("empty.jsonl").path, reason: "the file is empty")) {
            try JournalReader.read(tmp.file("empty.jsonl"))
        }
        try Data("{\"type\":\"Results\",\"is_final\":true}\n".utf8).write(to: tmp.file("dg.json"))
        #expect(throws: JournalError.self) { try JournalReader.read(tmp.file("dg.json")) }
        #expect(throws: JournalError.self) { try JournalReader.read(tmp.url) }
    }

    @Test func aNewerFormatVersionAsksForAnUpdate() throws {
        var h = FixtureReplay.header
        h.formatVersion = 99
        #expect(throws: JournalError.unsupportedVersion(path: "j", version: 99)) {
            try JournalReader.parse(Data((JournalCodec.encode(h) + "\n").utf8), path: "j")
        }
    }

    @Test func defaultLocationFollowsXDG() {
        let h = FixtureReplay.header
        #expect(JournalLocation.defaultURL(for: h, environment: ["XDG_DATA_HOME": "/data", "HOME": "/home/u"]).path
                == "/data/captty/sessions/2026-01-02T03-04-05.678Z.jsonl")
        #expect(JournalLocation.defaultURL(for: h, environment: ["HOME": "/home/u"]).path
                == "/home/u/.local/share/captty/sessions/2026-01-02T03-04-05.678Z.jsonl")
        // A relative XDG_DATA_HOME is invalid per the spec and ignored.
        #expect(JournalLocation.defaultURL(for: h, environment: ["XDG_DATA_HOME": "rel", "HOME": "/home/u"]).path
                .hasPrefix("/home/u/.local/share/"))
    }

    @Test func anExistingFileIsNeverOverwritten() async throws {
        let tmp = try TempDirectory("journal-exists"); defer { tmp.remove() }
        let url = tmp.file("taken.jsonl")
        try Data("precious\n".utf8).write(to: url)
        let writer = await JournalWriter(url: url, header: FixtureReplay.header)
        guard case .failing(_, let message, let retrying) = await writer.state else { Issue.record("no failure"); return }
        #expect(!retrying)
        #expect(message.contains("File exists"))
        #expect(try String(contentsOf: url, encoding: .utf8) == "precious\n")
        await writer.close()
    }

    @Test func anUnwritablePathIsReportedAndRetriedUntilItWorks() async throws {
        let tmp = try TempDirectory("journal-unwritable"); defer { tmp.remove() }
        // A regular file where the directory should be: creating the journal fails (ENOTDIR)…
        let blocker = tmp.file("sessions")
        try Data("x".utf8).write(to: blocker)
        let url = blocker.appendingPathComponent("s.jsonl")
        let writer = await JournalWriter(url: url, header: FixtureReplay.header, retryInterval: .milliseconds(50))
        let (_, segs) = try Self.sessionStore()
        await writer.append(segs)
        guard case .failing(_, let message, true) = await writer.state else { Issue.record("no failure"); return }
        #expect(message.contains(blocker.path))
        #expect(await writer.pendingLineCount == segs.count + 1)
        // …until the way is clear: then every line is written.
        try FileManager.default.removeItem(at: blocker)
        #expect(await eventually { await writer.state == .saved(path: url.path) })
        await writer.close()
        #expect(try JournalReader.read(url).segments == segs)
    }

    @Test func appendedLinesReachTheFileAtOnceAndAreFsyncedByTheTimer() async throws {
        let tmp = try TempDirectory("journal-sync"); defer { tmp.remove() }
        let url = tmp.file("s.jsonl")
        let writer = await JournalWriter(url: url, header: FixtureReplay.header, syncInterval: .milliseconds(200))
        let (_, segs) = try Self.sessionStore()
        let before = await writer.syncCount
        await writer.append(Array(segs.prefix(2)))
        await writer.append(Array(segs.dropFirst(2).prefix(1)))
        // write() happened on append: another reader sees the lines without any flush.
        #expect(try JournalReader.read(url).segments.count == 3)
        // No flush is called: the timer fsyncs the pending lines by itself.
        #expect(await eventually(timeout: 10) { await writer.syncCount > before })
        await writer.close()
    }
}

/// Session restore: a journal is continued after a crash, and the store carries on from it.
@Suite struct JournalResumeTests {
    @Test func aCrashedJournalIsContinuedWithoutItsTornLine() async throws {
        let tmp = try TempDirectory("journal-resume"); defer { tmp.remove() }
        let url = tmp.file("s.jsonl")
        let (store, segs) = try JournalTests.sessionStore()
        let half = segs.count / 2
        let w1 = await JournalWriter(url: url, header: FixtureReplay.header)
        await w1.append(Array(segs.prefix(half)))
        await w1.close()
        // A crash mid-line.
        let fh = try FileHandle(forWritingTo: url)
        fh.seekToEndOfFile()
        fh.write(Data("{\"type\":\"final\",\"line\":99,\"wor".utf8))
        try fh.close()
        // Restore: read, rebuild the store, continue the same file.
        let restoredContents = try JournalReader.read(url)
        #expect(restoredContents.tornLastLine)
        var restored = TranscriptStore(restoring: restoredContents.lines)
        var other = FixtureReplay.header
        other.engine = "ignored-on-resume"
        let w2 = await JournalWriter(url: url, header: other, resume: true)
        // The engine replays what it had; the store drops what the journal already holds.
        let f = try FixtureReplay("bueller-url-3")
        for e in FixtureReplay.events(for: f.withSyntheticSpeakers()) { await w2.append(restored.apply(e)) }
        #expect(await w2.close() == .closed(path: url.path))
        let back = try JournalReader.read(url)
        #expect(!back.tornLastLine && back.issues.isEmpty)
        #expect(back.header.engine == "deepgram")
        #expect(back.lines.flatMap(\.words).map(\.text) == store.lines.flatMap(\.words).map(\.text))
    }

    @Test func resumingSomethingElseIsRefused() async throws {
        let tmp = try TempDirectory("journal-resume-foreign"); defer { tmp.remove() }
        let url = tmp.file("notes.txt")
        try Data("my notes\n".utf8).write(to: url)
        let w = await JournalWriter(url: url, header: FixtureReplay.header, resume: true)
        guard case .failing(_, let m, false) = await w.state else { Issue.record("not refused"); return }
        #expect(m.contains("not a captty journal"))
        await w.close()
        #expect(try String(contentsOf: url, encoding: .utf8) == "my notes\n")
    }
}
