import Audio
import Deepgram
import Foundation
import LocalSpeech
import Testing
import TestSupport

/// The library's `configure()` against captty serve's server (the offline engine, in process,
/// on loopback): a real peer that cannot change options mid-stream and says so with a
/// `ConfigureFailure`. The client throws it, not fatally, and the stream goes on.
@Suite(.serialized) struct ConfigureAgainstServeTests {
    @Test(.timeLimit(.minutes(2))) func aRefusedConfigureIsThrownAndTheStreamGoesOn() async throws {
        let serve = try InProcessServe()
        defer { serve.stop() }
        let client = LiveClient(credential: .apiKey("any"), configuration: serve.clientConfiguration)
        let audio = try WAVFile(path: TestAudio.preamble).samples(as: .speech16k)
        var finals: [Results] = []
        var refusals: [ConfigureFailure] = []
        let events = client.events
        let collect = Task { () -> ([Results], [ConfigureFailure]) in
            var f: [Results] = [], r: [ConfigureFailure] = []
            for await e in events {
                if case .results(let x) = e, x.isFinal { f.append(x) }
                if case .configureRefused(let x) = e { r.append(x) }
            }
            return (f, r)
        }
        try await within(.seconds(110), "a refused Configure mid-stream") {
            try await client.start(LiveOptions(model: .nova3, encoding: .linear16, sampleRate: 16_000, channels: 1))
            try await client.send(Array(audio.prefix(32_000 * 3)))
            do {
                _ = try await client.configure(keyterms: ["posterity"], waitFor: .seconds(30))
                Issue.record("the offline engine applied a Configure")
            } catch let error as LiveError {
                #expect(!error.isFatal && error.dgError == "CONFIGURE_KEYTERMS_NOT_SUPPORTED", "\(error)")
            }
            try await client.send(Array(audio.dropFirst(32_000 * 3)))
            await client.finish()
        }
        (finals, refusals) = await collect.value
        #expect(refusals.map(\.code) == ["CONFIGURE_KEYTERMS_NOT_SUPPORTED"])
        let text = finals.map(\.best.transcript).joined(separator: " ").lowercased()
        #expect(text.contains("posterity") && text.contains("america"), "the stream did not go on: \(text)")
    }
}
