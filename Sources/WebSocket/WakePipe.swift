#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemSupport

/// A non-blocking pipe that wakes a connection's poll loop from other threads.
final class WakePipe: @unchecked Sendable {
    let readFD: Int32
    let writeFD: Int32
    private let lock = Lock()
    private var pending = false

    init() throws(WebSocketError) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw .connectFailed(host: "", port: 0, reason: "pipe: \(TCPSocket.errnoString())") }
        readFD = fds[0]
        writeFD = fds[1]
        TCPSocket.setNonBlocking(readFD)
        TCPSocket.setNonBlocking(writeFD)
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// Wakes the poll loop (at most one byte in flight).
    func wake() {
        // Check and write under the lock, and drain under the same lock: otherwise a drain
        // could swallow a byte written after it cleared `pending`, and later wakes would be lost.
        lock.withLock {
            guard !pending else { return }
            pending = true
            var b: UInt8 = 1
            _ = write(writeFD, &b, 1)
        }
    }

    /// The invariant wakeups rely on: while a wake is pending, a byte is in the pipe (for tests).
    func pendingImpliesReadable() -> Bool {
        lock.withLock {
            guard pending else { return true }
            var p = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            return poll(&p, 1, 0) == 1
        }
    }

    /// Called by the poll loop when `readFD` is readable.
    func drain() {
        lock.withLock {
            var tmp = [UInt8](repeating: 0, count: 64)
            while read(readFD, &tmp, tmp.count) > 0 {}
            pending = false
        }
    }
}
