import CaptionUI
import FoundationEssentials
import SystemSupport
import Glibc
import Synchronization

/// Keeps the terminal usable however the full-screen app ends, SIGKILL included.
///
/// A process killed outright cannot restore the terminal it put in full-screen mode. So
/// `captty` (full screen only) runs the screen in a child process, a copy of itself, and stays
/// behind blocked in `waitpid`: it forwards SIGTERM, SIGHUP and SIGINT to the child (which
/// finishes like quit), and when the child dies by a signal it restores the terminal and says
/// where the transcript is. If the supervisor itself is killed, the child notices (its parent
/// changes) and finishes like quit, so the terminal is restored and the journal completed
/// either way.
public enum ScreenSupervisor {
    /// Set in the child's environment to the supervisor's pid.
    static let childVariable = "CAPTTY_SCREEN_SUPERVISOR"
    /// The descriptor in the child on which it reports the journal's path.
    static let reportFD: Int32 = 3

    /// The screen child's pid, for the signal handlers (0: none yet).
    private static let child = Atomic<Int32>(0)

    /// Runs the rest of this invocation in a supervised child and returns its exit status, or
    /// nil when the caller should run the screen itself: it is the child already, there is no
    /// terminal to read keys from (`CursesTerminal.keyboardDescriptor`), or the child could not
    /// be started.
    public static func superviseIfNeeded(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int32? {
        guard environment[childVariable] == nil, let keyboard = CursesTerminal.keyboardDescriptor,
              let snapshot = TerminalSnapshot.take(input: keyboard) else { return nil }
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else { return nil }
        defer { close(pair[0]) }
        var env = environment
        env[childVariable] = String(getpid())
        // A crash of the screen process ends it at once, and the supervisor restores the
        // terminal and names the journal. Swift's backtracer held the frozen captions for 30 s
        // under an interactive crash prompt (and a crash signal sent by `kill` left the app
        // running with the terminal in line mode). Setting SWIFT_BACKTRACE yourself keeps it.
        if env["SWIFT_BACKTRACE"] == nil { env["SWIFT_BACKTRACE"] = "enable=no" }
        guard let pid = spawnSelf(environment: env, reportFD: pair[1]) else {
            close(pair[1])
            return nil
        }
        close(pair[1])
        child.store(pid, ordering: .releasing)
        // Ctrl-Z included: the supervisor does not stop with the terminal's SIGTSTP, but once the
        // screen process has left the screen and stopped (below). Stopping at once gave the
        // shell the terminal while the screen process was still drawing, which it then could not
        // leave (a background process that sets terminal modes is stopped by SIGTTOU).
        for sig in TerminalSignals.terminationSignals + [SIGTSTP] {
            var action = sigaction()
            action.__sigaction_handler.sa_sigaction = forwardSignal
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(SA_RESTART | SA_SIGINFO)
            sigaction(sig, &action, nil)
        }
        var status: Int32 = 0
        while true {
            if waitpid(pid, &status, WUNTRACED) < 0 {
                if errno == EINTR { continue }
                break
            }
            // Stopped (Ctrl-Z, after it restored the terminal): the job stops, as the shell
            // expects, and goes on when continued (`fg` continues both processes).
            guard (status & 0xff) == 0x7f else { break }
            stopLikeTheScreen()
        }
        let journal = readReport(pair[0])
        let termSignal = status & 0x7f
        if termSignal == 0 { return (status >> 8) & 0xff }
        snapshot.restore()
        var message = "captty: the caption screen was stopped by signal \(termSignal) (\(signalName(termSignal))); the terminal is restored."
        if let journal {
            message += " The transcript is journaled up to that moment in \(journal); export it with: captty export \(LiveLauncher.shellQuoted(journal)) --format srt"
        }
        PlainRunner.standardError(message)
        return 128 + termSignal
    }

    /// The supervisor's pid when this process is a screen child.
    private static let supervisorPID: Int32? = ProcessInfo.processInfo.environment[childVariable].flatMap { Int32($0) }

    /// In the screen child: whether the supervisor that started it is gone (killed outright).
    public static var supervisorGone: Bool {
        guard let parent = supervisorPID else { return false }
        return getppid() != parent
    }

    /// In the screen child: tells the supervisor where the journal is (nil: there is none), so
    /// that it can say so if the child is killed. Call right after the journal is opened, and
    /// again if the journal moves (written again at another name): the last path reported is
    /// the one named. With a journal the descriptor stays open (close-on-exec) until exit.
    public static func reportJournal(_ path: String?) {
        guard supervisorPID != nil else { return }
        guard let path else {
            close(reportFD)
            return
        }
        _ = fcntl(reportFD, F_SETFD, FD_CLOEXEC)
        let bytes = Array((path + "\n").utf8)
        _ = bytes.withUnsafeBytes { send(reportFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
    }

    private static func spawnSelf(environment: [String: String], reportFD fd: Int32) -> Int32? {
        guard let exe = executablePath() else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fd, reportFD)
        let argv = CommandLine.arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, exe, &actions, nil, argv, envp)
        return rc == 0 ? pid : nil
    }

    private static func readReport(_ fd: Int32) -> String? {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while data.count < 65536 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n <= 0 { break }
            data += chunk[0..<n]
        }
        let text = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init)
        return text?.isEmpty == false ? text : nil
    }

    static func signalName(_ sig: Int32) -> String {
        strsignal(sig).map { String(cString: $0) } ?? "signal \(sig)"
    }

    /// Passes a signal on to the screen child, unless the kernel sent it: Ctrl-C and a terminal
    /// hang-up go to the whole foreground process group, so the child has its own copy (a
    /// forwarded second one made Ctrl-C count twice).
    /// Stops this process as the screen process stopped (the shell reports the job as
    /// stopped), then forwards SIGTSTP again once continued.
    private static func stopLikeTheScreen() {
        TerminalSignals.stopAsCtrlZWould()
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = forwardSignal
        sigemptyset(&action.sa_mask)
        action.sa_flags = Int32(SA_RESTART | SA_SIGINFO)
        sigaction(SIGTSTP, &action, nil)
    }

    fileprivate static func forward(_ sig: Int32, code: Int32) {
        guard code != SI_KERNEL else { return }
        let pid = child.load(ordering: .acquiring)
        if pid > 0 { kill(pid, sig) }
    }
}

private func forwardSignal(_ sig: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _: UnsafeMutableRawPointer?) {
    ScreenSupervisor.forward(sig, code: info?.pointee.si_code ?? 0)
}
