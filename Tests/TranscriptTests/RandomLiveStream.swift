import Deepgram
import TestSupport
import Transcript

/// Random but well-formed live event streams with the outcome the store must reach: every
/// word committed once in order, the latest interim pending, replays after reconnects merged.
struct RandomLiveStream {
    /// One generated event plus what the store's pending interim for its channel must be after it.
    struct Step {
        var event: LiveEvent
        var channel: Int
        var expectedPending: [String]?
    }

    var steps: [Step] = []
    /// Per channel, the word texts that must be committed, in order.
    var expectedCommitted: [Int: [String]] = [:]

    init(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        let channelCount = rng.chance(0.25) ? 2 : 1
        let diarize = rng.chance(0.5)
        var perChannel: [[Step]] = []
        for c in 0 ..< channelCount {
            let (steps, committed) = Self.channelStream(channel: c, channels: channelCount, diarize: diarize, rng: &rng)
            perChannel.append(steps)
            expectedCommitted[c] = committed
        }
        // Interleave channels, keeping each channel's order.
        var idx = [Int](repeating: 0, count: channelCount)
        while true {
            let open = (0 ..< channelCount).filter { idx[$0] < perChannel[$0].count }
            guard let c = open.randomElement(using: &rng) else { break }
            steps.append(perChannel[c][idx[c]])
            idx[c] += 1
        }
    }

    static func results(_ words: [Word], channel: Int, channels: Int, start: Double, end: Double,
                        isFinal: Bool, speechFinal: Bool) -> Results {
        Results(channelIndex: [channel, channels], start: start, duration: max(0, end - start), isFinal: isFinal,
                speechFinal: speechFinal, channel: Channel(alternatives: [Alternative(
                    transcript: words.map(\.display).joined(separator: " "), confidence: 0.9, words: words)]))
    }

    static func channelStream(channel c: Int, channels: Int, diarize: Bool,
                              rng: inout SeededRandom) -> ([Step], [String]) {
        // The true timeline.
        let n = rng.int(0 ... 120)
        var words: [Word] = []
        var t = rng.double(0 ... 2)
        var speaker = 0
        for i in 0 ..< n {
            t += rng.chance(0.1) ? rng.double(0.5 ... 3) : rng.double(0 ... 0.3)
            let d = rng.double(0.12 ... 0.6)
            if diarize && rng.chance(0.08) { speaker = rng.int(0 ... 2) }
            words.append(Word(word: "c\(c)w\(i)", start: t, end: t + d, confidence: rng.double(0.3 ... 1),
                              punctuatedWord: "C\(c)w\(i)" + (rng.chance(0.15) ? "." : ""),
                              speaker: diarize ? speaker : nil))
            t += d
        }
        var steps: [Step] = []
        var next = 0                     // first uncommitted word
        var finals: [(Int, Int)] = []    // committed word ranges
        var offset = 0.0                 // this connection's timestamp error
        var spanStart = 0.0
        var committed: [String] = []
        func shifted(_ ws: ArraySlice<Word>) -> [Word] {
            ws.map { w in var w = w; w.start += offset; w.end += offset; return w }
        }
        func pendingAfterFinal() -> [String]? { nil }
        while next < n || rng.chance(0.3) {
            let roll = rng.double(0 ... 1)
            if roll < 0.40, next < n {
                // Interim: a guess for the words since the last final.
                let k = rng.int(1 ... min(6, n - next))
                var ws = shifted(words[next ..< next + k])
                if rng.chance(0.5) { ws = ws.map { w in var w = w; w.punctuatedWord = w.word + "?"; return w } }
                let r = results(ws, channel: c, channels: channels, start: spanStart + offset, end: ws.last!.end,
                                isFinal: false, speechFinal: false)
                steps.append(Step(event: .results(r), channel: c, expectedPending: ws.map(\.display)))
            } else if roll < 0.75, next < n {
                let k = rng.int(1 ... min(8, n - next))
                let ws = shifted(words[next ..< next + k])
                let r = results(ws, channel: c, channels: channels, start: spanStart + offset, end: ws.last!.end,
                                isFinal: true, speechFinal: rng.chance(0.3))
                steps.append(Step(event: .results(r), channel: c, expectedPending: nil))
                finals.append((next, next + k))
                committed += words[next ..< next + k].map(\.display)
                next += k
                spanStart = words[next - 1].end
            } else if roll < 0.83 {
                // Empty final: silence advances time.
                let end = (next < n ? words[next].start : spanStart + 1) + offset
                let r = results([], channel: c, channels: channels, start: spanStart + offset, end: max(end, spanStart + offset),
                                isFinal: true, speechFinal: rng.chance(0.5))
                steps.append(Step(event: .results(r), channel: c, expectedPending: nil))
            } else if roll < 0.90 {
                let last = next > 0 ? words[next - 1].end : 0
                steps.append(Step(event: .utteranceEnd(UtteranceEnd(channel: [c, channels], lastWordEnd: last + offset)),
                                  channel: c, expectedPending: nil))
                // An utterance end leaves the pending interim as it was.
                steps[steps.count - 1].expectedPending = Self.previousPending(steps)
            } else if !finals.isEmpty {
                // Reconnect: the new connection's offset differs slightly; recent finals are
                // replayed (sometimes re-recognised differently, sometimes re-split).
                // (A close clears every channel's interim, so only single-channel streams send one.)
                let closing: [LiveEvent] = channels == 1 ? [.close(code: 1006, reason: "")] : []
                for e in closing + [.reconnecting(attempt: 1, delay: .seconds(1)), .open(requestID: nil)] {
                    steps.append(Step(event: e, channel: c, expectedPending: nil))
                    steps[steps.count - 1].expectedPending = e == .close(code: 1006, reason: "") ? nil : Self.previousPending(steps)
                }
                offset = rng.double(-0.02 ... 0.02)
                let from = finals[max(0, finals.count - rng.int(1 ... 3))].0
                var i = from
                while i < next {
                    let k = rng.int(1 ... next - i)
                    var ws = shifted(words[i ..< i + k])
                    if rng.chance(0.3) { ws = ws.map { w in var w = w; w.punctuatedWord = (w.punctuatedWord ?? "") + "x"; return w } }
                    if rng.chance(0.4) {
                        let r = results(ws, channel: c, channels: channels, start: ws.first!.start, end: ws.last!.end,
                                        isFinal: false, speechFinal: false)
                        steps.append(Step(event: .results(r), channel: c, expectedPending: nil))
                    }
                    let r = results(ws, channel: c, channels: channels, start: ws.first!.start, end: ws.last!.end,
                                    isFinal: true, speechFinal: rng.chance(0.3))
                    steps.append(Step(event: .results(r), channel: c, expectedPending: nil))
                    i += k
                }
            }
            if steps.count > 2000 { break }
        }
        return (steps, committed)
    }

    static func previousPending(_ steps: [Step]) -> [String]? {
        steps.count >= 2 ? steps[steps.count - 2].expectedPending : nil
    }
}
