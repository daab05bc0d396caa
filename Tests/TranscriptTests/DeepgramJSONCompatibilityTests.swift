import Foundation
import TestSupport
import Testing
import Transcript
import Deepgram

/// The JSON export is a valid Deepgram response for the official Deepgram Python SDK
/// (`deepgram.types.ListenV1Response`, run as a real peer from the test venv).
@Suite struct DeepgramJSONCompatibilityTests {
    struct Summary: Decodable {
        var channels: Int
        var transcript: String
        var words: [String]
        var speakers: [Int?]
        var utterances: [String]
        var duration: Double
        struct Search: Decodable, Equatable { var query: String; var hits: [[JSONScalar]] }
        var search: [Search]
        /// label, value, raw_value, start_word, end_word, the words they index.
        var entities: [[JSONScalar]]
        var request_id: String
        var extra: [String: String]?
    }

    /// A number, a string or null from the peer's summary.
    enum JSONScalar: Decodable, Equatable {
        case number(Double), text(String), null
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null } else if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .text(try c.decode(String.self)) }
        }
    }

    static func sdkRead(_ json: String) throws -> (status: Int32, summary: Summary?, stderr: String) {
        let tmp = try TempDirectory("dgjson"); defer { tmp.remove() }
        let file = tmp.file("export.json")
        try Data(json.utf8).write(to: file)
        let r = try PythonPeer.run("transcript_read_deepgram_json.py", [file.path])
        return (r.status, try? JSONDecoder().decode(Summary.self, from: r.stdout), r.stderr)
    }

    static var sdkAvailable: Bool { PythonPeer.canImport("deepgram.types") }

    /// Lines on absurd channels (a misbehaving server) neither trap nor size `results.channels`
    /// by the channel number; they are still listed as utterances.
    @Test func absurdChannelNumbersKeepTheExportSmall() throws {
        let word = CaptionWord(word: "hi", start: 0, end: 0.5, confidence: 0.9)
        let lines = [CaptionLine(id: 0, channel: 1, words: [word]), CaptionLine(id: 1, channel: Int.max, words: [word]),
                     CaptionLine(id: 2, channel: 50_000_000, words: [word]), CaptionLine(id: 3, channel: -1, words: [word])]
        let json = DeepgramJSONExporter.render(lines)
        #expect(json.utf8.count < 10_000, "\(json.utf8.count) bytes")
        let obj = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let results = obj?["results"] as? [String: Any]
        #expect((results?["channels"] as? [Any])?.count == 2)
        // All start together: listed in channel order, as every export lists them.
        #expect((results?["utterances"] as? [[String: Any]])?.compactMap { $0["channel"] as? Int } == [-1, 1, 50_000_000, Int.max])
    }

    @Test(.enabled(if: sdkAvailable, "needs the deepgram-sdk venv (scripts/setup; ln -s /work/main/.venv .venv)"),
          arguments: ["preamble-rest-2", "bueller-url-3"])
    func theDeepgramSDKReadsTheExport(fixture: String) throws {
        let f = try FixtureReplay(fixture)
        let store = FixtureReplay.store(FixtureReplay.events(for: f.withSyntheticSpeakers(), reconnectEvery: 2))
        let json = Exporter.render(store.lines, format: .json, header: FixtureReplay.header, metadata: f.metadata)
        let r = try Self.sdkRead(json)
        #expect(r.status == 0, "\(r.stderr)")
        guard let s = r.summary else { Issue.record("no summary: \(r.stderr)"); return }
        #expect(s.channels == 1)
        #expect(s.words == f.words.map(\.display))
        #expect(s.transcript == f.words.map(\.display).joined(separator: " "))
        #expect(s.speakers == f.withSyntheticSpeakers().map(\.speaker))
        #expect(s.utterances == store.lines.map(\.text))
        #expect(s.duration > 15)
    }

    /// The session's `--extra KEY:VALUE` pairs are in the export's `metadata.extra`, as in a
    /// Deepgram response (from the server's Metadata when it sent them, else from the options).
    @Test(.enabled(if: sdkAvailable, "needs the deepgram-sdk venv"))
    func extraPairsReachTheExportsMetadata() throws {
        let f = try FixtureReplay("preamble-rest-2")
        let store = FixtureReplay.store(FixtureReplay.events(for: f.words))
        var options = LiveOptions()
        options.extra = [KeyValue("team", "notes"), KeyValue("room", "4:12")]
        let header = JournalHeader(engine: "deepgram", options: options, capttyVersion: "test")
        let fromOptions = try Self.sdkRead(Exporter.render(store.lines, format: .json, header: header, metadata: f.metadata))
        #expect(fromOptions.summary?.extra == ["team": "notes", "room": "4:12"], "\(fromOptions.stderr)")
        var said = f.metadata
        said.extra = ["team": "server"]
        let fromServer = try Self.sdkRead(Exporter.render(store.lines, format: .json, header: header, metadata: said))
        #expect(fromServer.summary?.extra == ["team": "server"], "\(fromServer.stderr)")
        let none = try Self.sdkRead(Exporter.render(store.lines, format: .json, header: FixtureReplay.header, metadata: f.metadata))
        #expect(none.status == 0 && none.summary?.extra == nil, "\(none.stderr)")
    }

    /// `--search` hits reach the export as Deepgram lists them (`results.channels[].search`),
    /// each hit once though a reconnect's replay repeats it; they were dropped.
    @Test(.enabled(if: sdkAvailable, "needs the deepgram-sdk venv"))
    func searchHitsAreExportedOnce() throws {
        func final(_ start: Double, _ words: [String], hits: [SearchHits.Hit]) -> LiveEvent {
            let ws = words.enumerated().map { i, w in
                Word(word: w, start: start + Double(i) * 0.4, end: start + Double(i) * 0.4 + 0.3, confidence: 0.9)
            }
            return .results(Results(channelIndex: [0, 1], start: start, duration: Double(words.count) * 0.4, isFinal: true,
                                    speechFinal: true,
                                    channel: Channel(alternatives: [Alternative(transcript: words.joined(separator: " "), confidence: 0.9, words: ws)],
                                                     search: [SearchHits(query: "budget", hits: hits)])))
        }
        let first = SearchHits.Hit(confidence: 0.92, start: 0.4, end: 0.7, snippet: "the budget")
        let second = SearchHits.Hit(confidence: 0.81, start: 3.2, end: 3.5, snippet: "budget cuts")
        var store = TranscriptStore()
        var journaled: [ChannelSearchHits] = []
        for e in [final(0, ["the", "budget", "is"], hits: [first]), .open(requestID: "again"),
                  final(0, ["the", "budget", "is"], hits: [first]),     // replayed after a reconnect
                  final(2.8, ["budget", "cuts"], hits: [second])] {
            journaled += store.apply(e).searchHits
        }
        #expect(journaled.map(\.hits.hits) == [[first], [second]], "each hit journaled once")
        // Through the journal's lines and back.
        var reread = SearchResults()
        for h in journaled {
            guard case .search(let back) = try JournalCodec.decode(JournalCodec.encode(h)[...]) else { Issue.record("not a search record"); return }
            reread.add(back.hits, channel: back.channel)
        }
        #expect(reread == store.search)
        let json = Exporter.render(store.lines, format: .json, header: FixtureReplay.header, search: reread)
        let r = try Self.sdkRead(json)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.summary?.search == [.init(query: "budget", hits: [[.number(0.4), .number(0.7), .text("the budget")],
                                                                    [.number(3.2), .number(3.5), .text("budget cuts")]])],
                "\(String(describing: r.summary?.search))")
    }

    /// Entities (`detect_entities`) reach the export where a pre-recorded response has them
    /// (`channels[].alternatives[].entities`, indices into that alternative's words), each once
    /// though a reconnect's replay repeats it; the live API sends them beside `channel`, with
    /// indices into one result's words. They were dropped.
    @Test(.enabled(if: sdkAvailable, "needs the deepgram-sdk venv"))
    func entitiesAreExportedOnceWithTheirWords() throws {
        func final(_ start: Double, _ words: [String], _ entities: [Entity]) -> LiveEvent {
            let ws = words.enumerated().map { i, w in
                Word(word: w, start: start + Double(i) * 0.4, end: start + Double(i) * 0.4 + 0.3, confidence: 0.9)
            }
            return .results(Results(channelIndex: [0, 1], start: start, duration: Double(words.count) * 0.4, isFinal: true,
                                    speechFinal: true,
                                    channel: Channel(alternatives: [Alternative(transcript: words.joined(separator: " "), confidence: 0.9, words: ws)]),
                                    entities: entities))
        }
        let name = Entity(label: "NAME", value: "John Smith", rawValue: "john smith", confidence: 0.93, startWord: 1, endWord: 3)
        let phone = Entity(label: "PHONE_NUMBER", value: "555-0100", rawValue: "five five five o one hundred", confidence: 0.8,
                           startWord: 2, endWord: 4)
        var store = TranscriptStore()
        var journaled: [TimedEntity] = []
        for e in [final(0, ["call", "john", "smith", "today"], [name]), .open(requestID: "again"),
                  final(0, ["call", "john", "smith", "today"], [name]),     // replayed after a reconnect
                  final(2, ["at", "number", "five", "five", "five"], [phone, Entity(label: "X", value: "bad", startWord: 4, endWord: 9)])] {
            journaled += store.apply(e).entities
        }
        #expect(journaled.map(\.label) == ["NAME", "PHONE_NUMBER"], "each entity once; indices beyond the words skipped")
        #expect(journaled.first?.start == 0.4 && journaled.first?.end == 1.1)
        // Through the journal's lines and back.
        var reread = EntityResults()
        for e in journaled {
            guard case .entity(let back) = try JournalCodec.decode(JournalCodec.encode(e)[...]) else { Issue.record("not an entity record"); return }
            reread.add(back)
        }
        #expect(reread == store.entities)
        let json = Exporter.render(store.lines, format: .json, header: FixtureReplay.header, entities: reread)
        let r = try Self.sdkRead(json)
        #expect(r.status == 0, "\(r.stderr)")
        // Channel words: call john smith today at number five five five → 1..<3 (john smith), 6..<8 (five five).
        #expect(r.summary?.entities == [
            [.text("NAME"), .text("John Smith"), .text("john smith"), .number(1), .number(3), .text("john smith")],
            [.text("PHONE_NUMBER"), .text("555-0100"), .text("five five five o one hundred"), .number(6), .number(8), .text("five five")],
        ], "\(String(describing: r.summary?.entities))")
    }

    @Test(.enabled(if: sdkAvailable, "needs the deepgram-sdk venv"))
    func theSDKRejectsABrokenExport() throws {
        // The peer really validates: a response without metadata fields is refused.
        let r = try Self.sdkRead("{\"metadata\":{},\"results\":{\"channels\":[]}}")
        #expect(r.status == 1)
        #expect(r.stderr.contains("not a Deepgram response"))
    }
}
