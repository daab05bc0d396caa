import Foundation
import Testing
import TestSupport
import Transcript
import Deepgram

/// The journal keeps each connection's Metadata, so `captty export --format json` names the
/// request id (what Deepgram support asks for), the models and the audio's SHA-256 as
/// `captty transcribe --format json` does; the export had them empty. Against the Deepgram
/// TEST DOUBLE.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct JournalMetadataTests {
    @Test func exportedJSONCarriesTheServersMetadata() async throws {
        try await withDeepgramDouble { double in
            let dir = try scratchDirectory("journal-metadata")
            defer { try? FileManager.default.removeItem(at: dir) }
            let journal = dir.appendingPathComponent("j.jsonl")
            let wav = TestPaths.packageRoot.appendingPathComponent("Assets/demo-preamble.wav").path
            let live = try runCaptty(["--plain", "--file", wav, "--speed", "0", "--engine", "deepgram", "--url", double.baseURL,
                                      "--journal", journal.path], environment: ["DEEPGRAM_API_KEY": "test-key"])
            #expect(live.status == 0, "\(live.stderr)")
            let requestID = try #require(try double.stats().connections.last?.request_id)

            let contents = try JournalReader.read(journal)
            #expect(contents.issues.isEmpty && !contents.segments.isEmpty)
            #expect(contents.metadata.map(\.requestID) == [requestID])

            let out = dir.appendingPathComponent("t.json")
            let export = try runCaptty(["export", journal.path, "--format", "json", "-o", out.path])
            #expect(export.status == 0, "\(export.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
            let meta = try #require(json["metadata"] as? [String: Any])
            #expect(meta["request_id"] as? String == requestID, "\(meta)")
            #expect((meta["sha256"] as? String)?.count == 64, "\(meta)")
            #expect((meta["models"] as? [String])?.isEmpty == false, "\(meta)")
            // The other exports do not change for it.
            let txt = try runCaptty(["export", journal.path, "--format", "txt"])
            #expect(txt.status == 0 && !txt.stdout.contains(requestID))
        }
    }

    @Test func aMetadataRecordRoundTrips() throws {
        let m = Metadata(requestID: "req-7", sha256: String(repeating: "a", count: 64), created: "2026-12-05T07:00:00.000Z",
                         duration: 12.5, channels: 1, models: ["m-1"], modelInfo: ["m-1": ModelInfo(name: "general-nova-3", version: "1", arch: "nova-3")])
        let line = JournalCodec.encode(m)
        #expect(try JournalCodec.decode(line[...]) == .metadata(m))
        #expect(throws: JournalCodec.DecodingFailure.self) { try JournalCodec.decode(#"{"type":"Metadata","duration":"long"}"#[...]) }
    }
}
