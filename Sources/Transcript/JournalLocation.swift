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

    /// A private folder for journals when the sessions folder cannot be written:
    /// `$TMPDIR/captty-<uid>/sessions` (or under /tmp), created 0700. Nil when it cannot be
    /// made, or when `captty-<uid>` is not a real directory of this user closed to others (on a
    /// shared /tmp another user could have made it first).
    public static func fallbackDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        var tmp = environment["TMPDIR"] ?? ""
        if !tmp.hasPrefix("/") { tmp = "/tmp" }
        let base = tmp + "/captty-\(getuid())"
        guard makeDirectories(base) == nil else { return nil }
        var st = stat()
        guard lstat(base, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == getuid(), st.st_mode & 0o077 == 0 else { return nil }
        let dir = base + "/sessions"
        guard makeDirectories(dir) == nil else { return nil }
        return URL(fileURLWithPath: dir, isDirectory: true)
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
