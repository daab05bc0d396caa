import SystemSupport

/// Cuts caption lines into cues that follow `CueRules`: text broken into at most `maxLines`
/// lines of `maxLineLength` columns (a wide CJK character takes two, as on a terminal), at punctuation where possible and never right after
/// an article, determiner or preposition; each cue between `minDuration` and `maxDuration`.
///
/// Lengths and break scores are computed once per word, so cutting costs O(words × words per
/// cue).
public enum CueBuilder {
    struct Token {
        var text: String
        var start: Double
        var end: Double
        /// Columns (`DisplayWidth`: a wide CJK character takes two).
        var length: Int
        /// How good a cue break after this token is (pauses count); negative: forbidden.
        var cueScore: Int
        /// How good a line break after this token is; negative: forbidden.
        var lineScore: Int
        /// A piece of a word too long for a line, with more of the word after it: no cue ends
        /// here (the word's end would get a cue of its own, too short to read).
        var continues = false
    }

    /// Cues for `lines`, in order of their start times. `label` gives text to show before the
    /// first words of a line (a speaker name, say); `cueLabel` text to open every cue of a line
    /// (a channel tag). Both count towards the line length. No cue is stretched past `audioEnd`
    /// (seconds; the end of the audio, when known): a short last cue starts earlier instead.
    public static func cues(from lines: some Sequence<CaptionLine>, rules: CueRules = .broadcast, audioEnd: Double? = nil,
                            cueLabel: (CaptionLine) -> String? = { _ in nil },
                            label: (CaptionLine) -> String? = { _ in nil }) -> [Cue] {
        var out: [Cue] = []
        // In time order: a label that depends on the line before (the speaker changed) is
        // worked out against the line shown before it, not the one stored before it.
        for line in ExportOrder.lines(lines) where !line.words.isEmpty {
            let prefix = cueLabel(line).flatMap { $0.isEmpty ? nil : $0 }
            var lineRules = rules
            if let prefix { lineRules.maxLineLength = max(1, rules.maxLineLength - DisplayWidth.of(prefix) - 1) }
            let t = tokens(line, label: label(line), rules: lineRules)
            var first = true
            for range in cueRanges(t, rules: lineRules) {
                let slice = t[range]
                let breaks = layoutBreaks(slice, rules: lineRules) ?? []
                var text: [String] = []
                var from = range.lowerBound
                for b in breaks + [range.upperBound] {
                    text.append(t[from ..< b].map(\.text).joined(separator: " "))
                    from = b
                }
                if let prefix { text[0] = prefix + " " + text[0] }
                out.append(Cue(startMs: Timecode.milliseconds(slice.first!.start), endMs: Timecode.milliseconds(slice.last!.end),
                               lines: text, speaker: line.speaker, channel: line.channel, lineID: line.id,
                               startsLine: first))
                first = false
            }
        }
        out = ExportOrder.cues(out)
        adjustDurations(&out, rules: rules, audioEnd: audioEnd)
        // Stretching a short cue back into the gap before it can move it before another
        // channel's cue.
        return ExportOrder.cues(out)
    }

    static func tokens(_ line: CaptionLine, label: String?, rules: CueRules) -> [Token] {
        var t: [Token] = []
        t.reserveCapacity(line.words.count + 1)
        if let label, !label.isEmpty {
            t.append(Token(text: label, start: line.start, end: line.start, length: DisplayWidth.of(label), cueScore: 0, lineScore: 0))
        }
        let labelCount = t.count
        // Tokens followed by a dictated line or paragraph break: a good place for a new cue.
        var dictatedBreaks: [Int] = []
        for w in line.words {
            let text = CaptionText.oneLine(w.text)
            if text.isEmpty {
                if t.count > labelCount { dictatedBreaks.append(t.count - 1) }
                continue
            }
            let pieces = split(text, max: rules.maxLineLength)
            if pieces.count == 1 {
                t.append(Token(text: text, start: w.start, end: w.end, length: DisplayWidth.of(text), cueScore: 0, lineScore: 0))
                continue
            }
            // The word's time is shared among its pieces by their widths, so that a cue holding
            // only its end (a word longer than a whole cue) is on screen while it is spoken.
            let widths = pieces.map { DisplayWidth.of($0) }
            let total = Double(max(1, widths.reduce(0, +)))
            var done = 0
            for (k, piece) in pieces.enumerated() {
                let from = w.start + (w.end - w.start) * Double(done) / total
                done += widths[k]
                let to = k == pieces.count - 1 ? w.end : w.start + (w.end - w.start) * Double(done) / total
                t.append(Token(text: piece, start: from, end: to, length: widths[k], cueScore: 0, lineScore: 0,
                               continues: k < pieces.count - 1))
            }
        }
        // A label with no words after it is not shown alone.
        guard t.count > labelCount else { return [] }
        for i in t.indices {
            let next = i + 1 < t.count ? t[i + 1] : nil
            let base = LineBreaking.score(after: t[i].text, next: next?.text ?? "", gap: 0)
            t[i].lineScore = base
            if let next {
                t[i].cueScore = base >= 0 && next.start - t[i].end >= 0.5 ? base + 2 : base
            } else {
                t[i].cueScore = LineBreaking.score(after: t[i].text, next: nil, gap: 0)
            }
        }
        for i in t.indices where t[i].continues { t[i].cueScore = -1 }
        for i in dictatedBreaks where t[i].cueScore >= 0 {
            t[i].cueScore = max(t[i].cueScore, 8)
            t[i].lineScore = max(t[i].lineScore, 6)
        }
        if let label, !label.isEmpty, t.count > 1 {
            // Never leave a speaker label alone on a line or in a cue.
            t[0].lineScore = -100
            t[0].cueScore = -100
        }
        return t
    }

    /// Splits a word wider than a line into line-wide pieces (a URL, say; a long run of CJK
    /// text), never inside a grapheme cluster.
    static func split(_ s: String, max: Int) -> [String] {
        guard DisplayWidth.of(s) > max else { return [s] }
        var pieces: [String] = []
        var piece = ""
        var width = 0
        for ch in s {
            let w = DisplayWidth.of(ch)
            if width + w > max, !piece.isEmpty {
                pieces.append(piece)
                piece = ""
                width = 0
            }
            piece.append(ch)
            width += w
        }
        if !piece.isEmpty { pieces.append(piece) }
        return pieces
    }

    /// The token ranges of successive cues.
    static func cueRanges(_ t: [Token], rules: CueRules) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        let maxMs = Timecode.milliseconds(rules.maxDuration)
        func fits(_ r: Range<Int>) -> Bool {
            r.count == 1 || (Timecode.milliseconds(t[r.upperBound - 1].end) - Timecode.milliseconds(t[r.lowerBound].start) <= maxMs
                && layoutBreaks(t[r], rules: rules) != nil)
        }
        var i = 0
        while i < t.count {
            var j = i + 1
            while j < t.count && fits(i ..< j + 1) { j += 1 }
            if j == t.count { ranges.append(i ..< j); break }
            // The cue is i..<k for the best k in i+1...j: the best break among those that keep
            // the cue at least half full, else any allowed break, else the longest cue.
            let fullChars = chars(t[i ..< j])
            var best: (score: Int, k: Int)?
            var fallback: (score: Int, k: Int)?
            var kChars = -1
            for k in (i + 1) ... j {
                kChars += t[k - 1].length + 1
                let s = t[k - 1].cueScore
                guard s >= 0 else { continue }
                if fallback == nil || s >= fallback!.score { fallback = (s, k) }
                if k == j || kChars * 2 >= fullChars {
                    if best == nil || s >= best!.score { best = (s, k) }
                }
            }
            let k = best?.k ?? fallback?.k ?? j
            ranges.append(i ..< k)
            i = k
        }
        return ranges
    }

    static func chars(_ t: ArraySlice<Token>) -> Int {
        t.reduce(0) { $0 + $1.length } + max(0, t.count - 1)
    }

    /// Breaks words into at most `rules.maxLines` lines of at most `rules.maxLineLength`
    /// characters, preferring punctuation, balance (a longer bottom line) and never a line
    /// ending in an article or preposition; nil when the words do not fit.
    public static func layout(_ words: [String], rules: CueRules = .broadcast) -> [String]? {
        let line = CaptionLine(id: 0, words: words.enumerated().map { i, w in
            CaptionWord(word: w, start: Double(i), end: Double(i), confidence: 1)
        })
        let t = tokens(line, label: nil, rules: CueRules(maxLineLength: Int.max / 4, maxLines: rules.maxLines))
        guard let breaks = layoutBreaks(t[...], rules: rules) else { return nil }
        var out: [String] = []
        var from = 0
        for b in breaks + [t.count] {
            out.append(t[from ..< b].map(\.text).joined(separator: " "))
            from = b
        }
        return out
    }

    /// Where lines start (token indices after the first line), or nil when the tokens do not fit.
    static func layoutBreaks(_ t: ArraySlice<Token>, rules: CueRules) -> [Int]? {
        let total = chars(t)
        if total <= rules.maxLineLength { return [] }
        guard rules.maxLines >= 2, t.count >= 2 else { return nil }
        var best: (cost: Double, breaks: [Int])?
        var len1 = -1
        for m in (t.startIndex + 1) ..< t.endIndex {
            len1 += t[m - 1].length + 1
            guard len1 <= rules.maxLineLength else { break }
            let len2 = total - len1 - 1
            let rest: [Int]
            if len2 <= rules.maxLineLength {
                rest = []
            } else if rules.maxLines > 2,
                      let r = layoutBreaks(t[m...], rules: CueRules(maxLineLength: rules.maxLineLength, maxLines: rules.maxLines - 1)) {
                rest = r
            } else {
                continue
            }
            // Punctuation outweighs balance; a longer bottom line is slightly preferred.
            let s = t[m - 1].lineScore
            var cost = Double(abs(len1 - min(len2, rules.maxLineLength))) / 2
            if s < 0 { cost += 1000 } else { cost -= Double(s * 4) }
            if len1 > len2 { cost += 1 }
            if best == nil || cost < best!.cost { best = (cost, [m] + rest) }
        }
        return best?.breaks
    }

    /// Stretches cues shorter than the minimum into the gaps around them and clips cues longer
    /// than the maximum; cues of one channel never overlap, and every cue ends after it starts
    /// (a cue left without time, as when zero-length words start several cues at the same
    /// moment, gets the minimum and the next cues of its channel start after it). A cue that
    /// starts before `audioEnd` ends by it: a short one there starts earlier instead (a cue
    /// running past the end of the media it captions).
    static func adjustDurations(_ cues: inout [Cue], rules: CueRules, audioEnd: Double? = nil) {
        let minMs = Timecode.milliseconds(rules.minDuration)
        let maxMs = Timecode.milliseconds(rules.maxDuration)
        let endMs = audioEnd.flatMap { $0.isFinite && $0 > 0 ? Timecode.milliseconds($0) : nil }
        var lastOfChannel: [Int: Int] = [:]
        var nextOfChannel = [Int?](repeating: nil, count: cues.count)
        for i in cues.indices.reversed() {
            nextOfChannel[i] = lastOfChannel[cues[i].channel]
            lastOfChannel[cues[i].channel] = i
        }
        var prevOfChannel: [Int: Int] = [:]
        for i in cues.indices {
            var c = cues[i]
            var floor = prevOfChannel[c.channel].map { cues[$0].endMs } ?? 0
            if c.startMs < floor, let p = prevOfChannel[c.channel] {
                // A cue that starts before the previous one ends (a final that came out of order,
                // its words clamped to where the previous line ends) takes that time back, down
                // to the previous cue's minimum, before it is pushed later: pushed, it pushed every
                // cue after it too, the last ones past the end of the audio (found in QA).
                let back = max(cues[p].startMs + max(1, minMs), c.startMs)
                if back < floor {
                    cues[p].endMs = back
                    floor = back
                }
            }
            if c.startMs < floor { c.startMs = floor }
            if let e = endMs, cues[i].startMs < e, c.startMs >= e, let p = prevOfChannel[c.channel], cues[p].startMs + 1 < e {
                // Pushed to the end of the audio by the cues before it (a final out of order whose
                // words were clamped there): it shares the previous cue's time instead of running
                // past the end (cued 5.000 --> 5.833 for a 5 s file; found in QA).
                let mid = (cues[p].startMs + e) / 2
                cues[p].endMs = mid
                c.startMs = mid
                floor = mid
            }
            if c.endMs < c.startMs { c.endMs = c.startMs }
            if c.endMs - c.startMs > maxMs { c.endMs = c.startMs + maxMs }
            let audioCeiling = endMs.flatMap { c.startMs < $0 ? $0 : nil } ?? Int64.max
            c.endMs = min(c.endMs, audioCeiling)
            if c.endMs - c.startMs < minMs {
                let ceiling = min(nextOfChannel[i].map { cues[$0].startMs } ?? Int64.max, audioCeiling)
                c.endMs = max(c.endMs, min(c.startMs + minMs, ceiling))
                if c.endMs - c.startMs < minMs { c.startMs = max(floor, c.endMs - minMs) }
            }
            if c.endMs <= c.startMs { c.endMs = c.startMs + max(1, minMs) }
            prevOfChannel[c.channel] = i
            cues[i] = c
        }
    }
}
