import Foundation
import TestSupport
import Testing
import Transcript

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

    @Test(.enabled(if: sdkAvailable, "needs the deepgram-sdk venv"))
    func theSDKRejectsABrokenExport() throws {
        // The peer really validates: a response without metadata fields is refused.
        let r = try Self.sdkRead("{\"metadata\":{},\"results\":{\"channels\":[]}}")
        #expect(r.status == 1)
        #expect(r.stderr.contains("not a Deepgram response"))
    }
}
