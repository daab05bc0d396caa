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
