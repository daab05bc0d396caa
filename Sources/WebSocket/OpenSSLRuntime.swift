import COpenSSL

/// OpenSSL, set up once for the process without its `atexit` cleanup.
///
/// OpenSSL 3 registers `OPENSSL_cleanup` with `atexit` on first use. It frees every thread's
/// OpenSSL state without a lock, while a thread that is exiting frees its own: a WebSocket I/O
/// thread still closing when the program called `exit()` made a double free ("double free or
/// corruption (fasttop)", about once in a thousand runs on a loaded machine; OpenSSL issue
/// #6214; curl does the same). Every use of libcrypto in this module goes through `prepare()`
/// first; a program can call it at the top of `main` (captty does) so that it comes before any
/// other library's use of OpenSSL. The memory is the process's until it exits, as it would be.
public enum OpenSSLRuntime {
    private static let prepared: Bool = captty_openssl_init_without_atexit() == 1

    /// Sets OpenSSL up (once); later calls do nothing. False when OpenSSL could not initialise
    /// (its later calls then fail with their own errors).
    @discardableResult
    public static func prepare() -> Bool { prepared }
}
