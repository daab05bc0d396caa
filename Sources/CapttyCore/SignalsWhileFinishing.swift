/// Reads termination signals while a session finishes: a signal during the first second after
/// the finish began is part of the one that started it (a hang-up often arrives twice, from the
/// kernel and again from the shell, and the screen's supervisor forwards what it gets); one
/// after that asks to stop waiting for the engine. Plain mode and the screen both use it.
public struct SignalsWhileFinishing: Sendable {
    /// How long signals count as part of the first.
    public static let grace = Duration.seconds(1)

    public enum Change: Sendable, Equatable {
        /// The grace second is over: later signals count (plain mode says so once).
        case graceOver
        /// A signal came after the grace second: stop waiting.
        case stopWaiting
    }

    private let began: ContinuousClock.Instant
    private var baseline: Int?
    private var stopped = false

    public init(began: ContinuousClock.Instant = .now) { self.began = began }

    /// Looks at the number of termination signals so far; each change is reported once.
    public mutating func observe(count: Int, now: ContinuousClock.Instant = .now) -> Change? {
        guard !stopped, now - began > Self.grace else { return nil }
        guard let base = baseline else {
            baseline = count
            return .graceOver
        }
        guard count > base else { return nil }
        stopped = true
        return .stopWaiting
    }
}
