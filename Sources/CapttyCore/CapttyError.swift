/// Errors the command line reports to the user. Each says what went wrong and what to do.
public enum CapttyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A subcommand or feature that is not built yet.
    case notYetAvailable(String)
    /// A usage problem the argument parser cannot see (conflicting or bad values).
    case usage(String)
    /// The command failed; the text says what went wrong and what to do.
    case failed(String)
    /// Stopped by a signal (Ctrl-C, SIGTERM) after saving what it could; the text says what.
    case interrupted(String)
    /// A service it needs is not there (no PulseAudio server): EX_UNAVAILABLE, as live captions
    /// exit then.
    case unavailable(String)
    /// A file it was asked to create cannot be (a `--journal` path whose folder is missing, or
    /// that exists): EX_CANTCREAT, as live captions exit then.
    case cannotCreate(String)

    public var description: String {
        switch self {
        case .notYetAvailable(let what): return "\(what) is not yet available in this build of captty."
        case .usage(let m): return m
        case .failed(let m): return m
        case .interrupted(let m): return m
        case .unavailable(let m): return m
        case .cannotCreate(let m): return m
        }
    }

    /// The process exit status for this error (EX_UNAVAILABLE for unbuilt features, EX_USAGE for usage).
    public var exitCode: Int32 {
        switch self {
        case .notYetAvailable: return 69
        case .usage: return 64
        case .failed: return 1
        case .interrupted: return 130
        case .unavailable: return 69
        case .cannotCreate: return 73
        }
    }
}
