import CaptionUI
import Deepgram
import Testing
@testable import CapttyCore

/// Engine-option keys change `LiveOptions`; config key bindings apply or fail with the line.
@Suite struct OptionTogglesTests {
    @Test func togglesFlipBooleansFromUnsetToOn() {
        let o = LiveOptions()
        #expect(OptionToggles.apply(.togglePunctuate, to: o)?.punctuate == true)
        #expect(OptionToggles.apply(.toggleDiarize, to: OptionToggles.apply(.toggleDiarize, to: o)!)?.diarize == false)
        #expect(OptionToggles.apply(.toggleInterim, to: o) == nil)
    }

    @Test func languageAndModelCycleWrap() {
        var o = LiveOptions.captionDefaults
        o = OptionToggles.apply(.cycleLanguage, to: o, languages: ["en", "de"])!
        #expect(o.language == "de")
        o = OptionToggles.apply(.cycleLanguage, to: o, languages: ["en", "de"])!
        #expect(o.language == "en")
        #expect(OptionToggles.apply(.cycleLanguage, to: o)?.language == "es")
        #expect(OptionToggles.apply(.cycleModel, to: o, models: ["nova-3", "nova-2"])?.model == "nova-2")
    }

    @Test func configLayersUnderFlags() {
        var cfg = LiveOptions()
        cfg.language = "de"
        cfg.keyterm = ["captty"]
        let merged = OptionLayering.overlay(cfg, on: .captionDefaults)
        #expect(merged.language == "de")
        #expect(merged.model == .nova3)
        #expect(merged.keyterm == ["captty"])
    }

    @Test func configKeyBindingsRebindAndBadOnesNameTheLine() throws {
        let good = try CapttyConfig.parse("[keys]\nquit = \"ctrl-q, q\"\npause = \"P\"\n", file: "c.toml")
        let table = try KeyBindingConfig.table(from: good)
        #expect(table.action(for: .control("q")) == .quit)
        #expect(table.action(for: .character("P")) == .pause)
        let bad = try CapttyConfig.parse("# keys\n[keys]\npause = \"ctrl-\"\n", file: "c.toml")
        #expect {
            _ = try KeyBindingConfig.table(from: bad)
        } throws: { e in
            let e = e as? ConfigError
            return e?.line == 3 && e?.key == "keys.pause" && e?.file == "c.toml"
        }
        let clash = try CapttyConfig.parse("[keys]\npause = \"q\"\n", file: "c.toml")
        #expect(throws: ConfigError.self) { _ = try KeyBindingConfig.table(from: clash) }
    }
}
