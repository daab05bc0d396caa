import Deepgram
import Testing
@testable import LocalSpeech

/// The offline engine names, once, the Deepgram options it does not implement (so a user who
/// asked for speaker labels or entities knows why there are none), and only those asked for.
@Suite struct LocalRecognizerOptionsTests {
    @Test func namesEveryIgnoredOptionAskedFor() {
        var o = LiveOptions.captionDefaults
        #expect(LocalRecognizer.ignoredOptions(o).isEmpty)
        o.diarize = true
        o.diarizeModel = "latest"
        o.detectEntities = true
        o.languageHint = ["en", "de"]
        o.keyterm = ["captty"]
        #expect(LocalRecognizer.ignoredOptions(o) == ["--diarize", "--diarize-model", "--detect-entities", "--language-hint", "--keyterm"])
        o = LiveOptions.captionDefaults
        o.detectEntities = false
        o.languageHint = []
        #expect(LocalRecognizer.ignoredOptions(o).isEmpty)
    }
}
