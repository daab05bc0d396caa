import FoundationEssentials
import Glibc

/// Checks on files that hold secrets (API keys).
public enum KeyFile {
    /// Refuses a key file that others can write, and warns when others can read it.
    public static func checkPermissions(_ path: String, warn: (String) -> Void) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw CapttyError.failed("cannot read the key file \(path): \(String(cString: strerror(errno)))")
        }
        if st.st_mode & 0o022 != 0 {
            throw CapttyError.failed("the key file \(path) can be changed by other users; fix it with: chmod 600 \(path)")
        }
        if st.st_mode & 0o044 != 0 {
            warn("warning: the key file \(path) is readable by other users; protect it with: chmod 600 \(path)")
        }
    }
}
