import SystemSupport

/// When and how often a dropped connection is retried: randomised exponential backoff.
///
/// Attempt n (1-based) waits `min(maxDelay, initialDelay × multiplier^(n-1))`, reduced by up to
/// `jitter` of itself at random (so many clients do not reconnect in step). Deepgram's recipe is
/// about 1 s growing to a 10 s cap.
public struct ReconnectPolicy: Sendable, Equatable {
    public var initialDelay: Duration
    public var maxDelay: Duration
    public var multiplier: Double
    /// Fraction (0…1) of each delay that is randomised away.
    public var jitter: Double
    /// Attempts after one drop before giving up; 0 disables reconnecting.
    public var maxAttempts: Int
    /// The longest `Retry-After` (of an HTTP 429 or 503) honoured; a longer one waits this long.
    public var maxRetryAfter: Duration
    /// Attempts once `finish()` was called (the audio has ended) without a connection making
    /// progress, before giving up, even when `maxAttempts` is unbounded (live captions keep
    /// reconnecting while audio comes in, but a finished file must not wait forever for a
    /// network that is down; about a minute at the default delays).
    public var maxAttemptsWhileFinishing: Int
    /// Attempts while the session has never reached the server (no TCP connection: refused,
    /// unresolvable host, no route, connect timeout) before giving up, even when `maxAttempts`
    /// is larger: an address nobody answers at the start is more likely wrong than restarting,
    /// and a batch job should say so in seconds, not after a minute of backoff. (About 2–7 s at
    /// the default delays.) Live captions set it as high as `maxAttempts`: someone is watching
    /// the status, and the network may come up later (a laptop waking).
    public var maxAttemptsBeforeFirstContact: Int

    public init(initialDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(10),
                multiplier: Double = 2, jitter: Double = 0.5, maxAttempts: Int = 10,
                maxRetryAfter: Duration = .seconds(60), maxAttemptsWhileFinishing: Int = 10,
                maxAttemptsBeforeFirstContact: Int = 3) {
        self.initialDelay = initialDelay; self.maxDelay = maxDelay
        self.multiplier = max(1, multiplier); self.jitter = min(max(jitter, 0), 1)
        self.maxAttempts = max(0, maxAttempts)
        self.maxRetryAfter = max(.zero, maxRetryAfter)
        self.maxAttemptsWhileFinishing = max(0, maxAttemptsWhileFinishing)
        self.maxAttemptsBeforeFirstContact = max(0, maxAttemptsBeforeFirstContact)
    }

    /// Never reconnect.
    public static let never = ReconnectPolicy(maxAttempts: 0)

    /// The delay before attempt `attempt` (1-based), given a uniform random value in 0..<1.
    public func delay(forAttempt attempt: Int, random unit: Double) -> Duration {
        let n = max(1, attempt)
        let cap = maxDelay.seconds
        var base = initialDelay.seconds
        var i = 1
        while i < n && base < cap && multiplier > 1 { base *= multiplier; i += 1 }   // stops at the cap
        base = min(base, cap)
        let u = min(max(unit, 0), 1)
        let s = base * (1 - jitter * u)
        return .nanoseconds(Int64((s * 1e9).rounded()))
    }

    /// The delay before attempt `attempt`, with a fresh random value.
    public func delay(forAttempt attempt: Int) -> Duration {
        delay(forAttempt: attempt, random: Double.random(in: 0..<1))
    }

    /// The delay before attempt `attempt` when the server asked to wait `retryAfter`: the
    /// longer of the backoff and the request (bounded by `maxRetryAfter`).
    public func delay(forAttempt attempt: Int, retryAfter: Duration?) -> Duration {
        let backoff = delay(forAttempt: attempt)
        guard let retryAfter else { return backoff }
        return max(backoff, min(retryAfter, maxRetryAfter))
    }

    /// Whether attempt `attempt` (1-based) may run.
    public func allows(attempt: Int) -> Bool { attempt >= 1 && attempt <= maxAttempts }
}
