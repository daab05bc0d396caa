import FoundationEssentials
import Glibc
import SystemSupport

/// Writes a whole file atomically: a temporary file in the same directory, fsync, rename over
/// the target, fsync the directory. Readers see the old file or the new one, never a part.
public enum AtomicFile {
    /// Why an atomic write failed; the target is untouched.
    public struct WriteError: Error, Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { message }
    }

    /// A symbolic link is written through (its target is replaced, the link kept); an existing
    /// FIFO, device or socket is written to directly (`-o /dev/stdout`, a pipe a reader waits
    /// on): renaming over them replaced `/dev/full` with a file.
    public static func write(_ data: Data, to url: URL, mode: mode_t = 0o600) throws(WriteError) {
        var url = url
        var st = stat()
        if lstat(url.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK {
            if let target = realpath(url.path, nil) {
                url = URL(fileURLWithPath: String(cString: target))
                free(target)
            } else {
                // A link to a file not there yet: the file is created where it points.
                var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = readlink(url.path, &buf, buf.count - 1)
                guard n > 0 else { throw WriteError(path: url.path, message: ErrnoText.message(errno, doing: "follow the link", path: url.path)) }
                let target = String(decoding: buf.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                url = target.hasPrefix("/") ? URL(fileURLWithPath: target)
                    : url.deletingLastPathComponent().appendingPathComponent(target)
            }
        }
        if stat(url.path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG, (st.st_mode & S_IFMT) != S_IFDIR {
            try writeDirectly(data, to: url.path)
            return
        }
        let path = url.path
        let dir = url.deletingLastPathComponent().path
        var template = Array((dir + "/." + url.lastPathComponent + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw WriteError(path: path, message: ErrnoText.message(errno, doing: "create a file in", path: dir)) }
        let tmp = String(cBuffer: template)
        func fail(_ e: Int32, _ what: String) -> WriteError {
            close(fd)
            unlink(tmp)
            return WriteError(path: path, message: ErrnoText.message(e, doing: what, path: path))
        }
        fchmod(fd, mode)
        let r = data.withUnsafeBytes { POSIXFile.writeAll(fd, $0) }
        if let e = r.error { throw fail(e, "write") }
        if fsync(fd) != 0 { throw fail(errno, "sync") }
        if close(fd) != 0 { let e = errno; unlink(tmp); throw WriteError(path: path, message: ErrnoText.message(e, doing: "write", path: path)) }
        if rename(tmp, path) != 0 {
            let e = errno
            unlink(tmp)
            throw WriteError(path: path, message: ErrnoText.message(e, doing: "replace", path: path))
        }
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Writes `data` to an existing special file (a FIFO, a terminal, a device) as it is.
    private static func writeDirectly(_ data: Data, to path: String) throws(WriteError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw WriteError(path: path, message: ErrnoText.message(errno, doing: "open", path: path)) }
        let r = data.withUnsafeBytes { POSIXFile.writeAll(fd, $0) }
        close(fd)
        if let e = r.error { throw WriteError(path: path, message: ErrnoText.message(e, doing: "write", path: path)) }
    }
}
