import Foundation
import Testing
import TestSupport
@testable import Deepgram

/// The hand-written `Results` reader: it reads real frames itself, agrees with `JSONDecoder`
/// whenever it answers, and leaves every case it does not model to `JSONDecoder`.
@Suite struct ResultsFastDecoderTests {
    func fast(_ text: String) -> Results? { ResultsFastDecoder.decode(text) }

    func slow(_ text: String) -> ServerMessage? { try? ServerMessage.decodeWithJSONDecoder(Data(text.utf8)) }

    /// The property the fuzz target checks on random input, on chosen input.
    func expectAgreement(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let f = fast(text) else { return }
        #expect(slow(text) == .results(f), "fast path disagrees with JSONDecoder on \(text)", sourceLocation: sourceLocation)
    }

    @Test(arguments: MessageDecodingTests.liveFixtures)
    func readsEveryRealCaptureItself(_ url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        let f = try #require(fast(text), "the fast path declined a real capture: \(url.lastPathComponent)")
        #expect(slow(text) == .results(f))
        #expect(!f.best.words.isEmpty || f.transcript.isEmpty)
    }

    /// What the Deepgram test double and `captty serve` send, interim and final.
    @Test func readsTheServersOwnFrames() throws {
        let words = [Word(word: "héllo", start: 1.25, end: 1.5, confidence: 0.875, punctuatedWord: "Héllo,",
                          speaker: 2, speakerConfidence: 0.5, language: "fr"),
                     Word(word: "\"quoted\"\n", start: 1.5, end: 2, confidence: 1)]
        let r = Results(start: 1, duration: 1.5, isFinal: true, speechFinal: true,
                        channel: Channel(alternatives: [Alternative(transcript: "Héllo, \"quoted\"\n", confidence: 0.9,
                                                                    words: words, languages: ["fr", "en"], languagesHinted: ["fr", "en"])]),
                        metadata: ResultsMetadata(requestID: "id", modelInfo: ModelInfo(name: "n", version: "v", arch: "a"),
                                                  modelUUID: "u"))
        let text = ServerMessage.results(r).encoded()
        #expect(fast(text) == r)
        expectAgreement(text)
    }

    @Test(arguments: [
        // Nulls take the same defaults as in JSONDecoder.
        #"{"type":"Results","start":null,"duration":null,"is_final":null,"channel":{},"metadata":null}"#,
        #"{"type":"Results","channel":{"alternatives":[{"transcript":null,"confidence":null,"words":[{"word":"a","start":2,"end":null}]}]}}"#,
        #"{"type":"Results","channel":{"alternatives":null,"search":null},"channel_index":null}"#,
        // Whitespace everywhere, the type last, unknown fields of every JSON type.
        " \n{ \"start\" : 1.5 ,\t\"x\":[1,-2.5e3,{\"y\":[true,false,null,\"z\\u00e9\"]}], \"channel\" : {} , \"type\" : \"Results\" } \r\n",
        // Escapes in values.
        #"{"type":"Results","channel":{"alternatives":[{"transcript":"a\"b\\c\/d\b\f\n\r\t\u00e9\u20ac\u0000"}]}}"#,
        // Numbers of every JSON form.
        #"{"type":"Results","start":-0,"duration":1E2,"channel":{"alternatives":[{"confidence":0.99964666e-0,"words":[{"start":1e-7,"end":123456789.123456789e-3,"confidence":-0.0}]}]}}"#,
        #"{"type":"Results","start":0.1,"duration":0.30000000000000004,"channel_index":[0,1000000],"channel":{}}"#,
        // Entities (detect_entities) and search hits (search=…).
        #"{"type":"Results","channel":{"alternatives":[{"transcript":"call john","entities":[{"label":"NAME","value":"john","confidence":0.9,"start_word":1,"end_word":2},{"label":null,"value":"x","start_word":null}]}]}}"#,
        #"{"type":"Results","channel":{"alternatives":[],"search":[{"query":"q","hits":[{"confidence":0.5,"start":0.1,"end":0.2,"snippet":"x"},{}]},{"query":null,"hits":null}]}}"#,
        #"{"type":"Results","channel":{"alternatives":[{"entities":null}],"search":null}}"#,
        // Entities where the live API puts them (beside channel), with raw_value.
        #"{"type":"Results","is_final":true,"channel":{"alternatives":[{"transcript":"call john"}]},"entities":[{"label":"NAME","value":"John","raw_value":"john","confidence":0.9,"start_word":1,"end_word":2}]}"#,
        #"{"type":"Results","entities":null,"channel":{"alternatives":[{"entities":[{"raw_value":null}]}]}}"#,
        #"{"type":"Results","entities":[],"channel":{}}"#,
        // The diarizer, with diarize=true.
        #"{"type":"Results","metadata":{"request_id":"r","model_uuid":"u","diarize_info":{"model_uuid":"d","arch":"v2","x":1}},"channel":{}}"#,
        #"{"type":"Results","metadata":{"diarize_info":null},"channel":{}}"#,
    ])
    func readsAndAgrees(_ text: String) throws {
        let f = try #require(fast(text), "the fast path declined \(text)")
        #expect(slow(text) == .results(f))
    }

    /// Edge cases where the two readers could part ways: each is either read alike or declined.
    @Test(arguments: [
        #"{"type":"Results","x":1e400}"#,
        #"{"type":"Results","x":-1e-400,"start":1}"#,
        #"{"type":"Results","x":123456789012345678901234567890}"#,
        #"{"type":"Results","x":"\ud83d\ude00"}"#,
        #"{"type":"Results","x":{"a":1,"a":2}}"#,
        #"{"type":"Results","start":1e-400}"#,
        #"{"type":"Results","start":2.5e-310}"#,
        #"{"type":"Results","start":0e-400,"duration":0.000e5}"#,
        #"{"type":"Results","start":2.2250738585072014e-308}"#,
        #"{"type":"Results","channel":{"alternatives":[{"confidence":-4.9e-324}]}}"#,
        #"{"type":"Results","start":9999999.999999999}"#,
        #"{"type":"Results","start":-10000000}"#,
        #"{"type":"Results","channel":{"alternatives":[{"words":[{"speaker":1000000}]}]}}"#,
        #"{"type":"Results","channel":{"alternatives":[{"transcript":"\u00e9\u0301 \u2028"}]}}"#,
        "{\"type\":\"Results\",\"channel\":{\"alternatives\":[{\"transcript\":\"\u{7F}é€😀\"}]}}",
    ])
    func edgeCasesAgree(_ text: String) {
        expectAgreement(text)
        print("edge case \(text.prefix(60)): fast \(fast(text) == nil ? "declined" : "read"), JSONDecoder \(slow(text) == nil ? "rejects" : "reads")")
    }

    /// The diarizer and the request's `extra` pairs in a result's metadata (as the official SDK
    /// reads them): `extra` is left to `JSONDecoder`, which keeps numbers as their text.
    @Test func metadataCarriesTheDiarizerAndExtraPairs() throws {
        let diarized = #"{"type":"Results","channel":{},"metadata":{"request_id":"r","diarize_info":{"model_uuid":"d","arch":"v2"}}}"#
        #expect(fast(diarized)?.metadata?.diarizeInfo == DiarizeInfo(modelUUID: "d", arch: "v2"))
        let extra = #"{"type":"Results","is_final":true,"channel":{},"metadata":{"request_id":"r","extra":{"team":"notes","n":5,"ok":true}}}"#
        #expect(fast(extra) == nil, "extra is read by the full decoder")
        guard case .results(let r)? = try? ServerMessage.decode(extra) else { Issue.record("not decoded"); return }
        #expect(r.metadata?.extra == ["team": "notes", "n": "5", "ok": "true"])
        #expect(r.metadata?.requestID == "r")
        // Not an object: no extra, and the rest of the result still reads.
        guard case .results(let odd)? = try? ServerMessage.decode(#"{"type":"Results","channel":{},"metadata":{"request_id":"r","extra":"team:notes"}}"#)
        else { Issue.record("not decoded"); return }
        #expect(odd.metadata?.extra == nil && odd.metadata?.requestID == "r")
    }

    @Test func escapedTextIsUnescaped() throws {
        let f = try #require(fast(#"{"type":"Results","channel":{"alternatives":[{"transcript":"a\"b\u00e9\n"}]}}"#))
        #expect(f.transcript == "a\"bé\n")
    }

    @Test func endDefaultsToStart() throws {
        let f = try #require(fast(#"{"type":"Results","channel":{"alternatives":[{"words":[{"word":"a","start":2.5}]}]}}"#))
        #expect(f.best.words.first?.end == 2.5)
    }

    @Test(arguments: [
        // Other message types, or no type.
        #"{"type":"UtteranceEnd","channel":[0,1],"last_word_end":2.0}"#,
        #"{"type":"Metadata","request_id":"x"}"#,
        #"{"type":null,"start":1}"#,
        #"{"start":1}"#,
        #"{"type":"results"}"#,
        // Entities and search hits with wrong types or indices.
        #"{"type":"Results","channel":{"alternatives":[{"entities":[{"label":"x","start_word":-1}]}]}}"#,
        #"{"type":"Results","channel":{"alternatives":[{"entities":{"label":"x"}}]}}"#,
        #"{"type":"Results","entities":[{"raw_value":1}]}"#,
        #"{"type":"Results","entities":[],"entities":[]}"#,
        #"{"type":"Results","channel":{"search":[{"query":"q","hits":[{"start":"0.1"}]}],"alternatives":[]}}"#,
        #"{"type":"Results","channel":{"search":[{"query":"q","query":"r"}]}}"#,
        // A key given twice.
        #"{"type":"Results","start":1,"start":2}"#,
        #"{"type":"Results","type":"Results"}"#,
        #"{"type":"Results","channel":{"alternatives":[{"words":[{"word":"a","word":"b"}]}]}}"#,
        // An escaped key (equal to a known one once unescaped).
        #"{"type":"Results","st\u0061rt":1}"#,
        // Surrogate escapes, paired or not.
        #"{"type":"Results","channel":{"alternatives":[{"transcript":"\ud83d\ude00"}]}}"#,
        #"{"type":"Results","channel":{"alternatives":[{"transcript":"\ud83d"}]}}"#,
        // Indices that are not plain small non-negative integers.
        #"{"type":"Results","channel_index":[0,1.0]}"#,
        #"{"type":"Results","channel_index":[-1,1]}"#,
        #"{"type":"Results","channel_index":[01,1]}"#,
        #"{"type":"Results","channel_index":[0,1000001]}"#,
        #"{"type":"Results","channel_index":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}"#,
        #"{"type":"Results","channel":{"alternatives":[{"words":[{"speaker":1e0}]}]}}"#,
        // Numbers out of bounds or out of range.
        #"{"type":"Results","start":1e400}"#,
        #"{"type":"Results","start":10000001}"#,
        #"{"type":"Results","channel":{"alternatives":[{"confidence":1e999}]}}"#,
        // Wrong JSON types.
        #"{"type":"Results","start":"1"}"#,
        #"{"type":"Results","is_final":1}"#,
        #"{"type":"Results","channel":[]}"#,
        #"{"type":"Results","channel":{"alternatives":[null]}}"#,
        #"{"type":"Results","channel":{"alternatives":[{"languages":["en",null]}]}}"#,
        // Not JSON.
        #"{"type":"Results","start":1,}"#,
        #"{"type":"Results","start":.5}"#,
        #"{"type":"Results","start":+1}"#,
        #"{"type":"Results","start":1.}"#,
        #"{"type":"Results","is_final":tru}"#,
        #"{"type":"Results","is_final":nullx}"#,
        #"{"type":"Results"} x"#,
        #"{"type":"Results""#,
        "{\"type\":\"Results\",\"channel\":{\"alternatives\":[{\"transcript\":\"a\u{1}b\"}]}}",
        #"{"type":"Results","x":"\q"}"#,
        #"{"type":"Results","x":NaN}"#,
        "\u{FEFF}{\"type\":\"Results\"}",
        "[]",
        "",
    ])
    func declines(_ text: String) {
        #expect(fast(text) == nil, "the fast path answered for \(text)")
    }

    @Test func declinesInvalidUTF8() {
        var bytes = Array(#"{"type":"Results","channel":{"alternatives":[{"transcript":"a"#.utf8)
        bytes += [0xC3, 0x28] + Array(#""}]}}"#.utf8)
        #expect(bytes.withUnsafeBytes { ResultsFastDecoder.decode($0) } == nil)
        bytes[bytes.count - 6] = 0xA9   // now "é" (C3 A9): valid
        let f = bytes.withUnsafeBytes { ResultsFastDecoder.decode($0) }
        #expect(f?.transcript == "aé")
    }

    @Test func declinesDeepNestingInAnUnknownField() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(fast(#"{"type":"Results","x":\#(deep)}"#) == nil)
        let shallow = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        #expect(fast(#"{"type":"Results","channel":{},"x":\#(shallow)}"#) != nil)
    }

    /// Whatever the fast path declines still decodes (or fails) as before, through JSONDecoder.
    @Test func declinedFramesStillDecode() throws {
        let m = try ServerMessage.decode(#"{"type":"Results","start":1,"channel":{"alternatives":[{"transcript":"\ud83d\ude00"}]}}"#)
        #expect(m.results?.transcript == "😀")
        #expect(throws: MessageDecodingError.self) { try ServerMessage.decode(#"{"type":"Results","start":"1"}"#) }
    }

    /// Random edits of a real frame: whenever the fast path answers, JSONDecoder agrees.
    @Test func agreesOnEditedCaptures() throws {
        let url = try #require(MessageDecodingTests.liveFixtures.first)
        let base = Array(try String(contentsOf: url, encoding: .utf8).utf8)
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[],:"\.-+eE0123456789 nultrfasé"#.utf8)
        var answered = 0
        for _ in 0..<3000 {
            var b = base
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0..<b.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: b[at] = alphabet.randomElement(using: &rng)!
                case 1: b.remove(at: at)
                default: b.insert(alphabet.randomElement(using: &rng)!, at: at)
                }
            }
            guard let f = b.withUnsafeBytes({ ResultsFastDecoder.decode($0) }) else { continue }
            answered += 1
            #expect((try? ServerMessage.decodeWithJSONDecoder(Data(b))) == .results(f),
                    "disagreement on \(String(decoding: b, as: UTF8.self))")
        }
        // Many edits land in whitespace or inside strings and numbers, and stay valid frames.
        #expect(answered > 100)
    }
}
