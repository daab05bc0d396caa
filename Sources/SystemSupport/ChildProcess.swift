#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child program with pipes to its standard input and output (standard error goes to
/// /dev/null), started with `posix_spawn`: what captty used Foundation's `Process` for.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    /// The write end of the child's standard input.
    public let input: Int32
    /// The read end of the child's standard output.
    public let output: Int32
    private let lock = Lock()
    private var exited = false
    private var terminated = false

    /// Starts `path` with `arguments` (argv[1...]) and the current environment. Throws the
    /// spawn's errno as text ("No such file or directory", …).
    public init(path: String, arguments: [String]) throws(FileReadError) {
        var toChild: [Int32] = [-1, -1], fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0 else { throw FileReadError(errno: errno) }
        guard pipe(&fromChild) == 0 else {
            let e = errno
            close(toChild[0]); close(toChild[1])
            throw FileReadError(errno: e)
        }
        // The parent's ends must not leak into other children (their EOF would never come).
        for fd in [toChild[1], fromChild[0]] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, toChild[0])
        posix_spawn_file_actions_addclose(&actions, fromChild[1])
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, nil, argv, environ)
        close(toChild[0]); close(fromChild[1])
        guard rc == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw FileReadError(errno: rc)
        }
        pid = child
        input = toChild[1]
        output = fromChild[0]
    }

    deinit { terminate() }

    /// Whether the child has not exited yet (it is reaped when it has).
    public var isRunning: Bool {
        lock.withLock {
            if exited { return false }
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { exitStatus = status }
            if r == pid || (r < 0 && errno == ECHILD) { exited = true }
            return !exited
        }
    }

    /// The wait status of a child that has ended and was reaped here (nil while it runs, or
    /// when `terminate` reaped it).
    private var exitStatus: Int32?

    /// How the child ended, in words ("was killed by signal 4 (SIGILL)", "exited with code 3"),
    /// waiting up to `timeout` seconds for it to end (its pipe closes a moment before it is
    /// gone); nil when it is still running.
    public func ending(waitingUpTo timeout: Double = 0.5) -> String? {
        let deadline = timeout * 1_000
        var waited = 0.0
        while isRunning {
            guard waited < deadline else { return nil }
            usleep(10_000)
            waited += 10
        }
        guard let status = lock.withLock({ exitStatus }) else { return "ended" }
        let sig = status & 0x7F
        if sig == 0 { return "exited with code \((status >> 8) & 0xFF)" }
        let names: [Int32: String] = [SIGILL: "SIGILL", SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS",
                                      SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGFPE: "SIGFPE"]
        return "was killed by signal \(sig)" + (names[sig].map { " (\($0))" } ?? "")
    }

    /// The signal that ended the child, if one did (see `ending`).
    public var killedBySignal: Int32? {
        guard let status = lock.withLock({ exitStatus }), status & 0x7F != 0 else { return nil }
        return status & 0x7F
    }

    /// Closes the pipes, sends SIGTERM and reaps the child on a helper thread, so that no
    /// zombie is left and the caller does not wait.
    /// Calling it again does nothing.
    public func terminate() {
        let (first, alreadyGone): (Bool, Bool) = lock.withLock {
            defer { terminated = true; exited = true }
            return (!terminated, exited)
        }
        guard first else { return }
        close(input); close(output)
        guard !alreadyGone else { return }
        kill(pid, SIGTERM)
        let pid = self.pid
        if !Threads.detach(name: "captty.reap", stackSize: 64 << 10, { var s: Int32 = 0; _ = waitpid(pid, &s, 0) }) {
            var s: Int32 = 0
            _ = waitpid(pid, &s, 0)
        }
    }
}

/// The running program's own path (`/proc/self/exe`), nil when it cannot be read.
public func executablePath() -> String? {
    var buf = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buf, buf.count - 1)
    guard n > 0 else { return nil }
    return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Closes every descriptor above standard error that this process inherited (a helper
/// program calls it first, so that sockets and files of its parent are not kept open).
public func closeInheritedDescriptors() {
    guard let dir = opendir("/proc/self/fd") else { return }
    let own = dirfd(dir)
    var fds: [Int32] = []
    while let e = readdir(dir) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        if let fd = Int32(name), fd > 2, fd != own { fds.append(fd) }
    }
    closedir(dir)
    for fd in fds { close(fd) }
}
