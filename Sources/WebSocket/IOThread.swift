#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemSupport

/// Starts a detached POSIX thread for blocking socket and TLS work (one per connection),
/// with SIGPIPE blocked.
enum IOThread {
    /// `name` says what the thread is for (for readers: the thread is not named, which would
    /// cost system calls per connection). False when no thread could be started (the process
    /// or system is out of threads or memory): `body` does not run, and the caller must give up
    /// what it was for — a flood of connections must not crash a server.
    @discardableResult
    static func spawn(name: String, _ body: @escaping @Sendable () -> Void) -> Bool {
        Threads.detach(name: nil) {
            // OpenSSL writes to the socket with write(2), which raises SIGPIPE when the peer is
            // gone; block it on this thread so the write fails with EPIPE instead of killing us.
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &set, nil)
            body()
        }
    }
}
