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

    /// Ctrl-C is one SIGINT a key press (the screen's supervisor does not forward the copy the
    /// terminal already sent its child): only a copy sent to the whole process group by another
    /// program (`kill -INT -PGID`, the supervisor forwarding it) comes this soon after.
    public static let interruptGrace = Duration.milliseconds(150)

    private let began: ContinuousClock.Instant
    private var baseline: Int?
    private var interruptBaseline: Int
    private var stopped = false

    /// `interrupts`: the SIGINTs so far (`TerminalSignals.interruptCount`).
    public init(began: ContinuousClock.Instant = .now, interrupts: Int = 0) {
        self.began = began
        interruptBaseline = interrupts
    }

    /// Looks at the number of termination signals so far, and of SIGINTs among them; each
    /// change is reported once. A second Ctrl-C stops the wait at once, even in the grace
    /// second (pressed twice quickly, it was ignored and the user waited the whole finish).
    public mutating func observe(count: Int, interrupts: Int = 0, now: ContinuousClock.Instant = .now) -> Change? {
        guard !stopped else { return nil }
        if interrupts > interruptBaseline {
            if now - began < Self.interruptGrace {
                interruptBaseline = interrupts
            } else {
                stopped = true
                return .stopWaiting
            }
        }
        guard now - began > Self.grace else { return nil }
        guard let base = baseline else {
            baseline = count
            return .graceOver
        }
        guard count > base else { return nil }
        stopped = true
        return .stopWaiting
    }
}
