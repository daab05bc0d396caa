/// Cuts caption lines into cues that follow `CueRules`: text broken into at most `maxLines`
/// lines of `maxLineLength` characters, at punctuation where possible and never right after
/// an article, determiner or preposition; each cue between `minDuration` and `maxDuration`.
public enum CueBuilder {
    struct Token {
        var text: String
        var start: Double
        var end: Double
    }

    /// Cues for `lines`, in order. `label` gives text to show before the first words of a line
    /// (a speaker name, say); it counts towards the line length.
    public static func cues(from lines: some Sequence<CaptionLine>, rules: CueRules = .broadcast,
                            label: (CaptionLine) -> String? = { _ in nil }) -> [Cue] {
        var out: [Cue] = []
        for line in lines where !line.words.isEmpty {
            var tokens: [Token] = []
            if let l = label(line), !l.isEmpty {
                tokens.append(Token(text: l, start: line.start, end: line.start))
            }
            for w in line.words {
                for piece in split(w.text, max: rules.maxLineLength) {
                    tokens.append(Token(text: piece, start: w.start, end: w.end))
                }
            }
            var first = true
            for range in cueRanges(tokens, rules: rules) {
                let ts = Array(tokens[range])
                let text = layout(ts.map(\.text), rules: rules) ?? [ts.map(\.text).joined(separator: " ")]
                out.append(Cue(startMs: Timecode.milliseconds(ts.first!.start), endMs: Timecode.milliseconds(ts.last!.end),
                               lines: text, speaker: line.speaker, channel: line.channel, lineID: line.id,
                               startsLine: first))
                first = false
            }
        }
        adjustDurations(&out, rules: rules)
        return out
    }

    /// Splits a word longer than a line into line-sized pieces (a URL, say).
    static func split(_ s: String, max: Int) -> [String] {
        guard s.count > max else { return [s] }
        var pieces: [String] = []
        var rest = Substring(s)
        while !rest.isEmpty {
            pieces.append(String(rest.prefix(max)))
            rest = rest.dropFirst(max)
        }
        return pieces
    }

    static func breakScore(_ t: [Token], after i: Int) -> Int {
        let next = i + 1 < t.count ? t[i + 1] : nil
        return LineBreaking.score(after: t[i].text, next: next?.text, gap: next.map { $0.start - t[i].end } ?? 0)
    }

    /// The token ranges of successive cues.
    static func cueRanges(_ t: [Token], rules: CueRules) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var i = 0
        let maxMs = Timecode.milliseconds(rules.maxDuration)
        func fits(_ r: Range<Int>) -> Bool {
            r.count == 1 || (Timecode.milliseconds(t[r.last!].end) - Timecode.milliseconds(t[r.first!].start) <= maxMs
                && layout(t[r].map(\.text), rules: rules) != nil)
        }
        while i < t.count {
            var j = i + 1
            while j < t.count && fits(i ..< j + 1) { j += 1 }
            if j == t.count { ranges.append(i ..< j); break }
            // Cue is i..<k; choose k in i+1...j.
            let fullChars = chars(t[i ..< j])
            var best: (score: Int, k: Int)?
            var fallback: (score: Int, k: Int)?
            for k in (i + 1) ... j {
                let s = breakScore(t, after: k - 1)
                guard s >= 0 else { continue }
                if fallback == nil || s > fallback!.score || (s == fallback!.score && k > fallback!.k) { fallback = (s, k) }
                if k == j || chars(t[i ..< k]) * 2 >= fullChars {
                    if best == nil || s > best!.score || (s == best!.score && k > best!.k) { best = (s, k) }
                }
            }
            let k = best?.k ?? fallback?.k ?? j
            ranges.append(i ..< k)
            i = k
        }
        return ranges
    }

    static func chars(_ t: ArraySlice<Token>) -> Int {
        t.reduce(0) { $0 + $1.text.count } + max(0, t.count - 1)
    }

    /// Breaks words into at most `rules.maxLines` lines of at most `rules.maxLineLength`
    /// characters, preferring punctuation, balance (a longer bottom line) and never a line
    /// ending in an article or preposition; nil when the words do not fit.
    public static func layout(_ words: [String], rules: CueRules = .broadcast) -> [String]? {
        let total = words.reduce(0) { $0 + $1.count } + max(0, words.count - 1)
        if total <= rules.maxLineLength { return [words.joined(separator: " ")] }
        guard rules.maxLines >= 2, words.count >= 2 else { return nil }
        var best: (cost: Double, m: Int)?
        var len1 = 0
        for m in 1 ..< words.count {
            len1 += words[m - 1].count + (m > 1 ? 1 : 0)
            let len2 = total - len1 - 1
            guard len1 <= rules.maxLineLength else { break }
            let rest = Array(words[m...])
            let restFits = len2 <= rules.maxLineLength
                || (rules.maxLines > 2 && layout(rest, rules: CueRules(maxLineLength: rules.maxLineLength, maxLines: rules.maxLines - 1)) != nil)
            guard restFits else { continue }
            let s = LineBreaking.score(after: words[m - 1], next: words[m], gap: 0)
            // Punctuation outweighs balance; a longer bottom line is slightly preferred.
            var cost = Double(abs(len1 - min(len2, rules.maxLineLength))) / 2
            if s < 0 { cost += 1000 } else { cost -= Double(s * 4) }
            if len1 > len2 { cost += 1 }
            if best == nil || cost < best!.cost { best = (cost, m) }
        }
        guard let m = best?.m else { return nil }
        let first = words[..<m].joined(separator: " ")
        let rest = Array(words[m...])
        if rest.joined(separator: " ").count <= rules.maxLineLength { return [first, rest.joined(separator: " ")] }
        guard let more = layout(rest, rules: CueRules(maxLineLength: rules.maxLineLength, maxLines: rules.maxLines - 1)) else { return nil }
        return [first] + more
    }

    /// Stretches cues shorter than the minimum into the gaps around them and clips cues longer
    /// than the maximum; cues of one channel never overlap.
    static func adjustDurations(_ cues: inout [Cue], rules: CueRules) {
        let minMs = Timecode.milliseconds(rules.minDuration)
        let maxMs = Timecode.milliseconds(rules.maxDuration)
        var lastOfChannel: [Int: Int] = [:]
        var nextOfChannel = [Int?](repeating: nil, count: cues.count)
        for i in cues.indices.reversed() {
            nextOfChannel[i] = lastOfChannel[cues[i].channel]
            lastOfChannel[cues[i].channel] = i
        }
        var prevEnd: [Int: Int64] = [:]
        for i in cues.indices {
            var c = cues[i]
            let floor = prevEnd[c.channel] ?? 0
            if c.startMs < floor { c.startMs = floor }
            if c.endMs < c.startMs { c.endMs = c.startMs }
            if c.endMs - c.startMs > maxMs { c.endMs = c.startMs + maxMs }
            if c.endMs - c.startMs < minMs {
                let ceiling = nextOfChannel[i].map { cues[$0].startMs } ?? Int64.max
                c.endMs = max(c.endMs, min(c.startMs + minMs, ceiling))
                if c.endMs - c.startMs < minMs { c.startMs = max(floor, c.endMs - minMs) }
            }
            prevEnd[c.channel] = c.endMs
            cues[i] = c
        }
    }
}
