import FoundationEssentials
import Glibc

/// Human-readable text for an errno value, with advice for the errors a user can fix.
enum ErrnoText {
    static func message(_ code: Int32, doing what: String, path: String) -> String {
        let reason = String(cString: strerror(code))
        let advice: String
        switch code {
        case ENOSPC, EDQUOT: advice = "free some disk space"
        case EFBIG: advice = "the file size limit was reached; raise it (ulimit -f) or choose another path"
        case EACCES, EPERM: advice = "check the permissions or choose another path"
        case EROFS: advice = "the file system is read-only; choose another path"
        case ENOENT, ENOTDIR:
            // Creating in a directory that exists but takes no new files (/proc, /sys) was told
            // to "check that the directory exists" (found in QA).
            let dir = what.hasSuffix(" in") ? path : (path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ".")
            var st = stat()
            if what.hasPrefix("create"), !dir.isEmpty, stat(dir, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                advice = "\(dir) does not take new files; choose a path in another directory"
            } else {
                advice = "check that the directory exists"
            }
        case EEXIST: advice = "choose another path or remove the existing file"
        case EIO: advice = "the disk reported an I/O error; check it"
        default: advice = ""
        }
        return "cannot \(what) \(path): \(reason)" + (advice.isEmpty ? "" : " — \(advice)")
    }
}
