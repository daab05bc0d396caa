/// Gives times to words that came without them (Moonshine's text) by aligning them with words
/// that have times (PocketSphinx's hypothesis of the same audio).
///
/// Words both engines heard (an edit-distance alignment's matches) are anchors and take the
/// timed word's span. Between two anchors (or an anchor and either end), the words of the two
/// engines are paired one to one when there are as many of each (substitutions); otherwise the
/// accurate words share the stretch the timed words there cover (the speech), in proportion to
/// their length. A substitution is only trusted between anchors that agree on how many words
/// lie between them: when the engines heard very differently, pairing by position put a whole
/// caption seconds late (it matched the accurate words to the timed hypothesis's last words).
/// With nothing to align against, the words share the whole span. The result is monotonic and
/// inside `span`. Confidence is an agreement score: 0.95 when both engines heard the same word,
/// 0.6 for a substitution, 0.4 for a word placed by sharing.
public enum WordAligner {
    public static func align(_ tokens: [(punctuated: String, bare: String)], with timed: [TimedWord],
                             span: ClosedRange<Double>) -> [TimedWord] {
        guard !tokens.isEmpty else { return [] }
        let n = tokens.count, m = timed.count
        // Edit-distance table, then walk back to find the words both heard (anchors).
        var cost = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in 0...n { cost[i][0] = i }
        for j in 0...m { cost[0][j] = j }
        if n > 0 && m > 0 {
            for i in 1...n {
                for j in 1...m {
                    let sub = cost[i - 1][j - 1] + (tokens[i - 1].bare == timed[j - 1].word ? 0 : 1)
                    cost[i][j] = min(sub, cost[i - 1][j] + 1, cost[i][j - 1] + 1)
                }
            }
        }
        var anchors: [(token: Int, timed: Int)] = []
        var i = n, j = m
        while i > 0 && j > 0 {
            let same = tokens[i - 1].bare == timed[j - 1].word
            if cost[i][j] == cost[i - 1][j - 1] + (same ? 0 : 1) {
                if same { anchors.append((i - 1, j - 1)) }
                i -= 1; j -= 1
            } else if cost[i][j] == cost[i - 1][j] + 1 { i -= 1 }
            else { j -= 1 }
        }
        anchors.reverse()

        var out: [TimedWord] = tokens.map { TimedWord(word: $0.bare, punctuated: $0.punctuated, start: .nan, end: .nan, confidence: 0.4) }
        for a in anchors {
            out[a.token].start = timed[a.timed].start
            out[a.token].end = timed[a.timed].end
            out[a.token].confidence = 0.95
        }
        // The stretches between anchors: tokens ts ..< te against timed words ws ..< we.
        var prev: (token: Int, timed: Int) = (-1, -1)
        for next in anchors + [(n, m)] {
            let ts = prev.token + 1, te = next.token, ws = prev.timed + 1, we = next.timed
            defer { prev = next }
            guard ts < te else { continue }
            // Before the first anchor, timed words that begin over a second into the span began
            // late: the timed engine mistook the start of the speech for silence (compressed
            // speech: 2.2 s; found in QA). The words there share the stretch from the span's start.
            let lateStart = ts == 0 && ws < we && timed[ws].start - span.lowerBound > Self.lateStart
            if te - ts == we - ws && !lateStart {
                for k in 0..<(te - ts) {
                    out[ts + k].start = timed[ws + k].start
                    out[ts + k].end = timed[ws + k].end
                    out[ts + k].confidence = 0.6
                }
                continue
            }
            let before = ts > 0 ? out[ts - 1].end : span.lowerBound
            let after = te < n ? out[te].start : span.upperBound
            var lo = before, hi = after
            // The speech the timed words there cover, within the neighbours' bounds; but not
            // when no word at all agrees and they cover under half the span: the timed engine
            // then mistook speech for silence (compressed speech: its words began 2.2 s into the
            // speech, and every caption of it was that late; found in QA).
            let untrusted = anchors.isEmpty && ws < we && (timed[we - 1].end - timed[ws].start) * 2 < span.upperBound - span.lowerBound
            if ws < we && !untrusted {
                lo = lateStart ? before : max(before, timed[ws].start)
                hi = min(after, timed[we - 1].end)
                if hi <= lo { lo = before; hi = after }
            }
            distribute(&out, ts..<te, from: lo, to: max(lo, hi))
        }
        // Clamp into the span and make times monotonic.
        var cursor = span.lowerBound
        for x in out.indices {
            var s = min(max(out[x].start, cursor), span.upperBound)
            var e = min(max(out[x].end, s), span.upperBound)
            if !s.isFinite { s = cursor }
            if !e.isFinite { e = s }
            out[x].start = s; out[x].end = e
            cursor = e
        }
        giveEveryWordATime(&out, span: span)
        return out
    }

    /// How far (seconds) into the span the timed words may begin before the words ahead of the
    /// first anchor are given the stretch from the span's start instead.
    static let lateStart = 1.0

    /// The shortest a word is made when its neighbours leave room (Deepgram's words always end
    /// after they start; "and" went out at 15.19–15.19, found in QA).
    static let shortestWord = 0.02

    /// Widens words of no length into the room beside them: after, up to the next word's start
    /// (or the span's end), else before, down to the previous word's end, else into a longer
    /// neighbour.
    static func giveEveryWordATime(_ out: inout [TimedWord], span: ClosedRange<Double>) {
        for x in out.indices where out[x].end - out[x].start < 0.001 {
            let next = x + 1 < out.count ? out[x + 1].start : span.upperBound
            out[x].end = min(out[x].start + shortestWord, max(next, out[x].end))
            if out[x].end - out[x].start < 0.001 {
                let previous = x > 0 ? out[x - 1].end : span.lowerBound
                out[x].start = max(out[x].end - shortestWord, min(previous, out[x].start))
            }
            guard out[x].end - out[x].start < 0.001 else { continue }
            // Squeezed between two words: a longer neighbour gives up a little.
            if x > 0, out[x - 1].end - out[x - 1].start > 2 * shortestWord {
                out[x - 1].end -= shortestWord
                out[x].start = out[x - 1].end
            } else if x + 1 < out.count, out[x + 1].end - out[x + 1].start > 2 * shortestWord {
                out[x + 1].start += shortestWord
                out[x].end = out[x + 1].start
            }
        }
    }

    /// Shares `lo...hi` among `words[range]` in proportion to their length in characters.
    static func distribute(_ words: inout [TimedWord], _ range: Range<Int>, from lo: Double, to hi: Double) {
        let weights = range.map { Double(words[$0].word.count) + 1 }
        let total = weights.reduce(0, +)
        var t = lo
        for (offset, idx) in range.enumerated() {
            let d = (hi - lo) * weights[offset] / total
            words[idx].start = t; words[idx].end = t + d; t += d
        }
    }
}
