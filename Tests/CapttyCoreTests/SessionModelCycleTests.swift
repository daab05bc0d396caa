import Audio
import Deepgram
import Foundation
import SpeechEngines
import Testing
import TestSupport
@testable import CapttyCore

/// The `m` key on a session with key terms: nova-3 takes `keyterm`, nova-2 only `keywords`
/// (Deepgram refuses keywords on nova-3; keyterm is nova-3 only). Cycling to nova-2 sent the
/// nova-3 key terms along, so the new connection did not get the user's vocabulary in a form
/// it takes. Checked on the wire: the query string of each connection the test double got.
@Suite(.serialized) struct SessionModelCycleTests {
    @Test func cyclingTheModelSendsTheVocabularyInTheFormEachModelTakes() async throws {
        let dir = try scratchDirectory("model-cycle")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 8, in: dir)
        try await withDeepgramDouble { double in
            var config = LiveClientConfiguration(environment: [:])
            config.baseURL = double.baseURL
            let engine = DeepgramEngine(credential: .apiKey("test-key"), configuration: config)
            var options = LiveOptions.captionDefaults
            options.keyterm = ["captty app", "Moonshine"]
            let session = Session(source: try await FileAudioSource(path: wav), engine: engine, options: options)
            try await within(.seconds(60), "captioning 8 s of audio, the model changed twice") {
                await session.start()
                #expect(await SessionRestartTests.eventually { await session.audioCounts.produced >= 2 * 32_000 })
                #expect(await session.apply(.cycleModel, languages: [], models: ["nova-3", "nova-2"]))
                #expect(await SessionRestartTests.eventually { await session.audioCounts.produced >= 5 * 32_000 })
                #expect(await session.apply(.cycleModel, languages: [], models: ["nova-3", "nova-2"]))
                await session.waitUntilIdle()
                await session.finish()
            }
            let queries = try double.stats().connections.map { Self.items($0.query) }
            try #require(queries.count == 3, "\(queries)")
            #expect(queries[0]["model"] == ["nova-3"])
            #expect(queries[0]["keyterm"] == ["captty app", "Moonshine"])
            #expect(queries[0]["keywords"] == nil)
            #expect(queries[1]["model"] == ["nova-2"])
            #expect(queries[1]["keyterm"] == nil)
            #expect(queries[1]["keywords"] == ["captty", "app", "Moonshine"])
            #expect(queries[2]["model"] == ["nova-3"])
            #expect(queries[2]["keyterm"] == ["captty app", "Moonshine"])
            #expect(queries[2]["keywords"] == nil)
            #expect(session.view.options.keyterm == ["captty app", "Moonshine"])
        }
    }

    /// The values of each key of a request path's query string, decoded, in order.
    static func items(_ path: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        guard let q = path.split(separator: "?", maxSplits: 1).dropFirst().first else { return out }
        for pair in q.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            out[kv[0], default: []].append(kv.count > 1 ? kv[1] : "")
        }
        return out
    }
}
