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

    /// Values Deepgram cannot take are refused before any connection, with what is expected
    /// (the library sent `sample_rate=-1` or `keywords=x:nan` as they were; found in QA).
    @Test func valuesDeepgramCannotTakeAreRefusedBeforeConnecting() {
        let pcm = LiveOptions(model: .nova3, encoding: .linear16, sampleRate: 16_000)
        func refused(_ change: (inout LiveOptions) -> Void) -> String? {
            var o = pcm
            change(&o)
            do throws(LiveOptionsError) { _ = try o.url(); return nil } catch { return error.description }
        }
        #expect(refused { _ in } == nil)
        #expect(refused { $0.sampleRate = -1 } == "invalid value '-1' for sample_rate: expected a positive number of samples per second (e.g. 16000)")
        #expect(refused { $0.sampleRate = 0 }?.contains("sample_rate") == true)
        #expect(refused { $0.sampleRate = nil }?.contains("a sample_rate with it") == true)
        #expect(refused { $0.encoding = nil; $0.sampleRate = nil } == nil, "containerized audio: neither")
        #expect(refused { $0.channels = 0 }?.contains("for channels: expected 1 or more") == true)
        #expect(refused { $0.endpointing = .milliseconds(-10) }?.contains("endpointing") == true)
        #expect(refused { $0.endpointing = .milliseconds(0) } == nil)
        #expect(refused { $0.utteranceEndMs = 1000 }?.contains("interim_results=true") == true)
        #expect(refused { $0.utteranceEndMs = 1000; $0.interimResults = true } == nil)
        #expect(refused { $0.utteranceEndMs = -5; $0.interimResults = true }?.contains("0 or more") == true)
        #expect(refused { $0.model = .nova2; $0.keywords = [.init("x", boost: .nan)] }?.contains("a finite boost") == true)
        #expect(refused { $0.model = .nova2; $0.keywords = [.init("x", boost: .infinity)] }?.contains("a finite boost") == true)
        #expect(refused { $0.keywords = [.init("x", boost: 2)] }?.contains("nova-3 takes keyterm instead of keywords") == true)
        #expect(refused { $0.model = .nova2; $0.keywords = [.init("x", boost: 2)] } == nil)
        #expect(refused { $0.extra = [KeyValue("a:b", "c")] }?.contains("for extra") == true)
        #expect(refused { $0.extra = [KeyValue(" ", "c")] }?.contains("for extra") == true)
        #expect(refused { $0.extra = [KeyValue("a", "b:c")] } == nil, "a value may hold ':'")
    }

    /// A boost is a plain decimal (`1e-05` went out for 0.00001), and one too large for a
    /// Double (`x:1e400`, infinity) is refused before connecting.
    @Test func keywordBoostsArePlainDecimals() {
        #expect(LiveOptions.Keyword("tiny", boost: 0.00001).queryValue == "tiny:0.00001")
        #expect(LiveOptions.Keyword("k", boost: 1.5).queryValue == "k:1.5")
        #expect(LiveOptions.Keyword("k", boost: -10).queryValue == "k:-10")
        #expect(LiveOptions.Keyword("k", boost: 1e20).queryValue == "k:100000000000000000000")
        for text in ["k:1e400", "k:nan"] {
            let k = LiveOptions.Keyword(parsing: text)
            let o = LiveOptions(model: .nova2, keywords: k.map { [$0] } ?? [])
            #expect(k != nil, "\(text)")
            #expect(throws: LiveOptionsError.self, "\(text)") { try o.validate() }
        }
    }

    /// What the official SDK 3.x writes with `LiveOptions.to_json()` (this JSON is its output):
    /// `utterance_end_ms` as a string, `redact: true`, `extra` as an object, a lower-case
    /// `callback_method`, and options this type does not model, which are kept in `additional`
    /// (they were dropped, or the whole decode failed; found in QA).
    @Test func theSDKsOwnSerialisationDecodes() throws {
        let sdk3 = #"{"alternatives": 2, "callback_method": "put", "channels": 1, "encoding": "linear16", "endpointing": 300, "#
            + #""extra": {"team": "a"}, "interim_results": true, "keyterm": ["captty"], "language": "en", "model": "nova-3", "#
            + #""no_delay": true, "redact": true, "sample_rate": 16000, "smart_format": true, "tag": ["t1"], "#
            + #""utterance_end_ms": "1000", "vad_events": true}"#
        let o = try JSONDecoder().decode(LiveOptions.self, from: Data(sdk3.utf8))
        #expect(o.utteranceEndMs == 1000 && o.sampleRate == 16_000 && o.interimResults == true && o.vadEvents == true)
        #expect(o.redact == ["true"] && o.extra == [KeyValue("team", "a")] && o.callbackMethod == .put)
        #expect(o.additional == [KeyValue("alternatives", "2"), KeyValue("no_delay", "true")])
        let q = o.queryString
        for part in ["utterance_end_ms=1000", "redact=true", "extra=team%3Aa", "callback_method=PUT", "alternatives=2", "no_delay=true"] {
            #expect(q.contains(part), "\(part) missing from \(q)")
        }
        #expect(try JSONDecoder().decode(LiveOptions.self, from: Data(#"{"sample_rate": "16000", "punctuate": "false"}"#.utf8))
                == LiveOptions(sampleRate: 16_000, punctuate: false))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LiveOptions.self, from: Data(#"{"sample_rate": "fast"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LiveOptions.self, from: Data(#"{"future": {"a": 1}}"#.utf8)) }
    }
}
