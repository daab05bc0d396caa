import Deepgram
import Foundation
import Testing
import Transcript

/// Real Deepgram transcripts replayed as live streams, exported in every format and compared
/// with golden files (inspected by eye; regenerate with CAPTTY_UPDATE_GOLDEN=1).
@Suite struct GoldenExportTests {
    static let fixtures = ["preamble-rest-4", "preamble-rest-2", "bueller-url-3"]

    @Test(arguments: fixtures)
    func everyFormatMatchesGolden(fixture: String) throws {
        let f = try FixtureReplay(fixture)
        var events = FixtureReplay.events(for: f.words)
        events.append(.metadata(f.metadata))
        let store = FixtureReplay.store(events)
        #expect(store.wordCount == f.words.count)
        for format in ExportFormat.allCases {
            let out = Exporter.render(store.lines, format: format, header: FixtureReplay.header, metadata: store.metadata)
            try GoldenFile.check(out, "\(fixture).\(format.fileExtension)")
        }
    }

    @Test func diarizedTranscriptMatchesGolden() throws {
        // SYNTHETIC speakers (alternating per sentence): the fixtures carry no diarization.
        let f = try FixtureReplay("bueller-url-3")
        let store = FixtureReplay.store(FixtureReplay.events(for: f.withSyntheticSpeakers()))
        #expect(Set(store.lines.compactMap(\.speaker)) == [0, 1])
        for format in ExportFormat.allCases {
            let out = Exporter.render(store.lines, format: format, header: FixtureReplay.header)
            try GoldenFile.check(out, "bueller-url-3.synthetic-speakers.\(format.fileExtension)")
        }
    }

    @Test(arguments: fixtures)
    func replayAfterReconnectsExportsTheSame(fixture: String) throws {
        let f = try FixtureReplay(fixture)
        let clean = FixtureReplay.store(FixtureReplay.events(for: f.words))
        let replayed = FixtureReplay.store(FixtureReplay.events(for: f.words, reconnectEvery: 2))
        #expect(replayed.wordCount == f.words.count)
        for format in ExportFormat.allCases {
            #expect(Exporter.render(replayed.lines, format: format) == Exporter.render(clean.lines, format: format),
                    "\(format) differs after replay")
        }
    }

    @Test(arguments: fixtures)
    func committedTextIsTheResponseTranscript(fixture: String) throws {
        let f = try FixtureReplay(fixture)
        let store = FixtureReplay.store(FixtureReplay.events(for: f.words, reconnectEvery: 3))
        let expected = f.words.map(\.display).joined(separator: " ")
        #expect(store.lines.map(\.text).joined(separator: " ") == expected)
    }
}
