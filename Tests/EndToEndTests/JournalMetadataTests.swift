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

    /// A final's entities (`--detect-entities`; the live API lists them beside `channel`)
    /// reach the journal and `captty export --format json` / `captty transcribe --format json`,
    /// indexing the channel's words; they were dropped. The server's first final (a greeting of
    /// the test double) names "John Smith".
    @Test func entitiesReachTheJournalAndTheJSONExports() async throws {
        let final = #"{"type":"Results","channel_index":[0,1],"start":0,"duration":1.2,"is_final":true,"speech_final":true,"#
            + #""channel":{"alternatives":[{"transcript":"call john smith","confidence":0.9,"words":["#
            + #"{"word":"call","start":0.1,"end":0.4,"confidence":0.9},{"word":"john","start":0.4,"end":0.7,"confidence":0.9},"#
            + #"{"word":"smith","start":0.7,"end":1.0,"confidence":0.9}]}]},"#
            + #""entities":[{"label":"NAME","value":"John Smith","raw_value":"john smith","confidence":0.93,"start_word":1,"end_word":3}]}"#
        try await withDeepgramDouble(["--greet", final]) { double in
            let dir = try scratchDirectory("journal-entities")
            defer { try? FileManager.default.removeItem(at: dir) }
            let journal = dir.appendingPathComponent("j.jsonl")
            let wav = TestPaths.packageRoot.appendingPathComponent("Assets/demo-preamble.wav").path
            let env = ["DEEPGRAM_API_KEY": "test-key"]
            let live = try runCaptty(["--plain", "--file", wav, "--speed", "0", "--engine", "deepgram", "--url", double.baseURL,
                                      "--detect-entities", "--journal", journal.path], environment: env)
            #expect(live.status == 0, "\(live.stderr)")
            #expect(try String(contentsOf: journal, encoding: .utf8).contains(#""type":"entity""#))
            let out = dir.appendingPathComponent("t.json")
            let export = try runCaptty(["export", journal.path, "--format", "json", "-o", out.path])
            #expect(export.status == 0, "\(export.stderr)")
            let transcribed = try runCaptty(["transcribe", wav, "--engine", "deepgram", "--url", double.baseURL,
                                             "--detect-entities", "--format", "json"], environment: env)
            #expect(transcribed.status == 0, "\(transcribed.stderr)")
            for json in [try Data(contentsOf: out), Data(transcribed.stdout.utf8)] {
                let obj = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
                let results = try #require(obj["results"] as? [String: Any])
                let alt = try #require(((results["channels"] as? [[String: Any]])?.first?["alternatives"] as? [[String: Any]])?.first)
                let words = try #require(alt["words"] as? [[String: Any]]).compactMap { $0["word"] as? String }
                let entities = try #require(alt["entities"] as? [[String: Any]], "\(alt.keys)")
                try #require(entities.count == 1, "\(entities)")
                let e = entities[0]
                #expect(e["label"] as? String == "NAME" && e["value"] as? String == "John Smith" && e["raw_value"] as? String == "john smith")
                let from = try #require(e["start_word"] as? Int), to = try #require(e["end_word"] as? Int)
                #expect(words[from ..< to] == ["john", "smith"], "\(words.prefix(6)) \(from)..<\(to)")
            }
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
