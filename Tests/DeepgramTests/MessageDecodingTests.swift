import Foundation
import Testing
import TestSupport
@testable import Deepgram

/// Decoding of server → client messages: real captures and hand-written messages of each type.
@Suite struct MessageDecodingTests {
    static let liveFixtures: [URL] = {
        let dir = TestPaths.deepgramFixtures.appendingPathComponent("live")
        let files = (try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.lastPathComponent.hasSuffix(".response.json") }.sorted { $0.path < $1.path }
    }()

    @Test func fixturesArePresent() {
        #expect(Self.liveFixtures.count >= 4, "expected the live captures in \(TestPaths.deepgramFixtures.path)")
    }

    @Test(arguments: liveFixtures)
    func realCaptureDecodesAsResults(_ url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        let msg = try ServerMessage.decode(text)
        guard case .results(let r) = msg else {
            Issue.record("expected Results, got \(msg)")
            return
        }
        #expect(r.isFinal)
        #expect(r.speechFinal)
        #expect(r.channelIndex == [0, 1])
        #expect(r.metadata?.modelInfo?.name.isEmpty == false)
        #expect(r.metadata?.requestID?.count == 36)
        // Cross-check against an independent parse of the same file.
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let alt = try #require(((obj["channel"] as? [String: Any])?["alternatives"] as? [[String: Any]])?.first)
        #expect(r.transcript == alt["transcript"] as? String)
        #expect(r.best.words.count == (alt["words"] as? [Any])?.count)
        #expect(abs(r.start - (obj["start"] as? Double ?? -1)) < 1e-9)
        #expect(abs(r.duration - (obj["duration"] as? Double ?? -1)) < 1e-6)
        for (w, raw) in zip(r.best.words, alt["words"] as? [[String: Any]] ?? []) {
            #expect(w.word == raw["word"] as? String)
            #expect(w.punctuatedWord == raw["punctuated_word"] as? String)
            #expect(abs(w.start - (raw["start"] as? Double ?? -1)) < 1e-6)
            #expect(w.end >= w.start)
        }
    }

    @Test func emptyFinalFromRealCapture() throws {
        let url = TestPaths.deepgramFixtures.appendingPathComponent("live/testing-websocket-4.response.json")
        let r = try #require(try ServerMessage.decode(String(contentsOf: url, encoding: .utf8)).results)
        #expect(r.transcript == "")
        #expect(r.best.words.isEmpty)
        #expect(r.duration > 0.7)
    }

    @Test func resultsWithSpeakerLanguageAndEntities() throws {
        let text = """
        {"type":"Results","channel_index":[1,2],"start":17.0,"duration":1.66,"is_final":true,
         "speech_final":false,"from_finalize":true,"unknown_field":{"x":1},
         "channel":{"alternatives":[{"transcript":"call john at 555","confidence":0.97,
           "languages":["en"],
           "words":[{"word":"call","start":17.1,"end":17.3,"confidence":0.9,"punctuated_word":"Call",
                     "speaker":2,"speaker_confidence":0.8,"language":"en"},
                    {"word":"john","start":17.3,"end":17.6,"confidence":0.95,"speaker":2,"language":"en"}],
           "entities":[{"label":"NAME","value":"john","confidence":0.93,"start_word":1,"end_word":2}]}]},
         "metadata":{"request_id":"r-1","model_info":{"name":"general","version":"1","arch":"nova-3"},"model_uuid":"u"}}
        """
        let r = try #require(try ServerMessage.decode(text).results)
        #expect(r.channelIndex == [1, 2])
        #expect(r.fromFinalize && r.isFinal && !r.speechFinal)
        #expect(r.best.languages == ["en"])
        #expect(r.best.words[0].speaker == 2)
        #expect(r.best.words[0].speakerConfidence == 0.8)
        #expect(r.best.words[0].language == "en")
        #expect(r.best.words[0].display == "Call")
        #expect(r.best.words[1].punctuatedWord == nil)
        #expect(r.best.words[1].display == "john")
        #expect(r.best.entities == [Entity(label: "NAME", value: "john", confidence: 0.93, startWord: 1, endWord: 2)])
        #expect(r.metadata?.modelInfo?.arch == "nova-3")
        #expect(r.entities == nil && r.detectedEntities == r.best.entities)
    }

    /// The live API lists a final's entities beside `channel` (the official SDK's
    /// `ListenV1Results.entities`, with `raw_value`); they used to be ignored there.
    @Test func entitiesBesideTheChannelAsTheLiveAPISendsThem() throws {
        let text = """
        {"type":"Results","channel_index":[0,1],"start":3.0,"duration":1.5,"is_final":true,"speech_final":true,
         "channel":{"alternatives":[{"transcript":"call John at five five five","confidence":0.97,
           "words":[{"word":"call","start":3.1,"end":3.3,"confidence":0.9},{"word":"john","start":3.3,"end":3.6,"confidence":0.95}]}]},
         "entities":[{"label":"NAME","value":"John","raw_value":"john","confidence":0.93,"start_word":1,"end_word":2}]}
        """
        let r = try #require(try ServerMessage.decode(text).results)
        let john = Entity(label: "NAME", value: "John", rawValue: "john", confidence: 0.93, startWord: 1, endWord: 2)
        #expect(r.entities == [john])
        #expect(r.detectedEntities == [john])
        #expect(r.best.entities == nil)
        // Encoded back beside the channel.
        let again = try ServerMessage.decode(String(decoding: try JSONEncoder().encode(r), as: UTF8.self)).results
        #expect(again == r)
    }

    @Test func resultsMissingMetadataAndOptionalFields() throws {
        let r = try #require(try ServerMessage.decode(#"{"type":"Results","channel":{"alternatives":[{"transcript":"hi"}]}}"#).results)
        #expect(r.metadata == nil)
        #expect(r.transcript == "hi")
        #expect(r.isFinal == false)
        #expect(r.best.words.isEmpty)
        #expect(r.start == 0)
        let bare = try #require(try ServerMessage.decode(#"{"type":"Results","channel":{}}"#).results)
        #expect(bare.transcript == "")
        #expect(bare.channel.alternatives.isEmpty)
    }

    @Test func utteranceEnd() throws {
        let m = try ServerMessage.decode(#"{"type":"UtteranceEnd","channel":[0,1],"last_word_end":2.395}"#)
        #expect(m == .utteranceEnd(UtteranceEnd(channel: [0, 1], lastWordEnd: 2.395)))
    }

    @Test func speechStarted() throws {
        let m = try ServerMessage.decode(#"{"type":"SpeechStarted","channel":[0,1],"timestamp":91.2}"#)
        #expect(m == .speechStarted(SpeechStarted(channel: [0, 1], timestamp: 91.2)))
    }

    @Test func metadata() throws {
        let text = """
        {"type":"Metadata","transaction_key":"deprecated","request_id":"abc","sha256":"ff",
         "created":"2024-10-23T14:57:23.420Z","duration":12.3,"channels":1,"models":["m1"],
         "model_info":{"m1":{"name":"general","version":"2024","arch":"nova-3"}}}
        """
        guard case .metadata(let m) = try ServerMessage.decode(text) else { Issue.record("not metadata"); return }
        #expect(m.requestID == "abc")
        #expect(m.duration == 12.3)
        #expect(m.channels == 1)
        #expect(m.models == ["m1"])
        #expect(m.modelInfo["m1"]?.arch == "nova-3")
        #expect(m.created == "2024-10-23T14:57:23.420Z")
        #expect(m.extra == nil)
        // The request's extra=KEY:VALUE pairs come back in it; they survive the journal's
        // re-encoding.
        let withExtra = #"{"type":"Metadata","request_id":"abc","extra":{"team":"notes","id":"42"}}"#
        guard case .metadata(let x) = try ServerMessage.decode(withExtra) else { Issue.record("not metadata"); return }
        #expect(x.extra == ["team": "notes", "id": "42"])
        #expect(try ServerMessage.decode(ServerMessage.metadata(x).encoded()) == .metadata(x))
    }

    @Test func errorMessage() throws {
        let m = try ServerMessage.decode(#"{"type":"Error","variant":"RateLimit","description":"Too many requests","message":"slow down"}"#)
        guard case .error(let e) = m else { Issue.record("not an error: \(m)"); return }
        #expect(e.variant == "RateLimit")
        #expect(e.text == "RateLimit: Too many requests: slow down")
        // The newer shape's code, as a string or a number: kept and shown.
        guard case .error(let coded) = try ServerMessage.decode(#"{"type":"Error","variant":"Data","description":"bad audio","code":"INVALID_AUDIO"}"#)
        else { Issue.record("not an error"); return }
        #expect(coded.code == "INVALID_AUDIO" && coded.text == "Data: bad audio [INVALID_AUDIO]")
        #expect(try ServerMessage.decode(ServerMessage.error(coded).encoded()) == .error(coded))
        guard case .error(let numeric) = try ServerMessage.decode(#"{"type":"Error","description":"x","code":1011}"#)
        else { Issue.record("a numeric code made the error unreadable"); return }
        #expect(numeric.code == "1011" && numeric.text == "x [1011]")
    }

    /// The older error shape has no `type` (it is also the body of a refused upgrade): it is
    /// an error, not an unhandled message that nobody sees.
    @Test func olderErrorShapeWithoutTypeIsAnError() throws {
        let m = try ServerMessage.decode(#"{"err_code":"INTERNAL_SERVER_ERROR","err_msg":"The server hit a problem.","request_id":"r-1"}"#)
        guard case .error(let e) = m else { Issue.record("not an error: \(m)"); return }
        #expect(e.text == "INTERNAL_SERVER_ERROR: The server hit a problem.")
        guard case .error(let only) = try ServerMessage.decode(#"{"err_msg":"only a message"}"#) else { Issue.record("not an error"); return }
        #expect(only.text == "only a message")
        // A wrong JSON type in those fields is not an error message.
        let odd = #"{"err_code":5}"#
        #expect(try ServerMessage.decode(odd) == .unhandled(type: nil, raw: odd))
    }

    /// A `Warning` (Deepgram's newer servers and SDKs have one) is read like an `Error`; it was
    /// passed on unhandled and shown to no one.
    @Test func aWarningIsReadLikeAnError() throws {
        let m = try ServerMessage.decode(#"{"type":"Warning","code":"DEPRECATED","description":"the foo param is deprecated"}"#)
        guard case .warning(let w) = m else { Issue.record("not a warning: \(m)"); return }
        #expect(w.text == "the foo param is deprecated [DEPRECATED]")
        #expect(try ServerMessage.decode(m.encoded()) == m)
    }

    @Test func unknownTypeIsUnhandledNotAThrow() throws {
        let raw = #"{"type":"FutureThing","message":"something new"}"#
        #expect(try ServerMessage.decode(raw) == .unhandled(type: "FutureThing", raw: raw))
        let noType = #"{"hello":"world"}"#
        #expect(try ServerMessage.decode(noType) == .unhandled(type: nil, raw: noType))
    }

    /// A number too large for a Double is valid JSON: a parser's refusal of it is not called
    /// invalid JSON, and the number is named. (A frame of an unknown type is not parsed that far.)
    @Test func anUnrepresentableNumberIsNotCalledInvalidJSON() throws {
        let e = MessageDecodingError.invalidJSON(excerpt: #"{"size":1e999}"#, underlying: MessageDecodingError.plain(#"numberIsNotRepresentableInSwift(parsed: "1e999")"#))
        #expect(e.description == #"server sent JSON that cannot be read (number 1e999 is out of range): {"size":1e999}"#, "\(e.description)")
        let raw = #"{"type":"FutureThing","size":1e999}"#
        #expect(try ServerMessage.decode(raw) == .unhandled(type: "FutureThing", raw: raw))
    }

    @Test func invalidJSONGivesTypedErrorWithTruncatedText() {
        let garbage = "{\"type\":\"Results\", oops" + String(repeating: "x", count: 5000)
        do {
            _ = try ServerMessage.decode(garbage)
            Issue.record("expected a throw")
        } catch {
            guard case .invalidJSON(let excerpt, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(excerpt.hasPrefix("{\"type\":\"Results\", oops"))
            #expect(excerpt.count < 300)
            #expect(error.description.contains("invalid JSON"))
        }
    }

    @Test func nonObjectJSONIsAnError() {
        #expect(throws: MessageDecodingError.self) { try ServerMessage.decode("[1,2,3]") }
        #expect(throws: MessageDecodingError.self) { try ServerMessage.decode("") }
        #expect(throws: MessageDecodingError.self) { try ServerMessage.decode("null") }
    }

    @Test func knownTypeWithWrongFieldTypesIsATypedError() {
        do {
            _ = try ServerMessage.decode(#"{"type":"Results","start":"soon"}"#)
            Issue.record("expected a throw")
        } catch {
            guard case .invalidMessage(let type, let excerpt, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(type == "Results")
            #expect(excerpt.contains("soon"))
        }
    }

    /// Numbers no real stream carries are malformed messages whose error says which field and
    /// why; they would otherwise overflow the byte offsets, clocks and labels computed from them.
    @Test(arguments: [
        (#"{"type":"Results","start":1e300}"#, "start: 1e+300 s is outside ±10000000 s"),
        (#"{"type":"Results","start":1,"duration":-1e8}"#, "duration: -100000000.0 s is outside"),
        (#"{"type":"Results","channel":{"alternatives":[{"words":[{"word":"a","start":1,"end":1e300}]}]}}"#, "end: 1e+300 s"),
        (#"{"type":"Results","channel":{"alternatives":[{"words":[{"word":"a","speaker":9223372036854775807}]}]}}"#, "speaker: 9223372036854775807 is outside 0…1000000"),
        (#"{"type":"Results","channel":{"alternatives":[{"words":[{"word":"a","speaker":-1}]}]}}"#, "speaker: -1 is outside"),
        (#"{"type":"Results","channel_index":[-1,2]}"#, "channel_index: [-1, 2] is not a [channel, channels] pair"),
        (#"{"type":"Results","channel":{"alternatives":[{"confidence":1e999}]}}"#, "number 1e999 is out of range"),
        (#"{"type":"UtteranceEnd","last_word_end":-1e300}"#, "last_word_end: -1e+300 s is outside"),
        (#"{"type":"SpeechStarted","timestamp":1e12}"#, "timestamp: 1000000000000.0 s is outside"),
        (#"{"type":"Metadata","duration":1e300,"channels":1}"#, "duration: 1e+300 s is outside"),
        (#"{"type":"Metadata","duration":1,"channels":-2}"#, "channels: -2 is outside"),
        (#"{"type":"Results","start":"soon"}"#, "start: expected Double"),
        // A Results without its channel (or with a null one) is broken, not an empty result.
        (#"{"type":"Results","start":1,"duration":1,"is_final":true}"#, #"missing "channel""#),
        (#"{"type":"Results","start":1,"duration":1,"is_final":true,"channel":null}"#, "channel: expected"),
    ])
    func absurdNumbersAreNamedMalformed(_ json: String, _ expected: String) {
        do {
            let m = try ServerMessage.decode(json)
            Issue.record("decoded \(m)")
        } catch {
            guard case .invalidMessage = error else { Issue.record("wrong error \(error)"); return }
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    /// Foundation's parser errors are said in words, not as Swift's internal values
    /// ("expectedLowSurrogateUTF8SequenceAfterHighSurrogate(location: FoundationEssentials…").
    @Test func aJSONParserErrorIsSaidInWords() {
        do {
            _ = try ServerMessage.decode(#"{"type":"Results","channel":{"alternatives":[{"transcript":"a \ud800 b"}]}}"#)
            Issue.record("decoded a lone surrogate")
        } catch {
            #expect(!error.description.contains("FoundationEssentials") && !error.description.contains("SourceLocation"), "\(error)")
            #expect(error.description.contains("invalid JSON (expected low surrogate"), "\(error)")
        }
    }

    @Test func boundaryNumbersStillDecode() throws {
        let r = try #require(try ServerMessage.decode(#"{"type":"Results","start":9999999,"duration":1,"channel_index":[3,4],"channel":{"alternatives":[{"confidence":1,"words":[{"word":"a","start":9999999,"end":10000000,"speaker":1000000}]}]}}"#).results)
        #expect(r.end == 10_000_000)
        #expect(r.best.words.first?.speaker == 1_000_000)
        #expect(try ServerMessage.decode(#"{"type":"UtteranceEnd","last_word_end":-0.01}"#).utteranceEnd?.lastWordEnd == -0.01)
    }

    @Test func encodedResultsRoundTrip() throws {
        let url = TestPaths.deepgramFixtures.appendingPathComponent("live/preamble-websocket-1.response.json")
        let original = try ServerMessage.decode(String(contentsOf: url, encoding: .utf8))
        #expect(try ServerMessage.decode(original.encoded()) == original)
        let ue = ServerMessage.utteranceEnd(UtteranceEnd(lastWordEnd: 3.5))
        #expect(try ServerMessage.decode(ue.encoded()) == ue)
        let md = ServerMessage.metadata(Metadata(requestID: "x", duration: 1.5, channels: 1))
        #expect(try ServerMessage.decode(md.encoded()) == md)
    }

    @Test func offsetShiftsEveryTime() throws {
        let url = TestPaths.deepgramFixtures.appendingPathComponent("live/testing-websocket-2.response.json")
        let r = try #require(try ServerMessage.decode(String(contentsOf: url, encoding: .utf8)).results)
        let s = r.offset(by: 100)
        #expect(abs(s.start - (r.start + 100)) < 1e-9)
        #expect(zip(r.best.words, s.best.words).allSatisfy { abs($1.start - $0.start - 100) < 1e-9 && abs($1.end - $0.end - 100) < 1e-9 })
        #expect(s.duration == r.duration)
        // Search hits too: after a reconnect they stayed on the new connection's clock.
        var searched = r
        searched.channel.search = [SearchHits(query: "testing", hits: [.init(confidence: 0.9, start: 1.25, end: 1.75, snippet: "testing")])]
        let hit = searched.offset(by: 100).channel.search?.first?.hits.first
        #expect(hit?.start == 101.25 && hit?.end == 101.75 && hit?.snippet == "testing")
    }
}

extension ServerMessage {
    var results: Results? { if case .results(let r) = self { return r } else { return nil } }
}

extension ServerMessage {
    var utteranceEnd: UtteranceEnd? { if case .utteranceEnd(let u) = self { return u } else { return nil } }
}

/// Word times a broken or hostile server puts far outside their result: pulled into the
/// result's span (a word at 50 s in a 0.5–0.8 s result moved its line and every later one to
/// 50 s); words inside, or within a second of it, are left as they are.
@Suite struct WordsOutsideTheirResultTests {
    static func results(_ words: [(Double, Double)]) -> Results {
        Results(start: 0.5, duration: 0.3, isFinal: true, speechFinal: true, channel: Channel(alternatives: [
            Alternative(transcript: "x", confidence: 0.9,
                        words: words.map { Word(word: "w", start: $0.0, end: $0.1, confidence: 0.9) })]))
    }

    @Test func farOutsideIsPulledIn() {
        let r = Self.results([(0.5, 0.6), (50, 60), (-30, -29)]).wordsClampedToSpan()
        let w = r.channel.alternatives[0].words
        #expect(w[0].start == 0.5 && w[0].end == 0.6)
        #expect(w[1].start == 0.8 && w[1].end == 0.8, "\(w[1])")
        #expect(w[2].start == 0.5 && w[2].end == 0.5, "\(w[2])")
    }

    @Test func nearTheSpanIsLeftAlone() {
        let r = Self.results([(0.2, 0.55), (0.7, 1.2)])
        #expect(r.wordsClampedToSpan() == r)
    }
}

/// `Results.dropping(before:)`: what a multichannel channel already answered on an earlier
/// connection is left out of a replayed final; the rest keeps its words and entities.
@Suite struct ResultsDroppingTests {
    @Test func wordsBeforeTheTimeGoAndEntityIndicesFollow() {
        let words = [Word(word: "call", start: 3.1, end: 3.3, confidence: 0.9), Word(word: "john", start: 3.3, end: 3.6, confidence: 0.95),
                     Word(word: "now", start: 3.7, end: 4.0, confidence: 0.9)]
        let john = Entity(label: "NAME", value: "John", startWord: 1, endWord: 2)
        let call = Entity(label: "VERB", value: "call", startWord: 0, endWord: 1)
        let r = Results(start: 3.0, duration: 1.5, isFinal: true,
                        channel: Channel(alternatives: [Alternative(transcript: "call john now", confidence: 0.9, words: words)]),
                        entities: [call, john])
        let d = r.dropping(before: 3.3)
        #expect(d.start == 3.3 && abs(d.end - 4.5) < 1e-9)
        #expect(d.best.words.map(\.word) == ["john", "now"])
        #expect(d.best.transcript == "john now")
        #expect(d.entities == [Entity(label: "NAME", value: "John", startWord: 0, endWord: 1)])
        // A word whose middle comes after the time stays (said again only in part).
        #expect(r.dropping(before: 3.18).best.words.map(\.word) == ["call", "john", "now"])
        #expect(r.dropping(before: 3.22).best.words.map(\.word) == ["john", "now"])
        #expect(r.dropping(before: 3.1).best.words.map(\.word) == ["call", "john", "now"])
        #expect(r.dropping(before: 2.0) == r)
        #expect(r.dropping(before: 4.5).best.words.isEmpty)
    }
}
