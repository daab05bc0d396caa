/// `s` as one single-quoted POSIX shell word (for command lines typed into a shell, e.g. in
/// `TmuxScreen`).
public func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
