import FoundationEssentials
import Glibc

/// Thin wrappers over POSIX file calls that report `errno` (a C type never leaves the module).
enum POSIXFile {
    struct Failure: Error { var code: Int32 }

    static func readAll(_ path: String) -> Result<Data, Failure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Failure(code: errno)) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { return .failure(Failure(code: EISDIR)) }
        var data = Data()
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return .failure(Failure(code: errno)) }
            if n == 0 { break }
            data.append(buf, count: n)
        }
        return .success(data)
    }

    /// Writes all of `bytes`, retrying short writes; on failure returns errno and how many
    /// bytes did reach the file.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> (written: Int, error: Int32?) {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                return (done, errno)
            }
            if n == 0 { return (done, EIO) }
            done += n
        }
        return (done, nil)
    }
}
