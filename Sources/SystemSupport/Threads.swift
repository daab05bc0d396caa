#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain POSIX threads and locks, so that captty's modules need only FoundationEssentials.
///
/// Foundation's `Thread`, `NSLock` and `NSCondition` live in the full Foundation library,
/// which also loads ICU: about 6 MB of resident memory and a few milliseconds of start-up that
/// a caption client has no use for.
public enum Threads {
    private final class Box {
        let name: String?
        let body: () -> Void
        init(_ name: String?, _ body: @escaping () -> Void) { self.name = name; self.body = body }
    }

    /// Starts a detached thread running `body`. `name`, when given, shows in `top -H` and
    /// debuggers (at most 15 bytes are kept); per-connection threads pass nil, since naming
    /// costs three system calls. Returns false when no thread could be started (out of threads
    /// or memory): `body` then does not run.
    @discardableResult
    public static func detach(name: String?, stackSize: Int = 1 << 20, _ body: @escaping @Sendable () -> Void) -> Bool {
        let box = Unmanaged.passRetained(Box(name, body)).toOpaque()
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attr, stackSize)
        var tid = pthread_t()
        let rc = pthread_create(&tid, &attr, { arg in
            let b = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            if let name = b.name { Threads.nameCurrentThread(name) }
            b.body()
            return nil
        }, box)
        pthread_attr_destroy(&attr)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            return false
        }
        return true
    }

    /// What to tell a user when `detach` returned false.
    public static let cannotStart = "cannot start a thread: the system is out of threads or memory (close other programs, or raise `ulimit -u`)"

    /// Sleeps the calling thread for `seconds` (nothing for zero or less).
    public static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        var left = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var rest = timespec()
        while nanosleep(&left, &rest) == -1 && errno == EINTR { left = rest }
    }

    /// Names the calling thread (`top -H`, `ps -L`, debuggers; the kernel keeps 15 bytes).
    /// pthread_setname_np is not visible through Glibc's module map; /proc is the same knob.
    public static func nameCurrentThread(_ name: String) {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #endif
    }
}

/// A set-once flag any thread can set and read (a cancellation, a signal that arrived).
public final class SetOnceFlag: @unchecked Sendable {
    private let lock = Lock()
    private var value = false
    public init() {}
    public var isSet: Bool { lock.withLock { value } }
    public func set() { lock.withLock { value = true } }
}

/// A mutual-exclusion lock (a `pthread_mutex_t`), a drop-in for Foundation's `NSLock`.
public final class Lock: @unchecked Sendable {
    fileprivate let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    @inline(__always)
    public func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// A lock with a condition variable, a drop-in for Foundation's `NSCondition`.
public final class Condition: @unchecked Sendable {
    private let lockObject = Lock()
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_cond_init(cond, nil)
    }

    deinit {
        pthread_cond_destroy(cond)
        cond.deallocate()
    }

    public func lock() { lockObject.lock() }
    public func unlock() { lockObject.unlock() }
    /// Waits for a signal; the lock must be held, and is held again on return.
    public func wait() { pthread_cond_wait(cond, lockObject.mutex) }
    public func signal() { pthread_cond_signal(cond) }
    public func broadcast() { pthread_cond_broadcast(cond) }
}

/// Turns in arrival order: whoever asked first goes first. A plain mutex lets a thread that
/// releases and at once asks again win over one that has waited a long time (a client flooding
/// a shared worker with work starved the others); with turns, each waiter goes after at most
/// one turn of each thread that came before it.
public final class FairTurns: @unchecked Sendable {
    private let cond = Condition()
    private var nextTicket: UInt64 = 0
    private var serving: UInt64 = 0

    public init() {}

    /// Runs `body` on this thread when its turn comes.
    public func withTurn<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        cond.lock()
        let mine = nextTicket
        nextTicket &+= 1
        while serving != mine { cond.wait() }
        cond.unlock()
        defer {
            cond.lock()
            serving &+= 1
            cond.broadcast()
            cond.unlock()
        }
        return try body()
    }

    /// Threads waiting for their turn, the one taking it included.
    public var queued: Int {
        cond.lock(); defer { cond.unlock() }
        return Int(nextTicket &- serving)
    }
}

/// Whole-file reads with the system's own reason on failure.
public enum Files {
    /// Whether `a` and `b` name the same existing file (same device and inode: also through
    /// `..`, symbolic and hard links). False when either does not exist.
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    /// The bytes of the file at `path`, or the reason it could not be read ("No such file or
    /// directory", "Is a directory", …).
    public static func read(_ path: String) -> Result<[UInt8], FileReadError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(FileReadError(errno: errno)) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { return .failure(FileReadError(errno: EISDIR)) }
        var bytes: [UInt8] = []
        if st.st_size > 0 { bytes.reserveCapacity(Int(st.st_size)) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(FileReadError(errno: errno))
            }
            if n == 0 { return .success(bytes) }
            bytes.append(contentsOf: buffer[0..<n])
        }
    }
}

/// A failed system call's errno with its text.
public struct FileReadError: Error, CustomStringConvertible, Sendable {
    public let errno: Int32
    public init(errno: Int32) { self.errno = errno }
    public var description: String { String(cString: strerror(errno)) }
}

extension Files {
    /// Writes all of `bytes` to `fd`, retrying short writes and EINTR; the errno of a failed
    /// write, or nil.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: some Collection<UInt8>) -> Int32? {
        let all = Array(bytes)
        var done = 0
        while done < all.count {
            let n = all.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            done += n
        }
        return nil
    }
}
