import SystemSupport

/// How fast a connection may be fed: at most `burst` of audio at once, then `speed` × real time.
///
/// Deepgram accepts roughly 1.25× real time, so a replayed backlog drains slowly; live audio
/// arriving in real time is never held back. `speed == nil` sends as fast as the socket takes
/// (useful against a local server or the test double).
public struct ReplayPacing: Sendable, Equatable {
    /// Multiple of real time; nil for no limit.
    public var speed: Double?
    /// Audio sent immediately on a new connection before pacing starts.
    public var burst: Duration

    public init(speed: Double?, burst: Duration = .seconds(10)) {
        self.speed = speed.map { max($0, 0.01) }
        self.burst = burst
    }

    /// Deepgram's cloud: 1.25× real time after a 10 s burst.
    public static let deepgram = ReplayPacing(speed: 1.25, burst: .seconds(10))
    /// No pacing.
    public static let unlimited = ReplayPacing(speed: nil)

    /// How long to wait before sending more, when `sent` seconds of audio went out in the
    /// `elapsed` time since the connection opened; nil to send now.
    public func wait(sent: Double, elapsed: Duration) -> Duration? {
        guard let speed else { return nil }
        let allowed = burst.seconds + speed * elapsed.seconds
        guard sent >= allowed else { return nil }
        return .nanoseconds(Int64(((sent - allowed) / speed * 1e9).rounded(.up)) + 1_000_000)
    }
}
