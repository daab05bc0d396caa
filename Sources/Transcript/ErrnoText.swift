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
        case ENOENT, ENOTDIR: advice = "check that the directory exists"
        case EEXIST: advice = "choose another path or remove the existing file"
        case EIO: advice = "the disk reported an I/O error; check it"
        default: advice = ""
        }
        return "cannot \(what) \(path): \(reason)" + (advice.isEmpty ? "" : " — \(advice)")
    }
}
