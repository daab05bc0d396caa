/// Words kept as the engine last guessed them, never made final (the stream ended, or the
/// engine stopped answering, before it confirmed them): where they are, so that exports can
/// say so. Live captions show them as "(unconfirmed…)"; a transcript read later showed them as
/// confirmed speech (found in QA).
public struct UnconfirmedSpan: Sendable, Equatable {
    public var channel: Int
    /// Session seconds.
    public var start: Double
    public var end: Double

    public init(channel: Int, start: Double, end: Double) {
        self.channel = channel; self.start = start; self.end = end
    }

    /// The note after a line that holds such words.
    public static let note = "[unconfirmed: the engine's last guess]"
    /// The mark opening each caption cue of such a line (SRT, WebVTT): short, as cue lines are.
    public static let cueMark = "[unconfirmed]"

    /// Whether `line` holds words of one of `spans` (a word within one). A line that only
    /// touches a span (the final before it ends where it begins) does not: it was marked too.
    public static func marks(_ line: CaptionLine, in spans: [UnconfirmedSpan]) -> Bool {
        spans.contains { s in
            s.channel == line.channel && line.words.contains { $0.start >= s.start - 1e-6 && $0.end <= s.end + 1e-6 }
        }
    }
}
