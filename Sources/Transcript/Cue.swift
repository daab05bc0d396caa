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
    /// `cues` with a cue for each gap put in time order: its note, for the gap's span, ending
    /// before the next cue begins (a gap's place is approximate). The note is wrapped at word
    /// boundaries to `rules.maxLineLength`, as caption text is (a 62-character note was one line).
    public static func merging(_ cues: [Cue], gaps: [AudioGap], rules: CueRules = CueRules()) -> [Cue] {
        guard !gaps.isEmpty else { return cues }
        var all = cues
        for g in gaps {
            let start = Int64((g.start * 1000).rounded())
            var end = Int64((g.end * 1000).rounded())
            if let next = cues.first(where: { $0.startMs >= start }) { end = min(end, next.startMs) }
            end = max(end, start + 1000)
            all.append(Cue(startMs: start, endMs: end, lines: wrapped(g.note, width: rules.maxLineLength), speaker: nil, channel: 0, lineID: -1, startsLine: true))
        }
        return all.sorted { ($0.startMs, $0.lineID) < ($1.startMs, $1.lineID) }
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
