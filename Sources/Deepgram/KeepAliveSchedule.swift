/// Decides when the client sends `{"type":"KeepAlive"}`: once no audio or KeepAlive has gone
/// out for `interval` (Deepgram wants one every 3–5 s while no audio flows; it closes an idle
/// stream with 1011 NET-0001 after about 10 s).
public struct KeepAliveSchedule: Sendable, Equatable {
    public let interval: Duration

    public init(interval: Duration) {
        precondition(interval > .zero, "keepalive interval must be positive")
        self.interval = interval
    }

    /// What to do at `now`, given when audio or a KeepAlive last went out.
    public enum Decision: Sendable, Equatable {
        case sendNow
        /// Check again after this long.
        case wait(Duration)
    }

    public func decide(now: ContinuousClock.Instant, lastSent: ContinuousClock.Instant) -> Decision {
        let idle = lastSent.duration(to: now)
        return idle >= interval ? .sendNow : .wait(interval - idle)
    }
}
