import FoundationEssentials
import Glibc
import SystemSupport
import Transcript

/// Where a transcript is written (`-o`): checked before any work, so a long transcription is
/// not thrown away at the end for a typo in the path; and a safe place when writing fails all
/// the same (a full disk), so the transcript is kept.
public enum OutputFile {
    /// Why `path` cannot take a transcript, or nil when it can (as far as can be told now).
    public static func problem(with path: String) -> String? {
        if path.isEmpty { return "-o needs a file path (or - for standard output)" }
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            return "\(path) is a directory: give a file path, e.g. \(path.hasSuffix("/") ? path : path + "/")transcript.txt"
        }
        let dir = directory(of: path)
        var dst = stat()
        guard stat(dir, &dst) == 0 else {
            return "cannot write \(path): the directory \(dir) does not exist (create it, or choose another path with -o)"
        }
        guard (dst.st_mode & S_IFMT) == S_IFDIR else { return "cannot write \(path): \(dir) is not a directory" }
        // The transcript replaces the file atomically (a new file renamed over it): that needs
        // write access to the directory, not only to the file.
        if access(dir, W_OK | X_OK) != 0 {
            if errno == EROFS { return "cannot write \(path): \(dir) is on a read-only file system (choose another path with -o)" }
            return "cannot write \(path): no permission to create files in \(dir) (choose another path with -o)"
        }
        return nil
    }

    /// Whether `path` is the regular file standard input reads (`captty transcribe - -o X < X`).
    public static func isStandardInput(_ path: String) -> Bool {
        var a = stat(), b = stat()
        guard fstat(0, &a) == 0, (a.st_mode & S_IFMT) == S_IFREG, stat(path, &b) == 0 else { return false }
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }

    /// The directory a file path is in.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Writes `data` to `path`; when that fails, to a private file in the temporary directory.
    /// Returns nil when `path` was written, else the error and where the data went instead
    /// (nil when that failed too).
    public static func write(_ data: Data, to path: String, fallbackExtension: String) -> (error: String, savedAt: String?)? {
        do {
            try AtomicFile.write(data, to: URL(fileURLWithPath: path))
            return nil
        } catch {
            let dir = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
            let name = "captty-transcript-\(getpid())-\(Int(Date().timeIntervalSince1970)).\(fallbackExtension)"
            let fallback = URL(fileURLWithPath: dir).appendingPathComponent(name)
            let saved = (try? AtomicFile.write(data, to: fallback)) != nil ? fallback.path : nil
            return (error.message, saved)
        }
    }
}
