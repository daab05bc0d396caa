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

    /// nova-3 refuses keywords and older models ignore key terms: `m` gives each model the
    /// user's vocabulary in the form it takes, and cycling back gives the phrases back.
    @Test func modelCycleCarriesTheVocabularyInTheFormEachModelTakes() {
        var o = LiveOptions.captionDefaults
        o.keyterm = ["captty app", "Moonshine", "app"]
        o.keywords = [.init("Pulse", boost: 2)]
        let mine = OptionToggles.Vocabulary(o)
        o.keywords = []  // as the Deepgram engine starts nova-3: keyterms only
        let nova2 = OptionToggles.apply(.cycleModel, to: o, models: ["nova-3", "nova-2"], vocabulary: mine)!
        #expect(nova2.model == "nova-2")
        #expect(nova2.keyterm.isEmpty)
        #expect(nova2.keywords == [.init("Pulse", boost: 2), .init("captty"), .init("app"), .init("Moonshine")])
        #expect(nova2.queryItems.contains { $0.key == "keyterm" } == false)
        let back = OptionToggles.apply(.cycleModel, to: nova2, models: ["nova-3", "nova-2"], vocabulary: mine)!
        #expect(back.model == "nova-3")
        #expect(back.keyterm == ["captty app", "Moonshine", "app", "Pulse"])
        #expect(back.keywords.isEmpty)
        // Without the session's vocabulary, the options' own go along (nothing is dropped).
        let plain = OptionToggles.apply(.cycleModel, to: o, models: ["nova-3-medical", "base"])!
        #expect(plain.model == "nova-3-medical")
        #expect(plain.keyterm == o.keyterm)
        // Other keys leave the vocabulary alone.
        #expect(OptionToggles.apply(.togglePunctuate, to: nova2, vocabulary: mine)?.keywords == nova2.keywords)
    }

    /// A key term goes to an older model as its words, punctuation left out: `café & crème`
    /// went out as the keywords `café`, `&` and `crème`, and `Dr. Who: Part 2` as `Dr.`,
    /// `Who:` (a keyword with an empty boost to Deepgram), `Part`, `2` (found in QA).
    @Test func keyTermsBecomeKeywordsWithoutTheirPunctuation() {
        let v = OptionToggles.Vocabulary(keyterm: ["café & crème", "Dr. Who: Part 2", "O'Brien co-op -x- 'quoted'", "a=b+c/d?", "—"])
        #expect(v.form(for: "nova-2").keywords.map(\.word) == ["café", "crème", "Dr", "Who", "Part", "2", "O'Brien", "co-op", "x", "quoted", "a", "b", "c", "d"])
        #expect(v.form(for: "nova-2").keywords.allSatisfy { !$0.word.contains(":") && $0.boost == nil })
        #expect(v.form(for: "nova-3").keyterm == v.keyterm, "nova-3 takes the phrases as given")
    }

    /// A keyword's boost must be a number and a replacement must find something: `foo:bar`
    /// went out as the keyword `foo:bar`, `:x` as a replacement of nothing.
    @Test func keywordsAndReplacementsAreParsedStrictly() {
        #expect(LiveOptions.Keyword(parsing: "foo:2") == .init("foo", boost: 2))
        #expect(LiveOptions.Keyword(parsing: "foo:-1.5") == .init("foo", boost: -1.5))
        #expect(LiveOptions.Keyword(parsing: "foo") == .init("foo"))
        for bad in ["foo:bar", "foo:", ":2", "", " ", " :2"] { #expect(LiveOptions.Keyword(parsing: bad) == nil, "\(bad)") }
        #expect(LiveOptions.Replacement(parsing: "a:b") == .init("a", with: "b"))
        #expect(LiveOptions.Replacement(parsing: "a") == .init("a"))
        for bad in [":x", "", " ", ":"] { #expect(LiveOptions.Replacement(parsing: bad) == nil, "\(bad)") }
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
