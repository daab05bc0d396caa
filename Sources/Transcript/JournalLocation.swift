import FoundationEssentials
import SystemSupport
import Glibc

/// Where journals go by default: `$XDG_DATA_HOME/captty/sessions/<start-time>.jsonl`, or
/// `~/.local/share/captty/sessions/…` when `XDG_DATA_HOME` is unset or not absolute.
public enum JournalLocation {
    public static func sessionsDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let base = xdgDirectory("XDG_DATA_HOME", fallback: ".local/share", environment: environment)
        return URL(fileURLWithPath: base).appendingPathComponent("captty/sessions", isDirectory: true)
    }

    /// The default journal path for a session starting at `header.startTime`.
    public static func defaultURL(for header: JournalHeader,
                                  environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        sessionsDirectory(environment: environment).appendingPathComponent(header.fileStem + ".jsonl")
    }

    /// Creates `dir` and its missing parents with mode 0700 (existing directories are left as
    /// they are). Returns an errno on failure.
    static func makeDirectories(_ dir: String) -> Int32? {
        var st = stat()
        if stat(dir, &st) == 0 { return (st.st_mode & S_IFMT) == S_IFDIR ? nil : ENOTDIR }
        let parent = dir.pathDeletingLastComponent
        if !parent.isEmpty && parent != dir, let e = makeDirectories(parent) { return e }
        if mkdir(dir, 0o700) != 0 && errno != EEXIST { return errno }
        return nil
    }
}
