import Audio
import Deepgram
import Foundation
import LocalSpeech
import SpeechEngines
import Testing
import TestSupport
import Transcript
@testable import CapttyCore

/// An option change the engine refuses (HTTP 400 on the new connection) goes back to the
/// last accepted options and re-sends the audio the refused connection never took.
@Suite(.serialized) struct SessionRefusedChangeTests {
    /// Real speech over Deepgram's wire protocol to the Deepgram-compatible server backed by
    /// the offline engine (in process, loopback), which refuses `language=es` with HTTP 400.
    @Test func refusedLanguageFallsBackWithoutLosingAudio() async throws {
        // (CI once ran this beside other work: with the default finish timeout the text of a run
        // was cut at the restart or the finish; InProcessServe waits longer.)
        let serve = try InProcessServe()
        defer { serve.stop() }
        let engine = CountingEngine(DeepgramEngine(credential: .apiKey("any"), configuration: serve.clientConfiguration))
        let source = try await FileAudioSource(path: TestAudio.preamble)
        let session = Session(source: source, engine: engine, options: .captionDefaults)
        try await within(.seconds(120), "captioning through the local server") {
            await session.start()
            #expect(await SessionRestartTests.eventually { await session.audioCounts.produced >= 6 * 32_000 })
            #expect(await session.apply(.cycleLanguage, languages: ["en", "es"], models: []))
            #expect(await SessionRestartTests.eventually { session.view.notice != nil })
            await session.waitUntilIdle()
            await session.finish()
        }
        let counts = await session.audioCounts
        let view = session.view
        #expect(view.notice?.contains("refused") == true)
        #expect(view.options.language == "en")
        #expect(view.runsStarted == 3)           // en, es (refused), en again
        #expect(counts.perRun[1] == 0)           // nothing stayed with the refused run…
        #expect(counts.sent == counts.produced)  // …everything reached an accepted run
        #expect(engine.bytesPerRun[0] + engine.bytesPerRun[2] == counts.produced)
        let text = view.store.committedText.lowercased()
        #expect(text.hasPrefix("we, the people") || text.hasPrefix("we the people"), "\(text)")
        #expect(text.contains("posterity"))
        #expect(text.contains("america"))
        let words = view.store.lines.flatMap(\.words)
        #expect(zip(words, words.dropFirst()).allSatisfy { $0.start <= $1.start + 1e-6 })
        if case .error = view.connection { Issue.record("ended in error: \(view.connection)") }
    }

    /// Two changes in quick succession, the second refused: only the refused one is undone.
    /// Going back to the last options the engine had accepted also undid the first (numerals
    /// on, then language es: numerals went off again without a word), and the notice named
    /// Deepgram's model ("back to nova-3") for the offline engine.
    @Test func onlyTheRefusedChangeIsUndone() async throws {
        let serve = try InProcessServe()
        defer { serve.stop() }
        let engine = CountingEngine(DeepgramEngine(credential: .apiKey("any"), configuration: serve.clientConfiguration))
        let source = try await FileAudioSource(path: TestAudio.preamble)
        let session = Session(source: source, engine: engine, options: .captionDefaults)
        let before = session.view.options
        let modelShown: String = try await within(.seconds(120), "two changes, the second refused") {
            await session.start()
            #expect(await SessionRestartTests.eventually { await session.audioCounts.produced >= 4 * 32_000 })
            let shown = session.view.modelName
            // The second change comes before the first one's connection is confirmed.
            #expect(await session.apply(.toggleNumerals, languages: ["en", "es"], models: []))
            #expect(await session.apply(.cycleLanguage, languages: ["en", "es"], models: []))
            #expect(await SessionRestartTests.eventually { session.view.notice != nil })
            await session.waitUntilIdle()
            await session.finish()
            return shown
        }
        let view = session.view
        #expect(view.options.language == before.language)
        #expect(view.options.numerals == !(before.numerals ?? false), "the numerals toggle was undone too")
        #expect(view.notice?.hasSuffix("back to language \(before.language?.rawValue ?? "").") == true, "\(view.notice ?? "")")
        #expect(view.notice?.contains("nova") != true, "\(view.notice ?? "")")
        #expect(view.modelName == modelShown, "\(view.modelName) after \(modelShown)")
        let counts = await session.audioCounts
        #expect(counts.sent == counts.produced)
        #expect(view.store.committedText.lowercased().contains("america"))
        if case .error = view.connection { Issue.record("ended in error: \(view.connection)") }
    }
}
