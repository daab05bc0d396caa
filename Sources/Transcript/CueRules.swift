/// Limits for caption cues (SRT, WebVTT), by default broadcast practice: at most 42
/// characters a line, 2 lines a cue, and between 5/6 s and 7 s on screen.
public struct CueRules: Sendable, Equatable {
    public var maxLineLength: Int
    public var maxLines: Int
    /// Seconds; a shorter cue is extended into the gap around it where there is one.
    public var minDuration: Double
    /// Seconds; longer speech is split into several cues.
    public var maxDuration: Double

    public init(maxLineLength: Int = 42, maxLines: Int = 2, minDuration: Double = 5.0 / 6.0, maxDuration: Double = 7) {
        self.maxLineLength = max(1, maxLineLength); self.maxLines = max(1, maxLines)
        self.minDuration = max(0, minDuration); self.maxDuration = max(self.minDuration, maxDuration)
    }

    public static let broadcast = CueRules()
}
