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
