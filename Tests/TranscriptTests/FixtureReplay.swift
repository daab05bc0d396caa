import Deepgram
import Foundation
import TestSupport
import Transcript

/// Turns a real Deepgram pre-recorded response into the event stream a live connection would
/// have produced: growing interims, finals every few words, `speech_final` at sentence ends,
/// `UtteranceEnd` after long pauses, and optionally reconnects that replay recent finals.
struct FixtureReplay {
    struct Response: Decodable {
        struct Results: Decodable {
            struct Channel: Decodable { var alternatives: [Alternative] }
            var channels: [Channel]
        }
        var metadata: Metadata
        var results: Results
    }

    let name: String
    let words: [Word]
    let metadata: Metadata

    init(_ name: String) throws {
        let url = TestPaths.deepgramFixtures.appendingPathComponent("prerecorded/\(name).response.json")
        let r = try JSONDecoder().decode(Response.self, from: Data(contentsOf: url))
        self.name = name
        self.words = r.results.channels[0].alternatives[0].words
        self.metadata = r.metadata
    }

    /// Whether a word ends a sentence.
    static func endsSentence(_ w: Word) -> Bool {
        guard let last = w.display.last else { return false }
        return ".?!".contains(last)
    }

    /// The words with speakers assigned per sentence, alternating 0, 1, 0, …
    /// SYNTHETIC: the fixtures are not diarized; this exercises speaker labels in exports.
    func withSyntheticSpeakers() -> [Word] {
        var sentence = 0
        return words.map { w in
            var w = w
            w.speaker = sentence % 2
            if Self.endsSentence(w) { sentence += 1 }
            return w
        }
    }

    /// The live event stream. `finalEvery`: words per final inside a sentence;
    /// `reconnectEvery`: after this many finals, simulate a reconnect that replays the last
    /// two finals with timestamps shifted by `replayJitter` seconds.
    static func events(for words: [Word], finalEvery: Int = 7, reconnectEvery: Int? = nil,
                       replayJitter: Double = 0.015) -> [LiveEvent] {
        var events: [LiveEvent] = [.open(requestID: "fixture")]
        var span: [Word] = []
        var spanStart = 0.0
        var finals: [Results] = []
        func results(_ ws: [Word], isFinal: Bool, speechFinal: Bool, guess: Bool = false) -> Results {
            let end = ws.last?.end ?? spanStart
            let shown = guess ? ws.map { w in var w = w; w.punctuatedWord = w.word; return w } : ws
            return Results(start: spanStart, duration: max(0, end - spanStart), isFinal: isFinal, speechFinal: speechFinal,
                           channel: Channel(alternatives: [Alternative(
                               transcript: shown.map(\.display).joined(separator: " "),
                               confidence: ws.map(\.confidence).min() ?? 0, words: shown)]))
        }
        for (i, w) in words.enumerated() {
            span.append(w)
            let sentenceEnd = endsSentence(w) || i == words.count - 1
            if !sentenceEnd && span.count % 2 == 1 {
                // Interims are rough guesses: bare words, no punctuation.
                events.append(.results(results(span, isFinal: false, speechFinal: false, guess: true)))
            }
            if sentenceEnd || span.count >= finalEvery {
                let f = results(span, isFinal: true, speechFinal: sentenceEnd)
                events.append(.results(f))
                finals.append(f)
                spanStart = w.end
                span = []
                if let n = reconnectEvery, finals.count % n == 0 {
                    events.append(.close(code: 1006, reason: ""))
                    events.append(.reconnecting(attempt: 1, delay: .milliseconds(500)))
                    events.append(.open(requestID: "fixture-reconnect"))
                    for r in finals.suffix(2) {
                        var r = r.offset(by: replayJitter)
                        r.channel.alternatives[0].words = r.channel.alternatives[0].words.map { w in
                            var w = w; w.confidence *= 0.99; return w
                        }
                        events.append(.results(r))
                    }
                }
                if sentenceEnd, i + 1 < words.count, words[i + 1].start - w.end >= 1.0 {
                    // Silence: an empty final, then the utterance end.
                    events.append(.results(Results(start: w.end, duration: words[i + 1].start - w.end - 0.1,
                                                   isFinal: true, speechFinal: false,
                                                   channel: Channel(alternatives: [Alternative(transcript: "", confidence: 0, words: [])]))))
                    events.append(.utteranceEnd(UtteranceEnd(lastWordEnd: w.end)))
                    spanStart = words[i + 1].start - 0.1
                }
            }
        }
        return events
    }

    /// Feeds events to a fresh store.
    static func store(_ events: [LiveEvent]) -> TranscriptStore {
        var s = TranscriptStore()
        for e in events { s.apply(e) }
        return s
    }

    /// The fixed header used by golden files.
    static let header = JournalHeader(engine: "deepgram", model: "nova-3",
                                      options: LiveOptions(model: .nova3, interimResults: true, smartFormat: true),
                                      startTime: Date(timeIntervalSince1970: 1_767_323_045.678),
                                      capttyVersion: "0.0.0-test")
}
