import FoundationEssentials
import Glibc
import Synchronization

/// Signal handling that keeps the terminal usable on every way out.
///
/// - SIGTERM, SIGHUP, SIGINT only set a flag (`terminationRequested`); the app loop sees it on
///   its next tick and finishes like quit (saves, then `CursesTerminal.end()`).
/// - SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, SIGTRAP: the handler writes the terminal reset
///   sequence and restores the saved tty modes (both async-signal-safe: `write`, `tcsetattr`),
///   then puts back the previous handler (e.g. Swift's backtracer) and re-raises.
public enum TerminalSignals {
    /// Signals that ask the app to finish.
    public static let terminationSignals: [Int32] = [SIGTERM, SIGHUP, SIGINT]
    /// Signals of a crash.
    public static let crashSignals: [Int32] = [SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, SIGTRAP]

    /// Installs the termination handlers (idempotent).
    public static func installTerminationHandlers() {
        for sig in terminationSignals { install(terminationHandler, for: sig) }
    }

    /// Sets a plain handler (or `SIG_DFL`) for `sig`, with no flags and nothing else blocked.
    private static func install(_ handler: (@convention(c) (Int32) -> Void)?, for sig: Int32) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(sig, &action, nil)
    }

    /// Catches Ctrl-Z (SIGTSTP) as a request the UI thread answers (`takeSuspendRequest`,
    /// `CursesTerminal.suspend`). Installed before the screen opens, so that ncurses does not
    /// install its own handler, which left the screen in the middle of another thread's frame
    /// and once came back in line mode (keys echoed over the status bar).
    public static func installSuspendHandler() { install(suspendHandler, for: SIGTSTP) }

    /// Ctrl-Z stops the process again as usual (the screen is closed; no UI thread answers it).
    public static func removeSuspendHandler() { install(SIG_DFL, for: SIGTSTP) }

    /// Stops the process as SIGTSTP's default action does (the shell reports the job as
    /// stopped) and returns once it is continued; the caller installs its handler again. The
    /// calling thread may block the signal (signals are watched elsewhere): raised blocked, it
    /// stayed pending and the process never stopped.
    public static func stopAsCtrlZWould() {
        install(SIG_DFL, for: SIGTSTP)
        var set = sigset_t(), previous = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTSTP)
        pthread_sigmask(SIG_UNBLOCK, &set, &previous)
        raise(SIGTSTP)   // stopped here until SIGCONT
        pthread_sigmask(SIG_SETMASK, &previous, nil)
    }

    /// Whether Ctrl-Z was pressed since the last call.
    public static func takeSuspendRequest() -> Bool { suspendRequested.exchange(false, ordering: .acquiringAndReleasing) }

    /// Whether a termination signal arrived.
    public static var terminationRequested: Bool { receivedSignal.load(ordering: .acquiring) != 0 }

    /// The termination signal that arrived, if any.
    public static var receivedSignalNumber: Int32? {
        let s = receivedSignal.load(ordering: .acquiring)
        return s == 0 ? nil : s
    }

    /// How many termination signals arrived (a second one means "stop now, do not wait").
    public static var terminationCount: Int { receivedCount.load(ordering: .acquiring) }

    /// How many of them were SIGINT (Ctrl-C): one per key press, which the kernel does not
    /// double as it may a hang-up.
    public static var interruptCount: Int { interruptsReceived.load(ordering: .acquiring) }

    /// Forgets a received termination signal (tests).
    public static func resetTerminationFlag() {
        receivedSignal.store(0, ordering: .releasing)
        receivedCount.store(0, ordering: .releasing)
        interruptsReceived.store(0, ordering: .releasing)
    }

    /// Installs the crash handlers (idempotent); they restore the terminal saved by
    /// `saveTerminalModes` (called by `CursesTerminal.init`).
    public static func installCrashHandlers() {
        guard crashState.installed.exchange(true, ordering: .acquiringAndReleasing) == false else { return }
        for sig in crashSignals where sig < crashState.previousCapacity {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = crashHandler
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)
            sigaction(sig, &action, crashState.previous + Int(sig))
        }
    }

    /// Remembers the tty modes and the output descriptor to restore after a crash.
    static func saveTerminalModes(input: Int32, output: Int32) {
        if tcgetattr(input, crashState.savedModes) == 0 {
            crashState.inputFD.store(input, ordering: .releasing)
        }
        crashState.outputFD.store(output, ordering: .releasing)
    }

    /// Stops the crash handler from touching the terminal (after `endwin`).
    static func disarmCrashRestore() {
        crashState.outputFD.store(-1, ordering: .releasing)
        crashState.inputFD.store(-1, ordering: .releasing)
    }

    /// Writes the reset sequence and restores tty modes; async-signal-safe.
    static func restoreTerminalFromSignalHandler() {
        let out = crashState.outputFD.load(ordering: .acquiring)
        if out >= 0 {
            let seq = crashState.resetSequence
            _ = write(out, seq.baseAddress, seq.count)
        }
        let input = crashState.inputFD.load(ordering: .acquiring)
        if input >= 0 { _ = tcsetattr(input, TCSANOW, crashState.savedModes) }
    }

    /// What a terminal needs to be usable again: attributes off, cursor shown, keypad mode off,
    /// main screen back, then a fresh line.
    public static let resetBytes: [UInt8] = Array("\u{1B}[0m\u{1B}[?25h\u{1B}[?1l\u{1B}>\u{1B}[?1049l\r\n".utf8)
}

private let receivedSignal = Atomic<Int32>(0)
private let receivedCount = Atomic<Int>(0)
private let interruptsReceived = Atomic<Int>(0)
private let suspendRequested = Atomic<Bool>(false)

private func suspendHandler(_ sig: Int32) {
    suspendRequested.store(true, ordering: .releasing)   // lock-free: async-signal-safe
}

private func terminationHandler(_ sig: Int32) {
    receivedSignal.store(sig, ordering: .releasing)
    receivedCount.add(1, ordering: .acquiringAndReleasing)   // lock-free: async-signal-safe
    if sig == SIGINT { interruptsReceived.add(1, ordering: .acquiringAndReleasing) }
}

private func crashHandler(_ sig: Int32) {
    TerminalSignals.restoreTerminalFromSignalHandler()
    // Give the signal back to whoever handled it before (or the default action), then
    // re-raise: it is delivered again once this handler returns.
    if sig >= 0, sig < crashState.previousCapacity {
        sigaction(sig, crashState.previous + Int(sig), nil)
    }
    raise(sig)
}

/// Storage the crash handler reads without allocating or locking (set up once, never freed).
private final class CrashState: Sendable {
    let installed = Atomic<Bool>(false)
    let inputFD = Atomic<Int32>(-1)
    let outputFD = Atomic<Int32>(-1)
    let previousCapacity: Int32 = 65
    nonisolated(unsafe) let previous: UnsafeMutablePointer<sigaction>
    nonisolated(unsafe) let savedModes: UnsafeMutablePointer<termios>
    nonisolated(unsafe) let resetSequence: UnsafeMutableBufferPointer<UInt8>

    init() {
        previous = .allocate(capacity: Int(previousCapacity))
        previous.initialize(repeating: sigaction(), count: Int(previousCapacity))
        savedModes = .allocate(capacity: 1)
        savedModes.initialize(to: termios())
        resetSequence = .allocate(capacity: TerminalSignals.resetBytes.count)
        _ = resetSequence.initialize(from: TerminalSignals.resetBytes)
    }
}

private let crashState = CrashState()
