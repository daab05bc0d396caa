import Deepgram
import Foundation
import LocalSpeech
import Testing
import TestSupport

/// Moonshine can answer nothing for clear speech, depending on where the audio is cut: this
/// 9.5 s sentence (espeak-ng, cut from a longer recording in QA) came back as an empty final, and
/// `transcribe` said "no speech was recognised". The utterance is tried again framed otherwise.
extension RealEngineTests {
    @Suite struct MoonshineEmptyAnswerTests {
        static let recording = TestPaths.packageRoot.appendingPathComponent("Tests/LocalSpeechTests/Recordings/espeak-inflation.wav")

        @Test(.enabled(if: InstalledModels.moonshine, "Moonshine not installed: run scripts/install-local-engine"))
        func aSentenceMoonshineFirstAnswersWithNothingIsCaptioned() async throws {
            let models = try #require(InstalledModels.found)
            let r = LocalRecognizer(configuration: LocalEngineConfiguration(models: models, mode: .hybrid))
            let events = try await r.transcribe(samples: try WAVReader.read16kMono(Self.recording))
            let text = events.compactMap { if case .results(let r) = $0, r.isFinal { return r.transcript } else { return nil } }
                .joined(separator: " ").lowercased()
            #expect(text.contains("inflation") && text.contains("price"), "\(text)")
        }
    }
}
