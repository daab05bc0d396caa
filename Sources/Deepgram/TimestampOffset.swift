/// Maps one connection's timestamps (which restart at 0) onto the session's audio time.
///
/// A new connection begins with the first replayed byte, at absolute byte `startByte`; its
/// results are shifted by `seconds`, the audio time of that byte, so timestamps stay continuous.
public struct TimestampOffset: Sendable, Equatable {
    /// Absolute offset of the first byte sent on this connection.
    public let startByte: Int64
    /// Seconds added to every timestamp of this connection.
    public let seconds: Double
    let timeline: AudioTimeline?

    /// A connection whose audio starts at absolute byte `startByte` of a raw PCM stream.
    public init(startByte: Int64, timeline: AudioTimeline) {
        self.startByte = startByte
        self.seconds = timeline.seconds(forBytes: startByte)
        self.timeline = timeline
    }

    /// A connection of compressed audio (no byte↔time mapping): offset by the audio time already
    /// reported, `seconds`.
    public init(seconds: Double, startByte: Int64) {
        self.startByte = startByte
        self.seconds = seconds
        self.timeline = nil
    }

    public static let zero = TimestampOffset(seconds: 0, startByte: 0)

    /// Session time of a connection timestamp.
    public func sessionTime(_ connectionTime: Double) -> Double { connectionTime + seconds }

    /// The absolute byte a connection timestamp corresponds to; nil for compressed audio.
    public func absoluteByte(atConnectionTime t: Double) -> Int64? {
        guard let timeline else { return nil }
        return startByte + timeline.bytes(forSeconds: t)
    }

    public func apply(_ r: Results) -> Results { r.offset(by: seconds) }

    public func apply(_ u: UtteranceEnd) -> UtteranceEnd {
        var u = u; u.lastWordEnd += seconds; return u
    }

    public func apply(_ s: SpeechStarted) -> SpeechStarted {
        var s = s; s.timestamp += seconds; return s
    }
}
