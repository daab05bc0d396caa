/// One caption cue: up to `CueRules.maxLines` lines of text shown together for a time span.
///
/// Times are whole milliseconds, so formatting never rounds twice.
public struct Cue: Sendable, Equatable {
    public var startMs: Int64
    public var endMs: Int64
    /// The display lines, each within `CueRules.maxLineLength` characters.
    public var lines: [String]
    public var speaker: Int?
    public var channel: Int
    /// The caption line the cue was cut from.
    public var lineID: Int
    /// Whether this is the first cue of its caption line.
    public var startsLine: Bool

    public init(startMs: Int64, endMs: Int64, lines: [String], speaker: Int?, channel: Int, lineID: Int, startsLine: Bool) {
        self.startMs = startMs; self.endMs = endMs; self.lines = lines; self.speaker = speaker
        self.channel = channel; self.lineID = lineID; self.startsLine = startsLine
    }

    public var text: String { lines.joined(separator: "\n") }
}

extension Cue {
    /// `cues` with a cue for each gap put in time order: its note, in the room between the cue
    /// before it and the next (a gap's place is approximate), for the gap's span but at least
    /// `rules.minDuration` and at most `rules.maxDuration` where that room allows, within
    /// `rules.maxLines` lines (a shorter note when the full one does not fit). Found in QA: a
    /// gap cue began before the cue it followed ended, ran into the next one, took three lines
    /// or stayed 20 s.
    public static func merging(_ cues: [Cue], gaps: [AudioGap], rules: CueRules = CueRules()) -> [Cue] {
        guard !gaps.isEmpty else { return cues }
        var placed: [Cue] = []
        let minMs = max(1, Int64((rules.minDuration * 1000).rounded())), maxMs = Int64((rules.maxDuration * 1000).rounded())
        for g in gaps.sorted(by: { $0.start < $1.start }) {
            let gapStart = Timecode.milliseconds(g.start)
            let gapEnd = Timecode.milliseconds(g.end)
            // After every cue that began before it (a gap's note placed already included), and
            // before the next speech cue.
            let after = (cues.filter { $0.startMs <= gapStart } + placed).map(\.endMs).max() ?? 0
            let before = cues.filter { $0.startMs >= gapStart }.map(\.startMs).min() ?? Int64.max
            let start = max(gapStart, after)
            var end = min(max(gapEnd, start + minMs), start + maxMs, before)
            // No room before the next cue: shown over it rather than lost (never over the one before).
            if end <= start { end = start + minMs }
            placed.append(Cue(startMs: start, endMs: end, lines: noteLines(g, rules), speaker: nil, channel: 0, lineID: -1, startsLine: true))
        }
        return (cues + placed).sorted { ($0.startMs, $0.lineID) < ($1.startMs, $1.lineID) }
    }

    /// A gap's note wrapped to the cue's lines; when it takes more than `rules.maxLines`, the
    /// note without its reason.
    static func noteLines(_ g: AudioGap, _ rules: CueRules) -> [String] {
        for note in [g.note, g.shortNote] {
            let lines = wrapped(note, width: rules.maxLineLength)
            if lines.count <= rules.maxLines { return lines }
        }
        return Array(wrapped(g.shortNote, width: rules.maxLineLength).prefix(rules.maxLines))
    }

    /// `text` in lines of at most `width` characters, broken at spaces (a longer word stands
    /// alone on its line).
    static func wrapped(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += line.isEmpty ? String(word) : " " + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
