import Foundation
import Testing
@testable import Deepgram

/// `/v1/listen` URLs, pinned to the exact query string.
@Suite struct LiveOptionsURLTests {
    @Test func emptyOptionsOmitEverything() throws {
        #expect(try LiveOptions().url().absoluteString == "wss://api.deepgram.com/v1/listen")
    }

    @Test func captionDefaults() throws {
        #expect(try LiveOptions.captionDefaults.url().absoluteString ==
            "wss://api.deepgram.com/v1/listen?model=nova-3&language=en&interim_results=true&punctuate=true&smart_format=true&vad_events=true&utterance_end_ms=1000")
    }

    @Test func allBooleans() throws {
        let o = LiveOptions(multichannel: true, interimResults: false, punctuate: true, smartFormat: false,
                            numerals: true, profanityFilter: false, diarize: true, vadEvents: false,
                            dictation: true, fillerWords: false, mipOptOut: true)
        #expect(o.queryString ==
            "multichannel=true&interim_results=false&punctuate=true&smart_format=false&numerals=true&profanity_filter=false&diarize=true&vad_events=false&dictation=true&filler_words=false&mip_opt_out=true")
    }

    /// Options of the official SDK's `listen.v1.connect` captty lacked: `detect_entities`,
    /// `diarize_model`, `language_hint` (repeatable). A journal header written before them
    /// still reads back.
    @Test func entitiesDiarizeModelAndLanguageHints() throws {
        let o = LiveOptions(model: .nova3, language: .init("multi"), diarize: nil, detectEntities: true,
                            diarizeModel: "latest", languageHint: ["en", "es-419"])
        #expect(o.queryString == "model=nova-3&language=multi&language_hint=en&language_hint=es-419&diarize_model=latest&detect_entities=true")
        #expect(LiveOptions(languageHint: []).queryString == "")
        let old = try JSONDecoder().decode(LiveOptions.self, from: Data(#"{"model":"nova-3","redact":[],"keyterm":[],"keywords":[],"search":[],"replace":[],"tag":[],"extra":[],"additional":[]}"#.utf8))
        #expect(old.model == .nova3 && old.languageHint == nil && old.detectEntities == nil)
        let again = try JSONDecoder().decode(LiveOptions.self, from: JSONEncoder().encode(o))
        #expect(again == o)
    }

    /// `additional` (`--param`) replaces a typed option of the same name instead of sending
    /// both (`model=nova-3&model=nova-2`).
    @Test func additionalReplacesATypedOptionOfTheSameName() throws {
        let o = LiveOptions(model: .nova3, keyterm: ["a"], additional: [KeyValue("model", "nova-2"), KeyValue("new_thing", "1")])
        #expect(o.queryString == "keyterm=a&model=nova-2&new_thing=1")
    }

    @Test func keytermRepeatedThreeTimesAndPercentEncoded() throws {
        let o = LiveOptions(model: .nova3, keyterm: ["captty", "Deepgram API", "café&co"])
        #expect(o.queryString == "model=nova-3&keyterm=captty&keyterm=Deepgram%20API&keyterm=caf%C3%A9%26co")
    }

    @Test func redactTwice() throws {
        let o = LiveOptions(redact: [.pci, .ssn])
        #expect(o.queryString == "redact=pci&redact=ssn")
    }

    @Test func endpointingFalseAndMilliseconds() throws {
        #expect(LiveOptions(endpointing: .disabled).queryString == "endpointing=false")
        #expect(LiveOptions(endpointing: .milliseconds(300)).queryString == "endpointing=300")
        #expect(LiveOptions.Endpointing(parsing: "false") == .disabled)
        #expect(LiveOptions.Endpointing(parsing: "25") == .milliseconds(25))
        #expect(LiveOptions.Endpointing(parsing: "-1") == nil)
        #expect(LiveOptions.Endpointing(parsing: "soon") == nil)
    }

    @Test func languageWithRegion() throws {
        let o = LiveOptions(model: .nova2, language: "en-GB", encoding: .linear16, sampleRate: 16000, channels: 1)
        #expect(try o.url().absoluteString ==
            "wss://api.deepgram.com/v1/listen?model=nova-2&language=en-GB&encoding=linear16&sample_rate=16000&channels=1")
        #expect(LiveOptions.Language("en-GB").isWellFormed)
        #expect(LiveOptions.Language("zh-Hant-TW").isWellFormed)
        #expect(LiveOptions.Language.multi.isWellFormed)
        #expect(!LiveOptions.Language("english").isWellFormed)
        #expect(!LiveOptions.Language("en_US").isWellFormed)
    }

    @Test func selfHostedBaseURL() throws {
        let o = LiveOptions(model: .nova3, encoding: .mulaw, sampleRate: 8000)
        #expect(try o.url(base: "ws://dg.internal:8080").absoluteString ==
            "ws://dg.internal:8080/v1/listen?model=nova-3&encoding=mulaw&sample_rate=8000")
        #expect(try o.url(base: "http://127.0.0.1:8080/").absoluteString ==
            "ws://127.0.0.1:8080/v1/listen?model=nova-3&encoding=mulaw&sample_rate=8000")
        #expect(try o.url(base: "https://proxy.example/deepgram/v1/listen").absoluteString ==
            "wss://proxy.example/deepgram/v1/listen?model=nova-3&encoding=mulaw&sample_rate=8000")
        #expect(try o.url(base: "ws://[::1]:9000").absoluteString ==
            "ws://[::1]:9000/v1/listen?model=nova-3&encoding=mulaw&sample_rate=8000")
    }

    @Test func badBaseURLsAreRejected() {
        for bad in ["api.deepgram.com", "ftp://x", "ws://", "wss:///v1/listen", "ws://h?token=abc", ""] {
            #expect(throws: LiveOptionsError.self, "\(bad)") { try LiveOptions().url(base: bad) }
        }
    }

    @Test func repeatableStringOptionsAndEscapeHatch() throws {
        let o = LiveOptions(
            utteranceEndMs: 1500,
            keywords: [.init("snuffleupagus", boost: 5), .init("kale", boost: 1.5), .init("plain")],
            search: ["hello world"], replace: [.init("um", with: ""), .init("gonna", with: "going to")],
            tag: ["meeting", "team a"], extra: [KeyValue("project", "cap/tty")],
            version: "latest", callback: "https://example.com/cb?x=1", callbackMethod: .put,
            additional: [KeyValue("new_option", "yes please")])
        #expect(o.queryString ==
            "utterance_end_ms=1500&keywords=snuffleupagus%3A5&keywords=kale%3A1.5&keywords=plain"
            + "&search=hello%20world&replace=um%3A&replace=gonna%3Agoing%20to&tag=meeting&tag=team%20a"
            + "&extra=project%3Acap%2Ftty&version=latest&callback=https%3A%2F%2Fexample.com%2Fcb%3Fx%3D1"
            + "&callback_method=PUT&new_option=yes%20please")
    }

    @Test func keywordAndReplacementParsing() {
        #expect(LiveOptions.Keyword(parsing: "word:2")?.queryValue == "word:2")
        #expect(LiveOptions.Keyword(parsing: "word")?.boost == nil)
        // A boost that is not a number: refused (it went out as the keyword "a:b", which
        // Deepgram reads as the word "a" with a bad boost).
        #expect(LiveOptions.Keyword(parsing: "a:b") == nil)
        #expect(LiveOptions.Keyword(parsing: ":3") == nil)
        #expect(LiveOptions.Replacement(parsing: "a:b")?.replacement == "b")
    }

    /// Options as a person or another SDK writes them: only some keys, Deepgram's snake_case
    /// names, a repeatable option as one string, endpointing as a number or false. Decoding
    /// failed with "keyNotFound: redact" for anything but a full dump of this type.
    @Test func optionsDecodeFromPartialAndSnakeCaseJSON() throws {
        func decode(_ json: String) throws -> LiveOptions { try JSONDecoder().decode(LiveOptions.self, from: Data(json.utf8)) }
        #expect(try decode(#"{"model":"nova-3"}"#) == LiveOptions(model: .nova3))
        #expect(try decode("{}") == LiveOptions())
        let o = try decode(#"{"model":"nova-3","smart_format":true,"interim_results":false,"utterance_end_ms":1500,"sample_rate":48000,"#
                           + #""endpointing":300,"keyterm":"captty","keywords":["word:2"],"replace":["a:b"],"extra":["k:v"],"#
                           + #""language_hint":["en"],"mip_opt_out":true,"callback_method":"PUT","diarize_model":"latest"}"#)
        #expect(o.smartFormat == true && o.interimResults == false && o.utteranceEndMs == 1500 && o.sampleRate == 48000)
        #expect(o.endpointing == .milliseconds(300) && o.keyterm == ["captty"] && o.keywords == [.init("word", boost: 2)])
        #expect(o.replace == [.init("a", with: "b")] && o.extra == [KeyValue("k", "v")] && o.languageHint == ["en"])
        #expect(o.mipOptOut == true && o.callbackMethod == .put && o.diarizeModel == "latest")
        #expect(try decode(#"{"endpointing":false}"#).endpointing == .disabled)
        #expect(try decode(#"{"endpointing":true}"#).endpointing == .milliseconds(10))
        #expect(try decode(#"{"endpointing":"off"}"#).endpointing == .disabled)
        #expect(try decode(#"{"smartFormat":true}"#).smartFormat == true, "its own names still read")
        // What is wrong is still an error, not silently dropped.
        #expect(throws: DecodingError.self) { try decode(#"{"sample_rate":"fast"}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"keywords":[""]}"#) }
    }

    @Test func optionsRoundTripThroughCodable() throws {
        var o = LiveOptions.captionDefaults
        o.keyterm = ["x"]; o.endpointing = .disabled; o.redact = [.numbers]
        o.keywords = [.init("w", boost: 1.5)]; o.replace = [.init("f", with: "r")]; o.extra = [KeyValue("a", "b")]
        o.languageHint = []; o.additional = [KeyValue("x", "y")]
        let back = try JSONDecoder().decode(LiveOptions.self, from: JSONEncoder().encode(o))
        #expect(back == o)
        #expect(back.queryString == o.queryString)
        o.endpointing = .milliseconds(250)
        #expect(try JSONDecoder().decode(LiveOptions.self, from: JSONEncoder().encode(o)) == o)
    }
}
