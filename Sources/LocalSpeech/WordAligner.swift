/// Gives times to words that came without them (Moonshine's text) by aligning them with words
/// that have times (PocketSphinx's hypothesis of the same audio).
///
/// Words paired by the alignment (same word, or a substitution) take the timed word's span;
/// the rest share the gaps between paired words in proportion to their length; with nothing
/// to align against, the words share the whole span. The result is monotonic and inside
/// `span`. Confidence is an agreement score: 0.95 when both engines heard the same word,
/// 0.6 for a substitution, 0.4 for a word only the accurate engine heard.
public enum WordAligner {
    public static func align(_ tokens: [(punctuated: String, bare: String)], with timed: [TimedWord],
                             span: ClosedRange<Double>) -> [TimedWord] {
        guard !tokens.isEmpty else { return [] }
        let n = tokens.count, m = timed.count
        // Edit-distance table, then walk back to pair tokens with timed words.
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
        var pair: [Int?] = Array(repeating: nil, count: n)
        var i = n, j = m
        while i > 0 && j > 0 {
            let same = tokens[i - 1].bare == timed[j - 1].word
            if cost[i][j] == cost[i - 1][j - 1] + (same ? 0 : 1) { pair[i - 1] = j - 1; i -= 1; j -= 1 }
            else if cost[i][j] == cost[i - 1][j] + 1 { i -= 1 }
            else { j -= 1 }
        }
        var out: [TimedWord] = tokens.enumerated().map { k, t in
            if let p = pair[k] {
                let w = timed[p]
                return TimedWord(word: t.bare, punctuated: t.punctuated, start: w.start, end: w.end,
                                 confidence: w.word == t.bare ? 0.95 : 0.6)
            }
            return TimedWord(word: t.bare, punctuated: t.punctuated, start: .nan, end: .nan, confidence: 0.4)
        }
        // Fill runs of unpaired words between their paired neighbours.
        var k = 0
        while k < n {
            guard pair[k] == nil else { k += 1; continue }
            var e = k
            while e < n && pair[e] == nil { e += 1 }
            let lo = k > 0 ? out[k - 1].end : span.lowerBound
            let hi = e < n ? out[e].start : span.upperBound
            distribute(&out, k..<e, from: lo, to: max(lo, hi))
            k = e
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
        return out
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
